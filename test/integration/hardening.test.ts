import { importJWK, SignJWT } from 'jose';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { api, appUrl, call, login, uniqueEmail } from './client';

/**
 * Issue 11 over HTTP: invisible text counts as empty, bidi controls are refused, and a doctor acts only
 * with a complete identity.
 */
let coordinator: string;
let doctor: string;

beforeAll(async () => {
  coordinator = await login('coordinator');
  doctor = await login('doctor');
});

/** A staff ID token signed with the local key, with exactly the claims given (what /local/login never issues). */
async function token(claims: Record<string, unknown>, sub?: string): Promise<string> {
  const key = await importJWK(JSON.parse(inject('localJwtPrivateJwk')), 'ES256');
  const jwt = new SignJWT({ token_use: 'id', 'custom:clinicId': 'demo', ...claims })
    .setProtectedHeader({ alg: 'ES256', kid: 'local' })
    .setIssuer(`${appUrl()}/local`)
    .setAudience('consents-local')
    .setIssuedAt()
    .setExpirationTime('10m');
  if (sub) jwt.setSubject(sub);
  return jwt.sign(key);
}

const REVIEW = { bloodThinners: true, bloodThinnerDetails: 'Aspirin 81 mg daily' };

describe('invisible text is empty, bidi controls are refused', () => {
  it('a review note of zero-width characters is missing: 422 review_incomplete, nothing written', async () => {
    const s = await api.signed(coordinator, REVIEW);
    for (const note of ['\u200b', '\u200b\u200c\u200d', '\u2060 \ufeff', '\u00ad']) {
      const r = await api.countersign(doctor, s.consentId, { bloodThinners: note });
      expect(r.status, JSON.stringify(note)).toBe(422);
      expect(r.body).toMatchObject({
        error: 'review_incomplete',
        issues: [{ path: 'findingNotes.bloodThinners' }],
      });
    }
    const detail = await call<{ status: string }>('GET', `/clinic/consents/${s.consentId}`, {
      token: doctor,
    });
    expect(detail.body.status).toBe('awaiting_countersign');
    expect((await api.countersign(doctor, s.consentId, { bloodThinners: 'Paused 7 days.' })).status).toBe(
      200,
    );
  });

  it('a patient name, typed signature or doctor signature of only invisible characters is a 400', async () => {
    const badName = await call('POST', '/clinic/invites', {
      token: coordinator,
      json: {
        patient: { fullName: '\u200b\u200b', email: uniqueEmail(), locale: 'en' },
        treatmentId: 'mesotherapy',
      },
    });
    expect(badName.status).toBe(400);
    expect(badName.body).toMatchObject({ issues: [{ path: 'patient.fullName' }] });

    const a = await api.answered(coordinator);
    const sig = await api.sign(a.linkToken, a.riskIds, { kind: 'typed', name: '\u200b\u2060' });
    expect(sig.status).toBe(400);
    expect(sig.body).toMatchObject({ error: 'validation_failed', issues: [{ path: 'signature.name' }] });

    const s = await api.signed(coordinator);
    const cs = await api.countersign(doctor, s.consentId, {}, { kind: 'typed', name: '\ufeff' });
    expect(cs.status).toBe(400);
  });

  it('bidi embedding, override and isolate controls in a name are refused (400), wherever they sit', async () => {
    for (const c of ['\u202e', '\u202b', '\u2066', '\u2069']) {
      const r = await call('POST', '/clinic/invites', {
        token: coordinator,
        json: {
          patient: { fullName: `Layla ${c}live`, email: uniqueEmail(), locale: 'en' },
          treatmentId: 'mesotherapy',
        },
      });
      expect(r.status, JSON.stringify(c)).toBe(400);
      expect(r.body).toMatchObject({ error: 'validation_failed', issues: [{ path: 'patient.fullName' }] });
    }
    const s = await api.signed(coordinator);
    const cs = await api.countersign(doctor, s.consentId, {}, { kind: 'typed', name: 'Dr. \u202eevil' });
    expect(cs.status).toBe(400);
  });
});

describe('a doctor acts only with a complete identity', () => {
  it('a doctor token without a licence (and none in the directory), or without sub, gets 403; nothing written', async () => {
    const s = await api.signed(coordinator);
    const noLicence = await token(
      { email: 'ghost-doctor@demo-clinic.example.test', name: 'Dr. Ghost', 'cognito:groups': ['doctor'] },
      'ghost-doctor-sub',
    );
    const noSub = await token({
      email: 'doctor@demo-clinic.example.test',
      name: 'Dr. Amal Nasser',
      'cognito:groups': ['doctor'],
      'custom:licence': 'DHA-P-0000001',
    });
    for (const t of [noLicence, noSub]) {
      const r = await api.countersign(t, s.consentId);
      expect(r.status).toBe(403);
      expect(r.body).toMatchObject({ error: 'forbidden' });
      const d = await call('POST', `/clinic/consents/${s.consentId}/decline`, {
        token: t,
        json: { reason: 'x' },
      });
      expect(d.status).toBe(403);
    }
    const detail = await call<{ status: string }>('GET', `/clinic/consents/${s.consentId}`, {
      token: doctor,
    });
    expect(detail.body.status).toBe('awaiting_countersign');
  });
});
