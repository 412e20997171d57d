import { type HttpResult, html, httpHandler } from '../http/api';
import { clinicPage, type StaffSignIn } from '../../templates/pages/render';

/**
 * How staff sign in, from the environment: with COGNITO_DOMAIN (the hosted-UI base URL, e.g.
 * https://<prefix>.auth.<region>.amazoncognito.com) and COGNITO_CLIENT_ID set, the Cognito hosted UI;
 * otherwise the local stack's /local/login form. Read per call (cheap) so tests can switch it.
 */
export function staffSignIn(env: NodeJS.ProcessEnv = process.env): StaffSignIn {
  const domain = env.COGNITO_DOMAIN?.trim();
  const clientId = env.COGNITO_CLIENT_ID?.trim();
  if (domain && clientId && /^https:\/\/[a-z0-9.-]+$/i.test(domain.replace(/\/$/, ''))) {
    return { mode: 'cognito', domain: domain.replace(/\/$/, ''), clientId };
  }
  return { mode: 'local' };
}

/** GET /clinic: the dashboard shell; its script signs in and calls the /clinic/* API. */
export async function getClinicPage(): Promise<HttpResult> {
  return html(200, clinicPage({ signIn: staffSignIn() }));
}

export const handler = httpHandler(getClinicPage, { route: 'clinic-page' });
