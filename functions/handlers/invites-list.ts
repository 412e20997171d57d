import { route } from '../../infra/routes';
import { runtimeDeps } from '../adapters/runtime';
import { type HttpEvent, type HttpResult, httpHandler, json } from '../http/api';
import { authenticateStaff } from '../http/auth';
import { listOpenInvites } from '../workflow/consent-views';

/** GET /clinic/invites: the caller's clinic's links still open, oldest expiry first. */
export async function getInvites(event: HttpEvent): Promise<HttpResult> {
  const staff = await authenticateStaff(event);
  return json(200, await listOpenInvites(runtimeDeps(), staff));
}

export const handler = httpHandler(getInvites, route('invites-list'));
