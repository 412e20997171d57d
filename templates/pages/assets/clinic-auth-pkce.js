import { endSession, REFRESH_KEY, session, startSession } from './clinic-session.js';
import { route, setFlash, signInMode, topbar } from './clinic-state.js';

/**
 * Staff sign-in through the Cognito hosted UI: OAuth 2.0 authorization code with PKCE, the refresh
 * token (sessionStorage) renewing the ID token, and sign-out (revoke, then the hosted UI's logout).
 */

/** @import { CognitoTokens } from './api-types.js' */

const PKCE_KEY = 'clinic.signInRequest';

// ------------------------------------------------------------------ Cognito hosted UI (code + PKCE)

const cognito = {
  domain: topbar.dataset.cognitoDomain ?? '',
  clientId: topbar.dataset.cognitoClientId ?? '',
};

/** The dashboard's own URL: the app client's callback and sign-out URL. */
function redirectUri() {
  return `${location.origin}/clinic`;
}

/** @param {Uint8Array} bytes */
function base64url(bytes) {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

/**
 * POST to the hosted UI's token or revoke endpoint (the page's CSP allows exactly this origin).
 * @param {'token' | 'revoke'} endpoint
 * @param {Record<string, string>} fields
 * @returns {Promise<unknown>} the token endpoint's JSON; null for revoke
 */
async function cognitoRequest(endpoint, fields) {
  const res = await fetch(`${cognito.domain}/oauth2/${endpoint}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: cognito.clientId, ...fields }),
  });
  if (!res.ok) throw new Error(`Cognito ${endpoint}: HTTP ${res.status}`);
  return endpoint === 'token' ? res.json() : null;
}

export async function startCognitoSignIn() {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const state = base64url(crypto.getRandomValues(new Uint8Array(16)));
  const challenge = base64url(
    new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))),
  );
  sessionStorage.setItem(PKCE_KEY, JSON.stringify({ state, verifier, returnTo: location.hash || '#/' }));
  const q = new URLSearchParams({
    response_type: 'code',
    client_id: cognito.clientId,
    redirect_uri: redirectUri(),
    scope: 'openid email profile',
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  location.assign(`${cognito.domain}/oauth2/authorize?${q}`);
}

/** Back from the hosted UI (?code=…&state=…): exchange the code for tokens. */
export async function completeCognitoSignIn() {
  const params = new URLSearchParams(location.search);
  const code = params.get('code');
  if (!code && !params.get('error')) return;
  const raw = sessionStorage.getItem(PKCE_KEY);
  sessionStorage.removeItem(PKCE_KEY);
  /** @type {{state: string, verifier: string, returnTo: string} | null} */
  let pending = null;
  try {
    pending = raw ? JSON.parse(raw) : null;
  } catch {
    pending = null;
  }
  // The code is single-use and must not stay in the address bar or the history.
  history.replaceState(null, '', `${location.pathname}${pending?.returnTo ?? '#/'}`);
  if (!code || !pending || params.get('state') !== pending.state) {
    setFlash({ kind: 'error', text: 'Sign-in did not complete. Please try again.' });
    return;
  }
  try {
    const tokens = /** @type {CognitoTokens} */ (
      await cognitoRequest('token', {
        grant_type: 'authorization_code',
        code,
        redirect_uri: redirectUri(),
        code_verifier: pending.verifier,
      })
    );
    startSession(tokens.id_token);
    if (tokens.refresh_token) sessionStorage.setItem(REFRESH_KEY, tokens.refresh_token);
  } catch {
    setFlash({ kind: 'error', text: 'Sign-in did not complete. Please try again.' });
  }
}

/** A new ID token from the refresh token (Cognito mode); false when there is none or it is refused. */
export async function refreshSession() {
  const refresh = sessionStorage.getItem(REFRESH_KEY);
  if (signInMode !== 'cognito' || !refresh) return false;
  try {
    const tokens = /** @type {CognitoTokens} */ (
      await cognitoRequest('token', { grant_type: 'refresh_token', refresh_token: refresh })
    );
    startSession(tokens.id_token);
    return Boolean(session);
  } catch {
    sessionStorage.removeItem(REFRESH_KEY);
    return false;
  }
}

/** Ends the session; with Cognito also revokes the refresh token and signs out of the hosted UI. */
export async function signOut() {
  const refresh = sessionStorage.getItem(REFRESH_KEY);
  endSession();
  if (signInMode === 'cognito') {
    // Revoke the refresh token, then end the hosted UI's own session too.
    if (refresh) await cognitoRequest('revoke', { token: refresh }).catch(() => undefined);
    location.assign(
      `${cognito.domain}/logout?${new URLSearchParams({ client_id: cognito.clientId, logout_uri: redirectUri() })}`,
    );
    return;
  }
  location.hash = '#/';
  route();
}
