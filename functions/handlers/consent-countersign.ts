import { route } from '../../infra/routes';
import { renderPdf } from '../adapters/pdf-renderer';
import { pdfSealer, runtimeDeps } from '../adapters/runtime';
import { config } from '../config';
import { countersignRequestSchema } from '../contract/clinic';
import { type HttpEvent, type HttpResult, httpHandler, json, jsonRequest, requestMeta } from '../http/api';
import { authenticateStaff } from '../http/auth';
import { consentIdParam } from '../http/params';
import { countersignConsent } from '../workflow/review';
import { requireRole } from '../workflow/staff-access';

// At cold start: a seal that is not configured stops the function here, not halfway through a countersign.
const sealPdf = await pdfSealer();

/** POST /clinic/consents/{consentId}/countersign (doctor only). */
export async function postCountersign(event: HttpEvent): Promise<HttpResult> {
  const staff = await authenticateStaff(event);
  requireRole(staff, 'doctor');
  const consentId = consentIdParam(event);
  const input = jsonRequest(event, countersignRequestSchema, 'The countersignature is not valid.');
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
