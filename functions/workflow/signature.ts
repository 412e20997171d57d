import { inflateSync } from 'node:zlib';
import * as z from 'zod';
import type { RequestMeta } from '../domain/audit';
import type { RecordedSignature, SignatureInput } from '../domain/model';
import { personNameSchema } from '../domain/person';

/** Limits for a drawn signature: a phone canvas at 2–3× density fits easily. */
export const SIGNATURE_MAX_BYTES = 200 * 1024;
export const SIGNATURE_MAX_WIDTH = 2400;
export const SIGNATURE_MAX_HEIGHT = 1200;

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Reads a PNG's IHDR; returns undefined unless the bytes really are a PNG. */
export function pngDimensions(bytes: Uint8Array): { width: number; height: number } | undefined {
  if (bytes.length < 33 || PNG_MAGIC.some((b, i) => bytes[i] !== b)) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = String.fromCharCode(...bytes.subarray(12, 16));
  if (type !== 'IHDR') return undefined;
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 4: 2, 6: 4 };

/**
 * True when the PNG is what a canvas exports and decodes completely: IHDR first (and only once), 8-bit
 * grey/RGB with or without alpha, not interlaced, no chunk cut short, the image data inflating to every
 * row with a valid filter. That is exactly what the PDF renderer decodes itself; anything else it would
 * hand to pdf-lib's own PNG decoder, which loops forever on some damaged files (a truncated signature
 * PNG pinned the renderer until the function timed out: test/reliability/properties.test.ts).
 */
export function isCanvasPng(bytes: Uint8Array): boolean {
  const dims = pngDimensions(bytes);
  if (!dims) return false;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let channels = 0;
  const idat: Uint8Array[] = [];
  for (let at = 8; at < bytes.length; ) {
    if (at + 12 > bytes.length) return false;
    const length = view.getUint32(at);
    if (at + 12 + length > bytes.length) return false;
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    if (type === 'IHDR') {
      if (at !== 8 || length !== 13) return false;
      const [depth, colorType, , , interlace] = bytes.subarray(at + 16, at + 21);
      channels = depth === 8 && interlace === 0 ? (CHANNELS[colorType ?? -1] ?? 0) : 0;
      if (!channels) return false;
    } else if (type === 'IDAT') idat.push(bytes.subarray(at + 8, at + 8 + length));
    else if (type === 'IEND') break;
    at += 12 + length;
  }
  if (!channels || idat.length === 0) return false;
  const stride = dims.width * channels;
  const expected = dims.height * (stride + 1);
  let raw: Buffer;
  try {
    raw = inflateSync(Buffer.concat(idat), { maxOutputLength: expected + 1024 });
  } catch {
    return false;
  }
  if (raw.length < expected) return false;
  for (let y = 0; y < dims.height; y++) if ((raw[y * (stride + 1)] ?? 255) > 4) return false;
  return true;
}

export const signatureSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('drawn'),
      pngBase64: z
        .string()
        .max(Math.ceil((SIGNATURE_MAX_BYTES * 4) / 3) + 4, 'The signature image is too large')
        .transform((s) => s.replace(/^data:image\/png;base64,/, ''))
        .superRefine((s, ctx) => {
          if (!/^[A-Za-z0-9+/]+={0,2}$/.test(s)) {
            ctx.addIssue({ code: 'custom', message: 'Must be a base64-encoded PNG image' });
            return;
          }
          const bytes = Buffer.from(s, 'base64');
          const dims = pngDimensions(bytes);
          if (!dims) ctx.addIssue({ code: 'custom', message: 'Must be a PNG image' });
          else if (
            dims.width < 1 ||
            dims.height < 1 ||
            dims.width > SIGNATURE_MAX_WIDTH ||
            dims.height > SIGNATURE_MAX_HEIGHT
          ) {
            ctx.addIssue({
              code: 'custom',
              message: `The image must be at most ${SIGNATURE_MAX_WIDTH}×${SIGNATURE_MAX_HEIGHT} pixels`,
            });
          } else if (!isCanvasPng(bytes)) {
            ctx.addIssue({ code: 'custom', message: 'The signature image is damaged or not a canvas PNG' });
          }
        }),
    })
    .strict(),
  z.object({ kind: z.literal('typed'), name: personNameSchema }).strict(),
]);

export function recordSignature(input: SignatureInput, at: string, meta: RequestMeta): RecordedSignature {
  return {
    kind: input.kind,
    ...(input.kind === 'drawn' ? { pngBase64: input.pngBase64 } : { typedName: input.name }),
    signedAt: at,
    ip: meta.ip,
    userAgent: meta.userAgent.slice(0, 512),
  };
}
