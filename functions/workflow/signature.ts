import * as z from 'zod';
import { isCanvasPng, pngDimensions } from '../documents/pdf/png';
import type { RequestMeta } from '../domain/audit';
import type { RecordedSignature, SignatureInput } from '../domain/model';
import { personNameSchema } from '../domain/person';

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

export function recordSignature(input: SignatureInput, at: string, meta: RequestMeta): RecordedSignature {
  return {
    kind: input.kind,
    ...(input.kind === 'drawn' ? { pngBase64: input.pngBase64 } : { typedName: input.name }),
    signedAt: at,
    ip: meta.ip,
    userAgent: meta.userAgent.slice(0, 512),
  };
}
