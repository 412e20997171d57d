/**
 * The staff session: the ID token (the API's bearer) in sessionStorage, decoded into the signed-in
 * person's name, clinic and roles. The token is gone when the tab closes.
 */

const TOKEN_KEY = 'clinic.token';
export const REFRESH_KEY = 'clinic.refreshToken';

/**
 * @typedef {{token: string, email: string, name: string, clinicId: string, roles: string[], exp: number}} Session
 */

/** @type {Session | null} */
export let session = null;

/**
 * @param {string} jwt
 * @returns {Record<string, unknown>}
 */
function decodeClaims(jwt) {
  const part = jwt.split('.')[1] ?? '';
  const json = atob(
    part
      .replace(/-/g, '+')
      .replace(/_/g, '/')
      .padEnd(Math.ceil(part.length / 4) * 4, '='),
  );
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0))));
}

/** @param {string} token @returns {Session | null} */
function sessionFrom(token) {
  try {
    const c = decodeClaims(token);
    const groups = Array.isArray(c['cognito:groups']) ? c['cognito:groups'] : [];
    if (typeof c.exp === 'number' && c.exp * 1000 < Date.now()) return null;
    return {
      token,
      email: String(c.email ?? ''),
      name: String(c.name ?? c.email ?? 'Staff'),
      clinicId: String(c['custom:clinicId'] ?? ''),
      roles: groups.filter((/** @type {string} */ g) => g === 'doctor' || g === 'coordinator'),
      exp: Number(c.exp ?? 0),
    };
  } catch {
    return null;
  }
}

export function loadSession() {
  const token = sessionStorage.getItem(TOKEN_KEY);
  session = token ? sessionFrom(token) : null;
  if (!session) sessionStorage.removeItem(TOKEN_KEY);
}

/** @param {string} token */
export function startSession(token) {
  session = sessionFrom(token);
  if (session) sessionStorage.setItem(TOKEN_KEY, token);
}

export function endSession() {
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(REFRESH_KEY);
  session = null;
}

/** @param {string} role */
export function hasRole(role) {
  return Boolean(session?.roles.includes(role));
}
