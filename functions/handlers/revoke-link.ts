import { route } from '../../infra/routes';
import { runtimeDeps } from '../adapters/runtime';
import { type HttpEvent, type HttpResult, httpHandler, json, requestMeta } from '../http/api';
import { authenticateStaff } from '../http/auth';
import { consentIdParam } from '../http/params';
import { revokeLink } from '../workflow/links';

/**
 * POST /clinic/consents/{consentId}/revoke-link (coordinator or doctor): withdraws the patient's intake
 * link before the patient signs; every patient route then answers 410. No body.
 */
export async function postRevokeLink(event: HttpEvent): Promise<HttpResult> {
  const staff = await authenticateStaff(event);
  const consentId = consentIdParam(event);
  return json(200, await revokeLink(runtimeDeps(), staff, consentId, requestMeta(event)));
}

export const handler = httpHandler(postRevokeLink, route('revoke-link'));
