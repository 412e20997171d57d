import { route } from '../../infra/routes';
import { clinicPage, type StaffSignIn } from '../../templates/pages/render';
import { type Config, config } from '../config';
import { type HttpResult, html, httpHandler, SECURITY_HEADERS } from '../http/api';

/**
 * How staff sign in, from the configuration: with COGNITO_DOMAIN (the hosted-UI base URL, e.g.
 * https://<prefix>.auth.<region>.amazoncognito.com) and COGNITO_CLIENT_ID set, the Cognito hosted UI;
 * otherwise the local stack's /local/login form.
 */
export function staffSignIn(
  env: Pick<Config, 'COGNITO_DOMAIN' | 'COGNITO_CLIENT_ID'> = config(),
): StaffSignIn {
  const domain = env.COGNITO_DOMAIN?.trim().replace(/\/$/, '');
  const clientId = env.COGNITO_CLIENT_ID?.trim();
  if (domain && clientId && /^https:\/\/[a-z0-9.-]+$/i.test(domain))
    return { mode: 'cognito', domain, clientId };
  return { mode: 'local' };
}

/**
 * The dashboard's CSP: the shared one, plus the hosted UI's origin in `connect-src`, the single place the
 * page's script may call besides its own API (the OAuth token and revoke endpoints).
 */
export function dashboardCsp(signIn: StaffSignIn): string {
  const base = SECURITY_HEADERS['content-security-policy'] as string;
  if (signIn.mode !== 'cognito') return base;
  return base.replace("connect-src 'self'", `connect-src 'self' ${signIn.domain}`);
}

/** GET /clinic: the dashboard shell; its script signs in and calls the /clinic/* API. */
export async function getClinicPage(): Promise<HttpResult> {
  const signIn = staffSignIn();
  const result = html(200, clinicPage({ signIn }));
  result.headers = { ...result.headers, 'content-security-policy': dashboardCsp(signIn) };
  return result;
}

export const handler = httpHandler(getClinicPage, route('clinic-page'));
