import { route } from '../../infra/routes';
import { runtimeDeps } from '../adapters/runtime';
import { listQuerySchema } from '../contract/clinic';
import { type HttpEvent, type HttpResult, httpHandler, json, parseWith } from '../http/api';
import { authenticateStaff } from '../http/auth';
import { listConsents } from '../workflow/consent-views';

/** GET /clinic/consents: the caller's clinic only, newest first; dates are UTC days. */
export async function getConsents(event: HttpEvent): Promise<HttpResult> {
  const staff = await authenticateStaff(event);
  const q = parseWith(listQuerySchema, event.queryStringParameters ?? {}, 'The search is not valid.');
  const query = {
    ...q,
    ...(q.from ? { from: `${q.from}T00:00:00.000Z` } : {}),
    ...(q.to ? { to: `${q.to}T23:59:59.999Z` } : {}),
  };
  const deps = runtimeDeps();
  return json(200, await listConsents(deps, staff, query));
}

export const handler = httpHandler(getConsents, route('consents-list'));
