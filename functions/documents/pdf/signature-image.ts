import { type PDFDocument, PDFName, type PDFRef } from 'pdf-lib';
import { flateStream } from './pdf-streams';
import { readCanvasPng } from './png';

/** An image XObject in the document, as the canvas draws it. */
export interface EmbeddedImage {
  ref: PDFRef;
  width: number;
  height: number;
}

interface Pixels {
  width: number;
  height: number;
  /** 3 bytes a pixel. */
  rgb: Uint8Array;
  /** 1 byte a pixel; undefined when the PNG has no alpha. */
  alpha?: Uint8Array;
}

/**
 * A drawn signature as an image XObject (RGB, with its alpha as a soft mask), sized for where it is
 * drawn: a phone canvas at 3× density (up to 2400×1200 px, workflow/signature.ts) is cut down to twice
 * the box it fills (`maxWidth`×`maxHeight` px), which is as sharp as print needs and keeps a final PDF
 * with two signatures within its size budget. Fully transparent pixels get the ink's colour: invisible,
 * and the colour plane then compresses to almost nothing. pdf-lib decodes and re-encodes a PNG in the
 * same way (RGB + SMask), so the file never held the original PNG bytes anyway; the shape (alpha) and
 * the ink are kept. PNGs this reader does not handle (palette, 16-bit, interlaced) go through pdf-lib.
 */
export async function embedSignatureImage(
  pdf: PDFDocument,
  png: Uint8Array,
  maxWidth: number,
  maxHeight: number,
): Promise<EmbeddedImage> {
  const decoded = decodePng(png);
  if (!decoded) return pdf.embedPng(png);
  const pixels = inkUnderTransparency(downscale(decoded, maxWidth, maxHeight));
  const context = pdf.context;
  const image = (data: Uint8Array, colorSpace: string, sMask?: PDFRef) => {
    const stream = flateStream(context, data);
    const dict = stream.dict;
    dict.set(PDFName.of('Type'), PDFName.of('XObject'));
    dict.set(PDFName.of('Subtype'), PDFName.of('Image'));
    dict.set(PDFName.of('Width'), context.obj(pixels.width));
    dict.set(PDFName.of('Height'), context.obj(pixels.height));
    dict.set(PDFName.of('ColorSpace'), PDFName.of(colorSpace));
    dict.set(PDFName.of('BitsPerComponent'), context.obj(8));
    if (sMask) dict.set(PDFName.of('SMask'), sMask);
    return context.register(stream);
  };
  const mask = pixels.alpha ? image(pixels.alpha, 'DeviceGray') : undefined;
  return { ref: image(pixels.rgb, 'DeviceRGB', mask), width: pixels.width, height: pixels.height };
}

/**
 * 8-bit grey/RGB with or without alpha, not interlaced (what a canvas exports, read by png.ts); else
 * undefined.
 */
export function decodePng(bytes: Uint8Array): Pixels | undefined {
  const png = readCanvasPng(bytes);
  if (!png?.width || !png.height) return undefined;
  const { width, height, channels, raw } = png;
  const stride = width * channels;
  const out = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const src = y * (stride + 1) + 1;
    const row = y * stride;
    for (let i = 0; i < stride; i++) {
      const x = raw[src + i] ?? 0;
      const a = i >= channels ? (out[row + i - channels] ?? 0) : 0;
      const b = y > 0 ? (out[row - stride + i] ?? 0) : 0;
      const c = y > 0 && i >= channels ? (out[row - stride + i - channels] ?? 0) : 0;
      let v: number;
      switch (filter) {
        case 0:
          v = x;
          break;
        case 1:
          v = x + a;
          break;
        case 2:
          v = x + b;
          break;
        case 3:
          v = x + ((a + b) >> 1);
          break;
        case 4: {
          const p = a + b - c;
          const pa = Math.abs(p - a);
          const pb = Math.abs(p - b);
          const pc = Math.abs(p - c);
          v = x + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
          break;
        }
        default:
          return undefined;
      }
      out[row + i] = v & 0xff;
    }
  }
  const n = width * height;
  const rgb = new Uint8Array(n * 3);
  const alpha = channels === 2 || channels === 4 ? new Uint8Array(n) : undefined;
  for (let p = 0; p < n; p++) {
    const s = p * channels;
    const grey = channels < 3;
    rgb[p * 3] = out[s] ?? 0;
    rgb[p * 3 + 1] = out[grey ? s : s + 1] ?? 0;
    rgb[p * 3 + 2] = out[grey ? s : s + 2] ?? 0;
    if (alpha) alpha[p] = out[s + channels - 1] ?? 0;
  }
  return { width, height, rgb, ...(alpha ? { alpha } : {}) };
}

/** Box-filters the image down to fit `maxWidth`×`maxHeight` (aspect kept); colour weighted by alpha. */
function downscale(img: Pixels, maxWidth: number, maxHeight: number): Pixels {
  const f = Math.min(1, maxWidth / img.width, maxHeight / img.height);
  if (f >= 1) return img;
  const width = Math.max(1, Math.ceil(img.width * f));
  const height = Math.max(1, Math.ceil(img.height * f));
  const sum = new Float64Array(width * height * 5); // weight, alpha, r·a, g·a, b·a
  for (let y = 0; y < img.height; y++) {
    const ty = Math.min(height - 1, Math.floor((y * height) / img.height));
    for (let x = 0; x < img.width; x++) {
      const tx = Math.min(width - 1, Math.floor((x * width) / img.width));
      const s = y * img.width + x;
      const t = (ty * width + tx) * 5;
      const a = img.alpha ? (img.alpha[s] ?? 0) : 255;
      sum[t] = (sum[t] ?? 0) + 1;
      sum[t + 1] = (sum[t + 1] ?? 0) + a;
      for (let k = 0; k < 3; k++) sum[t + 2 + k] = (sum[t + 2 + k] ?? 0) + (img.rgb[s * 3 + k] ?? 0) * a;
    }
  }
  const rgb = new Uint8Array(width * height * 3);
  const alpha = img.alpha ? new Uint8Array(width * height) : undefined;
  for (let p = 0; p < width * height; p++) {
    const w = sum[p * 5] || 1;
    const a = sum[p * 5 + 1] ?? 0;
    for (let k = 0; k < 3; k++) rgb[p * 3 + k] = a > 0 ? Math.round((sum[p * 5 + 2 + k] ?? 0) / a) : 0;
    if (alpha) alpha[p] = Math.round(a / w);
  }
  return { width, height, rgb, ...(alpha ? { alpha } : {}) };
}

/** Gives fully transparent pixels the ink's (alpha-weighted mean) colour. */
function inkUnderTransparency(img: Pixels): Pixels {
  const { alpha, rgb } = img;
  if (!alpha) return img;
  const total = [0, 0, 0];
  let weight = 0;
  for (let p = 0; p < alpha.length; p++) {
    const a = alpha[p] ?? 0;
    if (a === 0) continue;
    weight += a;
    for (let k = 0; k < 3; k++) total[k] = (total[k] ?? 0) + (rgb[p * 3 + k] ?? 0) * a;
  }
  if (weight === 0) return img;
  const ink = total.map((t) => Math.round(t / weight));
  const out = new Uint8Array(rgb);
  for (let p = 0; p < alpha.length; p++) {
    if (alpha[p] !== 0) continue;
    for (let k = 0; k < 3; k++) out[p * 3 + k] = ink[k] ?? 0;
  }
  return { ...img, rgb: out };
}
