import { route } from '../../infra/routes';
import { runtimeDeps } from '../adapters/runtime';
import { type HttpEvent, type HttpResult, httpHandler, json } from '../http/api';
import { authenticateStaff } from '../http/auth';
import { listBranches } from '../workflow/consent-views';

/** GET /clinic/branches: the caller's clinic's branches, for selects and for names where ids appear. */
export async function getBranches(event: HttpEvent): Promise<HttpResult> {
  const staff = await authenticateStaff(event);
  return json(200, await listBranches(runtimeDeps(), staff));
}

export const handler = httpHandler(getBranches, route('branches-list'));
