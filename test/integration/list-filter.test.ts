import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoConsentStore } from '../../functions/adapters/dynamo-store';
import { createInvite } from '../../functions/workflow/invites';
import { call, login } from './client';

/**
 * GET /clinic/consents `from`/`to` over HTTP: real calendar days in 2000-01-01…2100-12-31 on the clinic's
 * calendar (its branch's time zone, Asia/Dubai here), anything else a 400 in the API.md shape.
 */
const clinicId = `tz-${Date.now().toString(36)}`;
let coordinator: string;
let inviteId: string;
const db = DynamoDBDocumentClient.from(
  new DynamoDBClient({
    endpoint: inject('dynamoEndpoint'),
    region: 'me-central-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  }),
  { marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false } },
);

beforeAll(async () => {
  // A clinic of its own (created by the local login, one branch in Dubai), so no other test's consents show.
  coordinator = await login('coordinator', clinicId);
  // The stack's clock is the real one: this consent is written through the same use case and adapter, at
  // 01:48 Dubai time on 2 December 2026 — still 1 December in UTC.
  const store = new DynamoConsentStore(db, inject('tableName'));
  const created = await createInvite(
    {
      store,
      clock: { now: () => new Date('2026-12-01T21:48:00.000Z') },
      appUrl: 'http://127.0.0.1',
      linkTtlMs: 7 * 86_400_000,
    },
    {
      sub: 'tz-coordinator',
      email: `coordinator@${clinicId}-clinic.example.test`,
      name: 'Coordinator',
      clinicId,
      groups: ['coordinator'],
    },
    {
      patient: { fullName: 'Time Zone Patient', email: 'tz.patient@example.test', locale: 'en' },
      treatmentId: 'mesotherapy',
      sendEmail: false,
    },
    { ip: '127.0.0.1', userAgent: 'vitest' },
  );
  inviteId = created.inviteId;
});
afterAll(() => db.destroy());

const list = (query: string) =>
  call<{ items: Array<{ consentId: string }>; nextCursor: string | null }>(
    'GET',
    `/clinic/consents?${query}`,
    { token: coordinator },
  );

describe('GET /clinic/consents by day', () => {
  it("finds a consent by the clinic's calendar day, not UTC's (01:48 in Dubai on 2 December)", async () => {
    const on2nd = await list('from=2026-12-02&to=2026-12-02');
    expect(on2nd.status).toBe(200);
    expect(on2nd.body.items.map((i) => i.consentId)).toEqual([inviteId]);
    const on1st = await list('from=2026-12-01&to=2026-12-01');
    expect(on1st.status).toBe(200);
    expect(on1st.body.items).toEqual([]);
    expect((await list('to=2026-12-01')).body.items).toEqual([]);
    expect((await list('from=2026-12-02')).body.items.map((i) => i.consentId)).toContain(inviteId);
  });

  it.each([
    'from=1969-12-31',
    'to=1969-12-31',
    'from=2023-02-30',
    'to=2023-02-30',
    'from=1999-12-31',
    'to=2101-01-01',
    'from=2026-12-03&to=2026-12-02',
    'from=2026-12-2',
  ])('%s → 400 validation_failed', async (query) => {
    const r = await list(query);
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ error: 'validation_failed', issues: expect.any(Array) });
  });

  it('the documented range is accepted at both ends', async () => {
    expect((await list('from=2000-01-01&to=2100-12-31')).status).toBe(200);
  });
});
