import { createLocalJWKSet, createRemoteJWKSet, type JWTPayload, jwtVerify } from 'jose';
import { config } from '../config';
import { ForbiddenError, UnauthorizedError } from '../domain/errors';
import type { StaffIdentity } from '../domain/model';
import { type HttpEvent, header } from './api';

/**
 * Staff authentication. In AWS the API Gateway JWT authorizer already checked the Cognito token;
 * the handler verifies it again (signature, issuer, audience, expiry) and enforces clinic and
 * group itself, so the same code is safe on the local stack where no authorizer exists.
 */
let keys: ReturnType<typeof createRemoteJWKSet> | ReturnType<typeof createLocalJWKSet> | undefined;

function keySet() {
  if (!keys) {
    const c = config();
    keys = c.JWKS_URL
      ? createRemoteJWKSet(new URL(c.JWKS_URL), { cooldownDuration: 30_000, cacheMaxAge: 600_000 })
      : createLocalJWKSet({ keys: [JSON.parse(c.JWT_PUBLIC_JWK ?? '{}')] });
  }
  return keys;
}

export function resetAuthKeys(): void {
  keys = undefined;
}

export function identityFromClaims(claims: JWTPayload & Record<string, unknown>): StaffIdentity {
  const groupsClaim = claims['cognito:groups'];
  const groups = (
    Array.isArray(groupsClaim)
      ? groupsClaim
      : typeof groupsClaim === 'string'
        ? groupsClaim.split(/[ ,]/)
        : []
  )
    .map(String)
    .filter((g): g is 'doctor' | 'coordinator' => g === 'doctor' || g === 'coordinator');
  const clinicId = claims['custom:clinicId'];
  if (typeof clinicId !== 'string' || !/^[a-z0-9][a-z0-9-]{1,40}$/.test(clinicId)) {
    throw new ForbiddenError('Your account is not linked to a clinic.');
  }
  if (!groups.length) throw new ForbiddenError('Your account has no clinic role.');
  const licence = claims['custom:licence'];
  return {
    sub: String(claims.sub ?? ''),
    email: String(claims.email ?? ''),
    name: String(claims.name ?? claims.email ?? 'Staff'),
    clinicId,
    groups,
    ...(typeof licence === 'string' && licence ? { licence } : {}),
  };
}

export async function authenticateStaff(event: HttpEvent): Promise<StaffIdentity> {
  const auth = header(event, 'authorization') ?? '';
  const m = /^Bearer\s+([A-Za-z0-9._-]+)$/i.exec(auth.trim());
  if (!m?.[1]) throw new UnauthorizedError();
  const c = config();
  try {
    const { payload } = await jwtVerify(m[1], keySet(), {
      issuer: c.JWT_ISSUER,
      audience: c.JWT_AUDIENCE,
      algorithms: ['RS256', 'ES256'],
      clockTolerance: 30,
      // jose checks `exp` only when present: a token without one would never expire. Cognito always sets it.
      requiredClaims: ['exp'],
    });
    if (payload.token_use && payload.token_use !== 'id')
      throw new UnauthorizedError('An ID token is required.');
    return identityFromClaims(payload as JWTPayload & Record<string, unknown>);
  } catch (err) {
    if (err instanceof ForbiddenError) throw err;
    throw new UnauthorizedError();
  }
}
