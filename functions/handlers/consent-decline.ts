import { route } from '../../infra/routes';
import { runtimeDeps } from '../adapters/runtime';
import { declineRequestSchema } from '../contract/clinic';
import { type HttpEvent, type HttpResult, httpHandler, json, jsonRequest, requestMeta } from '../http/api';
import { authenticateStaff } from '../http/auth';
import { consentIdParam } from '../http/params';
import { declineConsent } from '../workflow/review';
import { requireRole } from '../workflow/staff-access';

/** POST /clinic/consents/{consentId}/decline (doctor only). */
export async function postDecline(event: HttpEvent): Promise<HttpResult> {
  const staff = await authenticateStaff(event);
  requireRole(staff, 'doctor');
  const consentId = consentIdParam(event);
  const input = jsonRequest(event, declineRequestSchema, 'A reason is required to decline.');
  return json(200, await declineConsent(runtimeDeps(), staff, consentId, input, requestMeta(event)));
}

export const handler = httpHandler(postDecline, route('consent-decline'));
