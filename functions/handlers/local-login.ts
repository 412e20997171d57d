import { createHash } from 'node:crypto';
import { importJWK, SignJWT } from 'jose';
import { route } from '../../infra/routes';
import { consentStore } from '../adapters/runtime';
import { config } from '../config';
import { loginRequestSchema } from '../contract/public';
import { type HttpEvent, type HttpResult, httpHandler, json, jsonRequest } from '../http/api';

/**
 * POST /local/login — the local stack's stand-in for Cognito. Issues an ID token with the claims a
 * Cognito token carries. Never routed by the CDK stack; refuses to run without the local key.
 * A clinicId that does not exist yet is created empty, so tenant isolation can be tried.
 */
export async function postLocalLogin(event: HttpEvent): Promise<HttpResult> {
  const input = jsonRequest(event, loginRequestSchema, 'The sign-in request is not valid.');
  const c = config();
  const jwk = c.LOCAL_JWT_PRIVATE_JWK;
  if (!jwk) throw new Error('local login is disabled: no LOCAL_JWT_PRIVATE_JWK');
  const store = consentStore();
  const email = input.email.toLowerCase();
  if (!(await store.getClinic(input.clinicId))) {
    await store.putClinic({
      clinicId: input.clinicId,
      name: `Clinic ${input.clinicId}`,
      archiveEmail: `archive@${input.clinicId}.example.test`,
      defaultBranchId: 'main',
      branches: [
        {
          id: 'main',
          name: 'Main branch',
          phone: '+971 50 000 0000',
          whatsapp: '+971 50 000 0000',
          timeZone: 'Asia/Dubai',
        },
      ],
    });
  }
  const staff = await store.getStaff(input.clinicId, email);
  const name = staff?.name ?? email.split('@')[0] ?? 'Staff';
  const sub = createHash('sha256')
    .update(`${input.clinicId}:${email}:${input.role}`)
    .digest('hex')
    .slice(0, 32);
  const key = await importJWK(JSON.parse(jwk), 'ES256');
  const token = await new SignJWT({
    email,
    name,
    token_use: 'id',
    'custom:clinicId': input.clinicId,
    'cognito:groups': [input.role],
    ...(input.role === 'doctor'
      ? { 'custom:licence': staff?.licence ?? `LOCAL-${sub.slice(0, 6).toUpperCase()}` }
      : {}),
  })
    .setProtectedHeader({ alg: 'ES256', kid: 'local' })
    .setSubject(sub)
    .setIssuer(c.JWT_ISSUER)
    .setAudience(c.JWT_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime('12h')
    .sign(key);
  return json(200, { token, expiresIn: 12 * 3600, clinicId: input.clinicId, role: input.role, name });
}

export const handler = httpHandler(postLocalLogin, route('local-login'));
