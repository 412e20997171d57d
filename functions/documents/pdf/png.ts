import { crc32, inflateSync } from 'node:zlib';

/**
 * The one PNG reader: for what a browser canvas exports (8-bit grey or RGB, with or without alpha, not
 * interlaced). The signature validator (workflow/signature.ts, `isCanvasPng`) and the PDF's image
 * decoder (signature-image.ts, `decodePng`) both read PNGs through `readCanvasPng`, so whatever passes
 * the validator is exactly what the renderer decodes itself.
 */

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Channels a pixel by colour type: grey, RGB, grey + alpha, RGBA. */
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 4: 2, 6: 4 };

/** Reads a PNG's IHDR; returns undefined unless the bytes really are a PNG. */
export function pngDimensions(bytes: Uint8Array): { width: number; height: number } | undefined {
  if (bytes.length < 33 || PNG_MAGIC.some((b, i) => bytes[i] !== b)) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = String.fromCharCode(...bytes.subarray(12, 16));
  if (type !== 'IHDR') return undefined;
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

/** A canvas PNG's header and its inflated image data, still filtered (a filter byte opens each row). */
export interface CanvasPng {
  width: number;
  height: number;
  /** Bytes a pixel (8 bits a channel). */
  channels: number;
  /** At least `height * (width * channels + 1)` bytes. */
  raw: Uint8Array;
}

/**
 * Parses the chunks of a canvas PNG and inflates its image data: IHDR first (and only once), 8-bit
 * grey/RGB with or without alpha, not interlaced, no chunk cut short, every chunk's CRC-32 (over its type
 * and data) right, the image data inflating to every row (and not much more). Undefined for anything else.
 */
export function readCanvasPng(bytes: Uint8Array): CanvasPng | undefined {
  const dims = pngDimensions(bytes);
  if (!dims) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let channels = 0;
  const idat: Uint8Array[] = [];
  for (let at = 8; at < bytes.length; ) {
    if (at + 12 > bytes.length) return undefined;
    const length = view.getUint32(at);
    if (at + 12 + length > bytes.length) return undefined;
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    // A wrong CRC is a damaged file: refuse it rather than read bytes no encoder wrote.
    if (crc32(bytes.subarray(at + 4, at + 8 + length)) !== view.getUint32(at + 8 + length)) return undefined;
    if (type === 'IHDR') {
      if (at !== 8 || length !== 13) return undefined;
      const [depth, colorType, , , interlace] = bytes.subarray(at + 16, at + 21);
      channels = depth === 8 && interlace === 0 ? (CHANNELS[colorType ?? -1] ?? 0) : 0;
      if (!channels) return undefined;
    } else if (type === 'IDAT') idat.push(bytes.subarray(at + 8, at + 8 + length));
    else if (type === 'IEND') break;
    at += 12 + length;
  }
  if (!channels || idat.length === 0) return undefined;
  const expected = dims.height * (dims.width * channels + 1);
  let raw: Buffer;
  try {
    raw = inflateSync(Buffer.concat(idat), { maxOutputLength: expected + 1024 });
  } catch {
    return undefined;
  }
  if (raw.length < expected) return undefined;
  return { ...dims, channels, raw };
}

/**
 * True when the PNG is what a canvas exports and decodes completely: `readCanvasPng` reads it and every
 * row has a valid filter. That is exactly what the PDF renderer decodes itself; anything else it would
 * hand to pdf-lib's own PNG decoder, which loops forever on some damaged files (a truncated signature
 * PNG pinned the renderer until the function timed out: test/reliability/properties.test.ts).
 */
export function isCanvasPng(bytes: Uint8Array): boolean {
  const png = readCanvasPng(bytes);
  if (!png) return false;
  const stride = png.width * png.channels;
  for (let y = 0; y < png.height; y++) if ((png.raw[y * (stride + 1)] ?? 255) > 4) return false;
  return true;
}
