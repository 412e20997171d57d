import { route } from '../../infra/routes';
import { runtimeDeps } from '../adapters/runtime';
import { config } from '../config';
import { inviteRequestSchema } from '../contract/clinic';
import { type HttpEvent, type HttpResult, httpHandler, json, jsonRequest, requestMeta } from '../http/api';
import { authenticateStaff } from '../http/auth';
import { createInvite } from '../workflow/invites';

/** POST /clinic/invites: any staff member creates a patient's intake link. */
export async function postInvite(event: HttpEvent): Promise<HttpResult> {
  const staff = await authenticateStaff(event);
  const input = jsonRequest(event, inviteRequestSchema, 'The invitation is not valid.');
  const c = config();
  const deps = { ...runtimeDeps(), appUrl: c.APP_URL, linkTtlMs: c.linkTtlMs };
  const created = await createInvite(deps, staff, input, requestMeta(event));
  return json(201, created);
}

export const handler = httpHandler(postInvite, route('invites-create'));
