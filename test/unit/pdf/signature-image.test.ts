import * as mupdf from 'mupdf';
import { PDFDocument } from 'pdf-lib';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { renderConsentPdf } from '../../../functions/documents/pdf/render-consent';
import { decodePng, embedSignatureImage } from '../../../functions/documents/pdf/signature-image';
import { sampleConsentDocument, signaturePng } from '../../fixtures/consent-document';

/** A pen stroke on a transparent canvas of any size (a phone canvas at 3× is up to 2400×1200). */
function strokePng(width: number, height: number, opts: { colorType?: 2 | 6 } = {}): Buffer {
  const png = new PNG({ width, height, colorType: opts.colorType ?? 6 });
  png.data.fill(0);
  for (let x = 0; x < width; x++) {
    const y = Math.round(height / 2 + Math.sin((x / width) * 12) * (height / 4));
    for (let dy = -3; dy <= 3; dy++) {
      const i = ((y + dy) * width + x) * 4;
      png.data.set([10, 20, 120, dy === 0 ? 255 : 120], i);
    }
  }
  return PNG.sync.write(png, { colorType: opts.colorType ?? 6 });
}

/** Width and height of every image XObject on the pages of a PDF, as MuPDF reads them. */
function imageSizes(bytes: Uint8Array): Array<[number, number]> {
  const pdf = mupdf.Document.openDocument(bytes, 'application/pdf') as mupdf.PDFDocument;
  const sizes: Array<[number, number]> = [];
  for (let i = 0; i < pdf.countPages(); i++) {
    const xobjects = pdf.loadPage(i).getObject().get('Resources').get('XObject');
    if (!xobjects.isDictionary()) continue;
    xobjects.forEach((image) => {
      sizes.push([image.get('Width').asNumber(), image.get('Height').asNumber()]);
    });
  }
  return sizes;
}

describe('signature images', () => {
  it('decodes canvas PNGs (RGBA, RGB) exactly as pngjs does', () => {
    for (const bytes of [Buffer.from(signaturePng(1), 'base64'), strokePng(97, 31, { colorType: 2 })]) {
      const expected = PNG.sync.read(bytes);
      const decoded = decodePng(bytes);
      if (!decoded) throw new Error('not decoded');
      expect([decoded.width, decoded.height]).toEqual([expected.width, expected.height]);
      for (let p = 0; p < expected.width * expected.height; p++) {
        for (let k = 0; k < 3; k++) expect(decoded.rgb[p * 3 + k]).toBe(expected.data[p * 4 + k]);
        if (decoded.alpha) expect(decoded.alpha[p]).toBe(expected.data[p * 4 + 3]);
      }
    }
  });

  it('leaves PNGs it does not read (16-bit, interlaced, not a PNG) to pdf-lib', async () => {
    const png = Buffer.from(signaturePng(1), 'base64');
    const sixteen = Buffer.from(png);
    sixteen[24] = 16;
    const interlaced = Buffer.from(png);
    interlaced[28] = 1;
    expect(decodePng(sixteen)).toBeUndefined();
    expect(decodePng(interlaced)).toBeUndefined();
    expect(decodePng(Buffer.from('not a png'))).toBeUndefined();
    const pdf = await PDFDocument.create();
    await expect(embedSignatureImage(pdf, Buffer.from('not a png'), 416, 104)).rejects.toThrow();
  });

  it('embeds a phone-sized signature at twice its box, and the final PDF stays small', async () => {
    const big = strokePng(2400, 1200).toString('base64');
    const base = sampleConsentDocument();
    const doc = sampleConsentDocument({
      patientSignature: { ...base.patientSignature, pngBase64: big },
    });
    const bytes = await renderConsentPdf(doc);
    const sizes = imageSizes(bytes);
    expect(sizes.length).toBeGreaterThan(0);
    for (const [w, h] of sizes) {
      expect(w).toBeLessThanOrEqual(2 * 208);
      expect(h).toBeLessThanOrEqual(2 * 52);
    }
    // The big one is cut to 208×104 (its 2:1 shape kept), the fixture's own 180×60 is left as it is.
    expect(sizes).toContainEqual([208, 104]);
    expect(sizes).toContainEqual([180, 60]);
    const small = await renderConsentPdf(base);
    expect(bytes.length - small.length).toBeLessThan(3 * 1024);
  });
});
