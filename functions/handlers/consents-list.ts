import { route } from '../../infra/routes';
import { runtimeDeps } from '../adapters/runtime';
import { listQuerySchema } from '../contract/clinic';
import { type HttpEvent, type HttpResult, httpHandler, json, parseWith } from '../http/api';
import { authenticateStaff } from '../http/auth';
import { listConsents } from '../workflow/consent-views';

/**
 * GET /clinic/consents: the caller's clinic only, newest first; `from`/`to` are real calendar days
 * (2000-01-01…2100-12-31) in the clinic's time zone, anything else a 400.
 */
export async function getConsents(event: HttpEvent): Promise<HttpResult> {
  const staff = await authenticateStaff(event);
  const q = parseWith(listQuerySchema, event.queryStringParameters ?? {}, 'The search is not valid.');
  return json(200, await listConsents(runtimeDeps(), staff, q));
}

export const handler = httpHandler(getConsents, route('consents-list'));
