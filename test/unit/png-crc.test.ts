import { describe, expect, it } from 'vitest';
import { isCanvasPng, readCanvasPng } from '../../functions/documents/pdf/png';
import { signatureSchema } from '../../functions/workflow/signature';
import { signaturePng } from '../fixtures/consent-document';

/** The offsets of each chunk's CRC in a PNG, by chunk type. */
function crcOffsets(png: Uint8Array): Map<string, number> {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const out = new Map<string, number>();
  for (let at = 8; at + 12 <= png.length; ) {
    const length = view.getUint32(at);
    out.set(String.fromCharCode(...png.subarray(at + 4, at + 8)), at + 8 + length);
    at += 12 + length;
  }
  return out;
}

describe('canvas PNG chunk CRCs', () => {
  const good = Buffer.from(signaturePng(1), 'base64');

  it('a canvas PNG with right CRCs is read and accepted as a drawn signature', () => {
    expect(isCanvasPng(good)).toBe(true);
    expect(signatureSchema.safeParse({ kind: 'drawn', pngBase64: good.toString('base64') }).success).toBe(
      true,
    );
  });

  for (const chunk of ['IHDR', 'IDAT', 'IEND']) {
    it(`one flipped byte in the ${chunk} CRC: not a canvas PNG, and the signature schema refuses it`, () => {
      const at = crcOffsets(good).get(chunk);
      expect(at).toBeDefined();
      const bad = Buffer.from(good);
      bad[(at as number) + 3] = (bad[(at as number) + 3] ?? 0) ^ 0x01;
      expect(readCanvasPng(bad)).toBeUndefined();
      expect(isCanvasPng(bad)).toBe(false);
      const parsed = signatureSchema.safeParse({ kind: 'drawn', pngBase64: bad.toString('base64') });
      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues[0]?.message).toMatch(/damaged/);
    });
  }
});
