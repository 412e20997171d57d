import * as z from 'zod';
import { isCanvasPng, pngDimensions } from '../documents/pdf/png';
import type { RequestMeta } from '../domain/audit';
import { sha256Hex } from '../domain/ids';
import type { RecordedSignature, SignatureInput, SignerRole } from '../domain/model';
import { personNameSchema } from '../domain/person';
import type { SignatureImageWrite } from './ports';

/** Limits for a drawn signature: a phone canvas at 2–3× density fits easily. */
export const SIGNATURE_MAX_BYTES = 200 * 1024;
export const SIGNATURE_MAX_WIDTH = 2400;
export const SIGNATURE_MAX_HEIGHT = 1200;

// The canvas-PNG check is the PDF renderer's own PNG reader (documents/pdf/png.ts), re-exported here.
export { isCanvasPng, pngDimensions };

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

/**
 * The signature as the record keeps it, and a drawn one's PNG as the item written beside the record in the
 * same transaction (`SIG#<consent>#<role>`): the record holds only the image's hash and size, so two
 * full-size drawn signatures never share one 400 KB item with the answers and notes.
 */
export function recordSignature(
  input: SignatureInput,
  at: string,
  meta: RequestMeta,
  role: SignerRole,
): { signature: RecordedSignature; image?: SignatureImageWrite } {
  const facts = { signedAt: at, ip: meta.ip, userAgent: meta.userAgent.slice(0, 512) };
  if (input.kind === 'typed') return { signature: { kind: 'typed', typedName: input.name, ...facts } };
  const png = new Uint8Array(Buffer.from(input.pngBase64, 'base64'));
  const sha256 = sha256Hex(png);
  return {
    signature: { kind: 'drawn', image: { sha256, bytes: png.length }, ...facts },
    image: { role, sha256, png },
  };
}
