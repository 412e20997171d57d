import { route } from '../../infra/routes';
import { runtimeDeps, sealKeySha256 } from '../adapters/runtime';
import type { SealCheck } from '../documents/seal/verify-seal';
import { UnsupportedMediaTypeError, ValidationFailedError } from '../domain/errors';
import { exactBody, type HttpEvent, type HttpResult, httpHandler, json, requestMeta } from '../http/api';
import { enforceRateLimit } from '../workflow/rate-limit';
import { verifyPdf } from '../workflow/verify';

const PDF_MAGIC = '%PDF-';

/**
 * The uploaded PDF's bytes, exactly as sent, whatever the content type: only a body that arrived decoded as
 * text (`text/plain`, JSON…) and is not pure ASCII cannot be trusted, and gets a 415 that says how to send
 * it, rather than a hash of changed bytes (a genuine PDF would be reported "not valid").
 */
function uploadedPdf(event: HttpEvent): Buffer {
  if (!event.body) {
    throw new ValidationFailedError('Send the PDF file as the request body.', [
      { path: '', message: 'Body is empty' },
    ]);
  }
  // "%PDF-" is ASCII: it survives any decoding, so a body without it is not a PDF however it was sent.
  const start = event.isBase64Encoded
    ? Buffer.from(event.body.slice(0, 16), 'base64').toString('latin1')
    : event.body;
  if (!start.startsWith(PDF_MAGIC)) {
    throw new ValidationFailedError('The body is not a PDF file.', [
      { path: '', message: 'Expected application/pdf bytes' },
    ]);
  }
  const bytes = exactBody(event);
  if (!bytes) {
    throw new UnsupportedMediaTypeError(
      'The PDF was sent as text, so its bytes may have changed on the way. Send the file with Content-Type: application/pdf.',
    );
  }
  return bytes;
}

/** The seal verifier (node-forge, ASN.1) is loaded only for a file that has a signature to check. */
async function checkSeal(bytes: Uint8Array): Promise<SealCheck> {
  if (!Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes('/ByteRange')) {
    return { present: false, intact: false };
  }
  const { verifySeal } = await import('../documents/seal/verify-seal');
  return verifySeal(bytes);
}

/**
 * POST /verify: body = the PDF bytes. `valid` only when they are exactly a version the archive issued;
 * `seal` says whether the embedded PAdES seal is present and intact, and `trusted` whether it was made with
 * this deployment's seal certificate. No patient data either way.
 */
export async function postVerify(event: HttpEvent): Promise<HttpResult> {
  const deps = runtimeDeps();
  await enforceRateLimit(deps, 'verifyIp', requestMeta(event).ip);
  const bytes = uploadedPdf(event);
  const result = await verifyPdf({ ...deps, checkSeal, sealKeySha256: sealKeySha256() }, bytes);
  return json(200, result);
}

export const handler = httpHandler(postVerify, route('verify'));
