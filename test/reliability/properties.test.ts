import fc from 'fast-check';
import { generateKeyPair, importJWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../functions/adapters/table-keys';
import { isTextContentType } from '../../infra/local/server';
import { matchPath, type RouteDef, routes } from '../../infra/routes';
import type { TestStack } from '../support/stack';
import {
  answersBody,
  anyJson,
  contentType,
  countersignBody,
  declineBody,
  inviteBody,
  latin1HeaderValue,
  nastyString,
  pathSegment,
  signatureBody,
} from './generators';
import {
  type Api,
  expectContract,
  REVIEW_ANSWERS,
  type Reply,
  safeJson,
  sha256,
  startSuite,
  stopSuite,
  type Table,
} from './harness';

/**
 * Properties over every input surface of the API, on a real local stack: whatever arrives, the answer
 * is never a 5xx, never carries a stack trace, every error has the API.md shape, and a rejected request
 * leaves the table exactly as it was (the whole clinic partition and the link lookups are hashed before
 * and after). Each surface works on its own fixture clinic, so one surface's writes cannot blur another's.
 * The screening engine's own properties (total, deterministic) live in test/unit/screening.test.ts.
 *
 * RELIABILITY_SCALE scales the number of runs (default 1 ≈ 2,100 generated requests); on a loaded machine
 * each surface stops generating after RELIABILITY_PROPERTY_MS (20 s) and the log says how many ran.
 * RELIABILITY_DEBUG=1 prints every generated request's status and timings.
 */
const SCALE = Number(process.env.RELIABILITY_SCALE ?? 1);
const runs = (n: number) => Math.max(10, Math.round(n * SCALE));
/** A safety valve for a loaded machine: fast-check stops generating (without failing) after this long. */
const TIME_LIMIT_MS = Number(process.env.RELIABILITY_PROPERTY_MS ?? 20_000);

let stack: TestStack;
let api: Api;
let table: Table;
const executed: Record<string, number> = {};

beforeAll(async () => ({ stack, api, table } = await startSuite()));

afterAll(async () => {
  console.log(`property runs per surface: ${JSON.stringify(executed)}`);
  await stopSuite({ stack, api, table });
});

async function check<T>(name: string, prop: fc.IAsyncProperty<T>, numRuns: number) {
  executed[name] = 0;
  await fc.assert(prop, { numRuns, interruptAfterTimeLimit: TIME_LIMIT_MS, markInterruptAsFailure: false });
}

// ---------------------------------------------------------------------------------------------------
// Fixtures: each in a clinic of its own

let clinicSeq = 0;
interface Clinic {
  clinicId: string;
  coordinator: string;
  doctor: string;
}

async function newClinic(prefix: string): Promise<Clinic> {
  const clinicId = `${prefix}-${Date.now().toString(36)}-${clinicSeq++}`;
  return {
    clinicId,
    coordinator: await api.login('coordinator', clinicId),
    doctor: await api.login('doctor', clinicId),
  };
}

interface Fixture extends Clinic {
  consentId: string;
  linkToken: string;
  riskIds: string[];
  hash: string;
  items: string[];
  requests: number;
}

async function fixture(
  prefix: string,
  stage: 'invited' | 'answered' | 'awaiting' | 'countersigned',
): Promise<Fixture> {
  const clinic = await newClinic(prefix);
  const inv = await api.invite(clinic.coordinator);
  let riskIds: string[] = [];
  if (stage !== 'invited') {
    const a = await api.answer(
      inv.linkToken,
      stage === 'answered'
        ? { concerns: ['localised_fat', 'wrinkles'], treatmentAreas: ['abdomen'] }
        : REVIEW_ANSWERS,
    );
    riskIds = ((a.json?.consent as { risks?: Array<{ id: string }> } | undefined)?.risks ?? []).map(
      (r) => r.id,
    );
  }
  if (stage === 'awaiting' || stage === 'countersigned')
    expect((await api.sign(inv.linkToken, riskIds)).status).toBe(201);
  if (stage === 'countersigned')
    expect((await api.countersign(clinic.doctor, inv.consentId, { bloodThinners: 'Paused.' })).status).toBe(
      200,
    );
  await table.quiesce(clinic.clinicId);
  const fx: Fixture = {
    ...clinic,
    consentId: inv.consentId,
    linkToken: inv.linkToken,
    riskIds,
    hash: '',
    items: [],
    requests: 0,
  };
  await rebase(fx);
  return fx;
}

async function rebase(fx: Fixture): Promise<void> {
  const snap = await table.snapshot(fx.clinicId, [fx.linkToken]);
  fx.hash = snap.hash;
  fx.items = snap.digests;
}

/**
 * Sends one generated request against a fixture and checks the contract. A rejected request (and any
 * other for which `mayWrite` says no) must leave the fixture's partition and link lookup byte-for-byte
 * unchanged; an accepted one moves the baseline.
 */
async function probe(
  surface: string,
  fx: Fixture,
  send: () => Promise<Reply>,
  input: unknown,
  mayWrite: (r: Reply) => boolean = (r) => r.status < 400,
): Promise<Reply> {
  executed[surface] = (executed[surface] ?? 0) + 1;
  if (fx.requests++ % 20 === 0) await table.resetRateLimits([fx.linkToken]);
  const t0 = performance.now();
  const r = await send();
  const t1 = performance.now();
  expectContract(r, input);
  const after = await table.snapshot(fx.clinicId, [fx.linkToken]);
  if (process.env.RELIABILITY_DEBUG)
    console.log(
      surface,
      executed[surface],
      r.status,
      Math.round(t1 - t0),
      Math.round(performance.now() - t1),
      'ms',
    );
  const items = after.digests;
  if (!mayWrite(r) && after.hash !== fx.hash) {
    const diff = [
      ...items.filter((i) => !fx.items.includes(i)).map((i) => `+${i}`),
      ...fx.items.filter((i) => !items.includes(i)).map((i) => `-${i}`),
    ];
    throw new Error(
      `request answered ${r.status} (${r.text.slice(0, 200)}) but changed the table (${diff.join('; ')}): ${safeJson(input).slice(0, 500)}`,
    );
  }
  fx.hash = after.hash;
  fx.items = items;
  return r;
}

// ---------------------------------------------------------------------------------------------------

describe('patient routes', () => {
  it('POST /intake/{token}/answers: any body, any content type', async () => {
    let fx = await fixture('p-ans', 'invited');
    await check(
      'answers',
      fc.asyncProperty(answersBody, contentType, async (body, type) => {
        const r = await probe(
          'answers',
          fx,
          () =>
            api.call('POST', `/intake/${fx.linkToken}/answers`, {
              json: body,
              headers: { 'content-type': type },
            }),
          { body, type },
        );
        if (r.status === 200) {
          const outcome = (r.json?.screening as { outcome?: string } | undefined)?.outcome;
          expect(['eligible', 'needs_review', 'ineligible']).toContain(outcome);
          expect('consent' in (r.json ?? {})).toBe(outcome !== 'ineligible');
          // An ineligible screening closes the link for answers: start again on a fresh consent.
          if (outcome === 'ineligible') fx = await fixture('p-ans', 'invited');
        } else expect([400, 413]).toContain(r.status);
      }),
      runs(260),
    );
  });

  it('POST /intake/{token}/signature: any signature, acknowledgement set and agreement', async () => {
    let fx = await fixture('p-sig', 'answered');
    await check(
      'signature',
      fc.asyncProperty(
        fc.constant(null).chain(() => signatureBody(fx.riskIds)),
        contentType,
        async ({ body, mutations }, type) => {
          const r = await probe(
            'signature',
            fx,
            () =>
              api.call('POST', `/intake/${fx.linkToken}/signature`, {
                json: body,
                headers: { 'content-type': type },
              }),
            { body, mutations, type },
          );
          if (r.status === 201) {
            expect(r.json).toMatchObject({ status: 'awaiting_countersign', consentId: fx.consentId });
            const stored = await table.consent(fx.clinicId, fx.consentId);
            expect(stored.pdfs).toHaveLength(1);
            expect(sha256(stored.pdfs[0]?.bytes as Uint8Array)).toBe(r.json?.pdfSha256);
            fx = await fixture('p-sig', 'answered');
          } else expect([400, 413]).toContain(r.status);
        },
      ),
      runs(200),
    );
  });

  it('GET /intake/{token} with any Accept, and a signed link read-only: every write is 409 with nothing changed', async () => {
    const fx = await fixture('p-ro', 'awaiting');
    await check(
      'signed-link',
      fc.asyncProperty(
        fc.constantFrom('answers', 'signature', 'page', 'pdf'),
        fc.oneof(
          answersBody,
          signatureBody(fx.riskIds).map((m) => m.body),
        ),
        fc.oneof(fc.constantFrom('application/json', 'text/html', '*/*', ''), latin1HeaderValue(40)),
        async (route, body, accept) => {
          const send = () => {
            if (route === 'page') return api.call('GET', `/intake/${fx.linkToken}`, { headers: { accept } });
            if (route === 'pdf')
              return api.call('GET', `/intake/${fx.linkToken}/consent.pdf`, { headers: { accept } });
            return api.call('POST', `/intake/${fx.linkToken}/${route}`, { json: body });
          };
          const r = await probe('signed-link', fx, send, { route, body, accept });
          if (route === 'answers' || route === 'signature') expect([400, 409, 413]).toContain(r.status);
          else expect(r.status).toBe(200);
        },
      ),
      runs(120),
    );
  });
});

describe('clinic routes', () => {
  it('POST /clinic/invites: any body', async () => {
    const fx = await fixture('p-inv', 'invited');
    await check(
      'invite',
      fc.asyncProperty(inviteBody, contentType, async ({ body, mutations }, type) => {
        const r = await probe(
          'invite',
          fx,
          () =>
            api.call('POST', '/clinic/invites', {
              token: fx.coordinator,
              json: body,
              headers: { 'content-type': type },
            }),
          { body, mutations, type },
        );
        if (r.status === 201) expect(r.json?.intakeUrl).toMatch(/\/intake\/[A-Za-z0-9_-]{43}$/);
        else expect([400, 413]).toContain(r.status);
      }),
      runs(250),
    );
  });

  it('POST /clinic/consents/{id}/countersign and /decline: any body', async () => {
    let fx = await fixture('p-cs', 'awaiting');
    await check(
      'countersign+decline',
      fc.asyncProperty(
        fc.constantFrom('countersign', 'countersign', 'decline'),
        countersignBody,
        declineBody,
        contentType,
        async (action, cs, dec, type) => {
          const input = action === 'countersign' ? cs : dec;
          const r = await probe(
            'countersign+decline',
            fx,
            () =>
              api.call('POST', `/clinic/consents/${fx.consentId}/${action}`, {
                token: fx.doctor,
                json: input.body,
                headers: { 'content-type': type },
              }),
            { action, ...input, type },
          );
          if (r.status === 200) {
            const stored = await table.consent(fx.clinicId, fx.consentId);
            expect(stored.consent?.status).toBe(action === 'countersign' ? 'countersigned' : 'declined');
            expect(stored.pdfs).toHaveLength(action === 'countersign' ? 2 : 1);
            fx = await fixture('p-cs', 'awaiting');
          } else expect([400, 413, 422]).toContain(r.status);
        },
      ),
      runs(200),
    );
  });

  it('GET /clinic/consents: any query string, crafted cursors included; read-only', async () => {
    const fx = await fixture('p-list', 'awaiting');
    await api.invite(fx.coordinator);
    await api.invite(fx.coordinator);
    await rebase(fx);
    const partition = keys.clinicPk(fx.clinicId);
    const short = nastyString.filter((x) => x.length < 1500);
    const keyValue = fc.oneof(
      fc.constantFrom(
        partition,
        keys.statusPk(fx.clinicId, 'invited'),
        keys.clinicPk('demo'),
        keys.consentSk(fx.consentId),
        fx.consentId,
        '',
      ),
      short,
      anyJson.filter((v) => JSON.stringify(v).length < 1000),
    );
    const cursor = fc.oneof(
      fc
        .record(
          { pk: keyValue, sk: keyValue, gsi1pk: keyValue, gsi1sk: keyValue, extra: anyJson },
          { requiredKeys: [] },
        )
        .map((k) => Buffer.from(JSON.stringify(k)).toString('base64url')),
      fc
        .record({ pk: fc.constant(partition), sk: keyValue }, { requiredKeys: ['pk'] })
        .map((k) => Buffer.from(JSON.stringify(k)).toString('base64url')),
      fc
        .record(
          {
            pk: fc.constant(partition),
            sk: fc.constant(keys.consentSk(fx.consentId)),
            gsi1pk: fc.constant(keys.statusPk(fx.clinicId, 'awaiting_countersign')),
            gsi1sk: keyValue,
          },
          { requiredKeys: ['pk', 'sk', 'gsi1pk'] },
        )
        .map((k) => Buffer.from(JSON.stringify(k)).toString('base64url')),
      short,
    );
    const param = fc.oneof(
      fc.tuple(
        fc.constant('status'),
        fc.oneof(
          fc.constantFrom(
            'invited',
            'answered',
            'awaiting_countersign',
            'countersigned',
            'declined',
            'ineligible',
          ),
          short,
        ),
      ),
      fc.tuple(
        fc.constantFrom('from', 'to'),
        fc.oneof(
          fc.constantFrom(
            '2026-01-01',
            '2026-13-01',
            '2099-12-31',
            '1970-01-01',
            '1969-12-31',
            '2026-02-30',
            '2024-02-29',
            '2000-01-01',
            '2100-12-31',
            '2101-01-01',
          ),
          short,
        ),
      ),
      fc.tuple(fc.constant('q'), short),
      fc.tuple(fc.constant('branchId'), short),
      fc.tuple(fc.constant('cursor'), cursor),
      fc.tuple(
        fc.constant('limit'),
        fc.oneof(fc.constantFrom('0', '1', '100', '101', '-1', '1e2', '2.5', 'NaN', ''), short),
      ),
      fc.tuple(short, short),
    );
    await check(
      'list-query',
      // Under 8 KB of query string: longer URLs are refused by the HTTP layer itself (431 here, 414 at API Gateway).
      fc.asyncProperty(
        fc.array(param, { maxLength: 5 }).filter((ps) => queryString(ps).length < 8000),
        async (params) => {
          const qs = queryString(params);
          const r = await probe(
            'list-query',
            fx,
            () => api.call('GET', `/clinic/consents?${qs}`, { token: fx.doctor }),
            { params, qs },
            () => false,
          );
          expect([200, 400]).toContain(r.status);
          // A `from`/`to` that is not a real day in 2000-01-01…2100-12-31, or `from` after `to`: always 400.
          if (dateRefused(params)) expect(r.status).toBe(400);
          if (r.status === 200) {
            for (const item of (r.json?.items ?? []) as Array<{ consentId: string }>)
              expect(typeof item.consentId).toBe('string');
          }
        },
      ),
      runs(200),
    );
  });
});

/** Whether API.md's date rule refuses the query's `from`/`to` (repeated keys arrive comma-joined). */
function dateRefused(params: Array<[string, string]>): boolean {
  const joined = new Map<string, string>();
  for (const [k, v] of params) joined.set(k, joined.has(k) ? `${joined.get(k)},${v}` : v);
  const realDay = (s: string) => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(s) || s < '2000-01-01' || s > '2100-12-31') return false;
    const d = new Date(`${s}T00:00:00.000Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s);
  };
  const from = joined.get('from');
  const to = joined.get('to');
  if ((from !== undefined && !realDay(from)) || (to !== undefined && !realDay(to))) return true;
  return from !== undefined && to !== undefined && from > to;
}

function queryString(params: Array<[string, string]>): string {
  return params
    .map(([k, v]) => `${encodeSegmentSafe(k).replace(/%20/g, '+')}=${encodeSegmentSafe(v)}`)
    .join('&');
}

function encodeSegmentSafe(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return encodeURIComponent(s.replace(/[\ud800-\udfff]/g, '?'));
  }
}

describe('headers', () => {
  it('Authorization: garbage and forged ID tokens never get past 401/403, and never reach another clinic', async () => {
    let fx = await fixture('p-auth', 'answered');
    const other = await fixture('p-auth-other', 'invited');
    const env = {
      privateJwk: process.env.LOCAL_JWT_PRIVATE_JWK as string,
      issuer: process.env.JWT_ISSUER as string,
      audience: process.env.JWT_AUDIENCE as string,
    };
    const localKey = await importJWK(JSON.parse(env.privateJwk), 'ES256');
    const strangerKey = (await generateKeyPair('ES256')).privateKey;
    const now = () => Math.floor(Date.now() / 1000);

    const short = nastyString.filter((x) => x.length < 300);
    const shortJson = anyJson.filter((x) => JSON.stringify(x).length < 300);
    const claims = fc.record(
      {
        iss: fc.oneof({ weight: 4, arbitrary: fc.constant(env.issuer) }, short),
        aud: fc.oneof(
          { weight: 4, arbitrary: fc.constant(env.audience) },
          fc.constant([env.audience, 'x']),
          short,
        ),
        exp: fc.oneof(
          { weight: 4, arbitrary: fc.constant('future') },
          fc.constantFrom('past', 'missing', 'string'),
        ),
        nbf: fc.constantFrom('none', 'none', 'future'),
        token_use: fc.oneof(
          { weight: 4, arbitrary: fc.constant('id') },
          fc.constantFrom('access', undefined),
          short,
        ),
        clinicId: fc.oneof(
          { weight: 4, arbitrary: fc.constant('own') },
          fc.constantFrom('other', 'demo', 'no-such-clinic', 'UPPER', 'a', '', 'x'.repeat(50)),
          short,
          fc.constant(7),
        ),
        groups: fc.oneof(
          { weight: 4, arbitrary: fc.constantFrom(['doctor'], ['coordinator'], ['doctor', 'coordinator']) },
          fc.constantFrom([], 'doctor', 'coordinator doctor', ['admin'], [1], 'DOCTOR', null),
          fc.array(short, { maxLength: 3 }),
        ),
        sub: fc.oneof(fc.uuid(), short, fc.constant(12)),
        name: fc.oneof(short, shortJson),
        email: fc.oneof(fc.emailAddress(), short),
        licence: fc.oneof(fc.constant('DHA-P-0000001'), short, shortJson),
        signer: fc.oneof(
          { weight: 6, arbitrary: fc.constant('local') },
          fc.constantFrom('stranger', 'none', 'hs256', 'tampered'),
        ),
      },
      { requiredKeys: ['iss', 'aud', 'exp', 'nbf', 'clinicId', 'groups', 'signer'] },
    );
    type Claims = typeof claims extends fc.Arbitrary<infer T> ? T : never;

    async function forge(c: Claims): Promise<string> {
      const payload: Record<string, unknown> = {
        ...(c.token_use !== undefined ? { token_use: c.token_use } : {}),
        'custom:clinicId':
          c.clinicId === 'own' ? fx.clinicId : c.clinicId === 'other' ? other.clinicId : c.clinicId,
        'cognito:groups': c.groups,
        ...(c.name !== undefined ? { name: c.name } : {}),
        ...(c.email !== undefined ? { email: c.email } : {}),
        ...(c.licence !== undefined ? { 'custom:licence': c.licence } : {}),
        ...(c.exp === 'string' ? { exp: 'tomorrow' } : {}),
      };
      const jwt = new SignJWT(payload)
        .setIssuer(String(c.iss))
        .setAudience(c.aud as string | string[])
        .setIssuedAt();
      if (typeof c.sub === 'string') jwt.setSubject(c.sub);
      if (c.exp === 'future') jwt.setExpirationTime(now() + 3600);
      if (c.exp === 'past') jwt.setExpirationTime(now() - 3600);
      if (c.nbf === 'future') jwt.setNotBefore(now() + 3600);
      if (c.signer === 'none' || c.signer === 'hs256') {
        const head = Buffer.from(
          JSON.stringify({ alg: c.signer === 'none' ? 'none' : 'HS256', kid: 'local' }),
        ).toString('base64url');
        const body = Buffer.from(
          JSON.stringify({ ...payload, iss: c.iss, aud: c.aud, exp: now() + 3600, sub: c.sub }),
        ).toString('base64url');
        return `${head}.${body}.${c.signer === 'none' ? '' : 'c2lnbmF0dXJl'}`;
      }
      const token = await jwt
        .setProtectedHeader({ alg: 'ES256', kid: 'local' })
        .sign(c.signer === 'stranger' ? strangerKey : localKey);
      if (c.signer !== 'tampered') return token;
      const [h, p, s] = token.split('.') as [string, string, string];
      const claimsJson = JSON.parse(Buffer.from(p, 'base64url').toString());
      claimsJson['custom:clinicId'] = other.clinicId;
      // Always a real change: when the claims already named the other clinic, the re-encoded payload was
      // identical and the "tampered" token a genuine one (found as a flaky 200).
      claimsJson.tampered = true;
      return `${h}.${Buffer.from(JSON.stringify(claimsJson)).toString('base64url')}.${s}`;
    }

    /** Claims a correct verifier accepts: signed by the local key, right issuer/audience/expiry, an ID token. */
    const authentic = (c: Claims) =>
      c.signer === 'local' &&
      c.iss === env.issuer &&
      (c.aud === env.audience || (Array.isArray(c.aud) && c.aud.includes(env.audience))) &&
      c.exp === 'future' &&
      c.nbf === 'none' &&
      // Absent (or empty) token_use is accepted; Cognito ID tokens carry "id", access tokens "access".
      (!c.token_use || c.token_use === 'id');

    const garbage = fc.oneof(
      latin1HeaderValue(200),
      fc.constantFrom(
        'Bearer',
        'Bearer ',
        'bearer x.y.z',
        'Basic dXNlcjpwYXNz',
        'Bearer a.b',
        'Bearer ..',
        'Bearer x.y.z.w',
        `Bearer ${'A'.repeat(8000)}`,
      ),
      latin1HeaderValue(100).map((s) => `Bearer ${s}`),
    );
    const header = fc.oneof(
      {
        weight: 3,
        arbitrary: claims.map((c) => ({
          claims: c as Claims | undefined,
          raw: undefined as string | undefined,
        })),
      },
      {
        weight: 1,
        arbitrary: garbage.map((raw) => ({
          claims: undefined as Claims | undefined,
          raw: raw as string | undefined,
        })),
      },
    );
    const action = fc.constantFrom('list', 'detail', 'pdf', 'invite', 'countersign', 'decline');

    await check(
      'authorization',
      fc.asyncProperty(header, action, latin1HeaderValue(120), async (h, what, correlation) => {
        const authorization = h.claims ? `Bearer ${await forge(h.claims)}` : (h.raw as string);
        const headers = { authorization, 'x-correlation-id': correlation };
        const id = fx.consentId;
        const send = () => {
          switch (what) {
            case 'list':
              return api.call('GET', '/clinic/consents', { headers });
            case 'detail':
              return api.call('GET', `/clinic/consents/${id}`, { headers });
            case 'pdf':
              return api.call('GET', `/clinic/consents/${id}/pdf`, { headers });
            case 'invite':
              return api.call('POST', '/clinic/invites', {
                headers,
                json: {
                  patient: { fullName: 'Layla Haddad', email: 'layla@example.test', locale: 'en' },
                  treatmentId: 'mesotherapy',
                },
              });
            case 'countersign':
              return api.call('POST', `/clinic/consents/${id}/countersign`, {
                headers,
                json: { signature: { kind: 'typed', name: 'Dr. X' }, findingNotes: { bloodThinners: 'ok' } },
              });
            default:
              return api.call('POST', `/clinic/consents/${id}/decline`, {
                headers,
                json: { reason: 'forged?' },
              });
          }
        };
        const r = await probe('authorization', fx, send, { ...h, what });
        const c = h.claims;
        if (!c || !authentic(c)) {
          expect(r.status, safeJson({ h, what, body: r.text })).toBe(401);
          return;
        }
        // Authentic token: the clinic and the groups decide.
        const own = c.clinicId === 'own';
        const groups = Array.isArray(c.groups)
          ? c.groups
          : typeof c.groups === 'string'
            ? c.groups.split(/[ ,]/)
            : [];
        const roles = groups.filter((g) => g === 'doctor' || g === 'coordinator');
        const validClinic =
          typeof c.clinicId === 'string' &&
          (own || /^[a-z0-9][a-z0-9-]{1,40}$/.test(c.clinicId === 'other' ? other.clinicId : c.clinicId));
        if (!validClinic || roles.length === 0) {
          expect(r.status, safeJson({ c, what, body: r.text })).toBe(403);
          return;
        }
        if (!own && ['detail', 'pdf', 'countersign', 'decline'].includes(what)) {
          // Another clinic's record: never readable or writable (404 like a missing one, or 403 for the role).
          expect([403, 404]).toContain(r.status);
          return;
        }
        if (r.status < 300 && (what === 'countersign' || what === 'decline')) {
          expect(roles).toContain('doctor');
          fx = await fixture('p-auth', 'answered');
        }
        if (r.status === 201 && what === 'invite')
          expect(own || c.clinicId === 'other' || c.clinicId === 'demo').toBe(true);
      }),
      runs(300),
    );
  });
});

describe('paths', () => {
  it('any token or consent id in any route: a clean 4xx, nothing written', async () => {
    const fx = await fixture('p-path', 'answered');
    const routes = [
      ['GET', (s: string) => `/intake/${s}`, undefined],
      ['GET', (s: string) => `/intake/${s}`, 'html'],
      ['POST', (s: string) => `/intake/${s}/answers`, { answers: { pregnant: false } }],
      [
        'POST',
        (s: string) => `/intake/${s}/signature`,
        {
          signature: { kind: 'typed', name: 'X' },
          acknowledgedRiskIds: [],
          agreeToTreatment: true,
          agreeToElectronicRecords: true,
        },
      ],
      ['GET', (s: string) => `/intake/${s}/consent.pdf`, undefined],
      ['GET', (s: string) => `/clinic/consents/${s}`, 'staff'],
      ['GET', (s: string) => `/clinic/consents/${s}/pdf`, 'staff'],
      ['POST', (s: string) => `/clinic/consents/${s}/countersign`, 'staff'],
      ['POST', (s: string) => `/clinic/consents/${s}/decline`, 'staff'],
      ['GET', (s: string) => `/assets/${s}`, undefined],
      ['GET', (s: string) => `/intake/${s}/`, undefined],
      ['POST', (s: string) => `/intake/${fx.linkToken}/${s}`, {}],
    ] as const;
    await check(
      'paths',
      fc.asyncProperty(
        fc.nat({ max: routes.length - 1 }),
        fc.array(pathSegment, { minLength: 1, maxLength: 2 }),
        async (i, parts) => {
          const [method, path, extra] = routes[i] as (typeof routes)[number];
          const segment = parts.join('');
          const staff = extra === 'staff';
          const r = await probe(
            'paths',
            fx,
            () =>
              api.call(method, path(segment), {
                ...(staff ? { token: fx.doctor } : {}),
                ...(extra === 'html' ? { headers: { accept: 'text/html' } } : {}),
                ...(method === 'POST'
                  ? {
                      json: staff
                        ? {
                            signature: { kind: 'typed', name: 'Dr' },
                            findingNotes: { bloodThinners: 'ok' },
                            reason: 'x',
                          }
                        : extra,
                    }
                  : {}),
              }),
            { method, path: path(segment).slice(0, 300) },
          );
          // Nothing but the fixture's own link and id is valid; random names may match a real asset file, and
          // dot segments ("/intake/..") normalise to "/", which redirects to the dashboard.
          const asset = path(segment).startsWith('/assets/') && r.status === 200;
          const home = r.status === 302 && r.headers.get('location') === '/clinic';
          if (!asset && !home) expect(r.status).toBeGreaterThanOrEqual(400);
        },
      ),
      runs(400),
    );
  });
});

describe('POST /verify', () => {
  it('any bytes, any content type: valid only for exactly an issued PDF, always for one sent as bytes; nothing written', async () => {
    const fx = await fixture('p-verify', 'countersigned');
    const stored = await table.consent(fx.clinicId, fx.consentId);
    const issued = stored.pdfs.map((p) => Buffer.from(p.bytes));
    const issuedShas = new Set(issued.map((b) => sha256(b)));
    const pdf = fc.constantFrom(...issued);
    const body = fc.oneof(
      fc.uint8Array({ maxLength: 2000 }).map((b) => Buffer.from(b)),
      fc.uint8Array({ maxLength: 500 }).map((b) => Buffer.concat([Buffer.from('%PDF-1.7\n'), b])),
      fc.tuple(pdf, fc.nat(), fc.integer({ min: 1, max: 255 })).map(([b, i, x]) => {
        const c = Buffer.from(b);
        const at = i % c.length;
        c[at] = (c[at] as number) ^ x;
        return c;
      }),
      fc.tuple(pdf, fc.nat()).map(([b, n]) => b.subarray(0, n % b.length)),
      fc
        .tuple(pdf, fc.uint8Array({ minLength: 1, maxLength: 20 }))
        .map(([b, extra]) => Buffer.concat([b, extra])),
      pdf,
    );
    const type = fc.oneof(
      { weight: 4, arbitrary: fc.constant('application/pdf') },
      fc.constantFrom(
        'application/octet-stream',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'text/plain',
        'text/plain; charset=utf-8',
        'application/json',
        'application/xml',
        '',
      ),
      latin1HeaderValue(30),
    );
    await check(
      'verify',
      fc.asyncProperty(body, type, async (bytes, ct) => {
        const before = (await table.query(keys.clinicPk(fx.clinicId), keys.eventPrefix(fx.consentId))).length;
        const r = await probe(
          'verify',
          fx,
          () => api.call('POST', '/verify', { body: bytes, headers: { 'content-type': ct } }),
          { size: bytes.length, sha: sha256(bytes), ct },
          // Public checks are never written into a consent's record (API.md version 2).
          () => false,
        );
        expect([200, 400, 415]).toContain(r.status);
        const sentIssued = issuedShas.has(sha256(bytes));
        // Sent as bytes (any content type API Gateway does not decode as text), an issued PDF is valid;
        // only a text-typed body whose bytes are not plain ASCII may be refused as such (415).
        if (sentIssued && !isTextContentType(ct)) expect(r.status === 200 && r.json?.valid).toBe(true);
        if (r.status === 415) expect(isTextContentType(ct)).toBe(true);
        if (r.status !== 200) return;
        if (r.json?.valid === true) expect(sentIssued).toBe(true);
        const seal = r.json?.seal as { intact: boolean; trusted: boolean } | undefined;
        if (seal?.trusted) expect(seal.intact).toBe(true);
        const after = (await table.query(keys.clinicPk(fx.clinicId), keys.eventPrefix(fx.consentId))).length;
        expect(after - before).toBe(0);
      }),
      runs(180),
    );
  });
});

/**
 * Every route of the route table (infra/routes.ts), so a route added there is fuzzed here without anyone
 * listing it: any path parameters (the fixture's real ones among them), any body and content type, with and
 * without a staff token. The answer keeps the contract and a rejected request changes nothing. The surfaces
 * above go deeper on each body; this one guarantees that none is left out.
 */
describe('every route of the route table', () => {
  it('any path parameters, body, content type and sign-in on each route: the contract holds, a refusal writes nothing', async () => {
    const fx = await fixture('p-routes', 'answered');
    const served = routes.filter((r) => r.id !== 'local-login');
    const realParam: Record<string, string[]> = {
      token: [fx.linkToken],
      consentId: [fx.consentId],
      file: ['ui.json', 'app.css', 'clinic.js'],
    };
    const param = (name: string) =>
      fc.oneof(
        fc.constantFrom(...(realParam[name] ?? ['x'])),
        pathSegment.filter((s) => s.length > 0),
      );
    const request = fc.constantFrom(...served).chain((route: RouteDef) =>
      fc.record({
        route: fc.constant(route),
        params: fc.tuple(...pathParams(route.path).map(param)),
        body: fc.oneof(
          anyJson.map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
          fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
          fc.constant(Buffer.alloc(0)),
        ),
        type: contentType,
        auth: fc.constantFrom('none', 'doctor', 'coordinator', 'garbage'),
      }),
    );
    const reached = new Set<string>();
    const send = async (req: {
      route: RouteDef;
      params: string[];
      body: Buffer;
      type: string;
      auth: 'none' | 'doctor' | 'coordinator' | 'garbage';
    }) => {
      const { route, params, body, type, auth } = req;
      reached.add(route.id);
      const path = pathParams(route.path).reduce(
        (p, name, i) => p.replace(`{${name}}`, encodeSegmentSafe(params[i] ?? '')),
        route.path,
      );
      const token = { none: undefined, doctor: fx.doctor, coordinator: fx.coordinator, garbage: 'x.y.z' }[
        auth
      ];
      const r = await probe(
        'route-table',
        fx,
        () =>
          api.call(route.method, path, {
            ...(token ? { token } : {}),
            ...(route.method === 'POST' ? { body, headers: { 'content-type': type } } : {}),
          }),
        { route: route.id, path: path.slice(0, 300), size: body.length, type, auth },
      );
      // Without a valid sign-in a staff route answers 401 (413 first for a body over the route's limit),
      // when the path still names that route ("/clinic/consents/.." is "/clinic", another route).
      const stillThisRoute = matchPath(route.path, new URL(path, 'http://x').pathname) !== null;
      if (route.auth === 'staff' && stillThisRoute && (auth === 'none' || auth === 'garbage'))
        expect([401, 413]).toContain(r.status);
    };
    // First every route once, with its fixture's real parameters and an empty body: none is left to chance.
    for (const route of served) {
      const params = pathParams(route.path).map((name) => realParam[name]?.[0] ?? 'x');
      await send({ route, params, body: Buffer.alloc(0), type: 'application/json', auth: 'doctor' });
    }
    expect([...reached].sort()).toEqual(served.map((r) => r.id).sort());
    await check('route-table', fc.asyncProperty(request, send), runs(400));
  });
});

/** The `{name}` parameters of a route path, in order. */
function pathParams(path: string): string[] {
  return [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] as string);
}
