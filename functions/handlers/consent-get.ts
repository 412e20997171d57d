import { route } from '../../infra/routes';
import { runtimeDeps } from '../adapters/runtime';
import { type HttpEvent, type HttpResult, httpHandler, json } from '../http/api';
import { authenticateStaff } from '../http/auth';
import { consentIdParam } from '../http/params';
import { consentDetail } from '../workflow/consent-views';

/** GET /clinic/consents/{consentId}: answers, screening, signatures, audit events, pdfSha256. */
export async function getConsent(event: HttpEvent): Promise<HttpResult> {
  const staff = await authenticateStaff(event);
  return json(200, await consentDetail(runtimeDeps(), staff, consentIdParam(event)));
}

export const handler = httpHandler(getConsent, route('consent-get'));
