import * as z from 'zod';
import { route } from '../../infra/routes';
import { renderPdf } from '../adapters/pdf-renderer';
import { pdfSealer, runtimeDeps } from '../adapters/runtime';
import { config } from '../config';
import {
  type HttpEvent,
  type HttpResult,
  httpHandler,
  json,
  jsonBody,
  parseWith,
  requestMeta,
} from '../http/api';
import { authenticateStaff } from '../http/auth';
import { consentIdParam } from '../http/params';
import { countersignConsent } from '../workflow/review';
import { signatureSchema } from '../workflow/signature';
import { requireRole } from '../workflow/staff-access';

export const countersignRequestSchema = z.object({
  signature: signatureSchema,
  findingNotes: z.record(z.string().max(64), z.string().max(2000, 'At most 2000 characters')).default({}),
});
export type CountersignRequestBody = z.infer<typeof countersignRequestSchema>;

// At cold start: a seal that is not configured stops the function here, not halfway through a countersign.
const sealPdf = await pdfSealer();

/** POST /clinic/consents/{consentId}/countersign (doctor only). */
export async function postCountersign(event: HttpEvent): Promise<HttpResult> {
  const staff = await authenticateStaff(event);
  requireRole(staff, 'doctor');
  const consentId = consentIdParam(event);
  const input = parseWith(countersignRequestSchema, jsonBody(event), 'The countersignature is not valid.');
  const result = await countersignConsent(
    { ...runtimeDeps(), renderPdf, sealPdf, appUrl: config().APP_URL },
    staff,
    consentId,
    input,
    requestMeta(event),
  );
  return json(200, result);
}

export const handler = httpHandler(postCountersign, route('consent-countersign'));
