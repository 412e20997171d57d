import { route } from '../../infra/routes';
import { runtimeDeps } from '../adapters/runtime';
import { verifySeal } from '../documents/seal/verify-seal';
import { ValidationFailedError } from '../domain/errors';
import { type HttpEvent, type HttpResult, httpHandler, json, rawBody, requestMeta } from '../http/api';
import { enforceRateLimit } from '../workflow/rate-limit';
import { verifyPdf } from '../workflow/verify';

/**
 * POST /verify: body = the PDF bytes. `valid` only when they are exactly a version the archive issued;
 * `seal` says whether the embedded PAdES seal is present and intact. No patient data either way.
 */
export async function postVerify(event: HttpEvent): Promise<HttpResult> {
  const deps = { ...runtimeDeps(), checkSeal: verifySeal };
  await enforceRateLimit(deps, 'verifyIp', requestMeta(event).ip);
  const bytes = rawBody(event);
  if (bytes.length === 0) {
    throw new ValidationFailedError('Send the PDF file as the request body.', [
      { path: '', message: 'Body is empty' },
    ]);
  }
  if (bytes.subarray(0, 5).toString('latin1') !== '%PDF-') {
    throw new ValidationFailedError('The body is not a PDF file.', [
      { path: '', message: 'Expected application/pdf bytes' },
    ]);
  }
  const result = await verifyPdf(deps, bytes);
  return json(200, result);
}

export const handler = httpHandler(postVerify, route('verify'));
