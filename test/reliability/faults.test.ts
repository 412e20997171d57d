import type { FinalizeHandlerArguments, HandlerExecutionContext, MiddlewareStack } from '@smithy/types';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dynamoDocumentClient } from '../../functions/adapters/clients';
import type { ConsentRecord } from '../../functions/domain/model';
import { systemClock } from '../../functions/workflow/ports';
import type { TestStack } from '../support/stack';
import {
  type Api,
  expectContract,
  finalEmailsByConsent,
  REVIEW_ANSWERS,
  type Reply,
  sha256,
  sleep,
  startSuite,
  stopSuite,
  type Table,
  waitFor,
} from './harness';

/**
 * Faults on the real local stack. SES down: records are kept and e-mails wait in the outbox until SES
 * is back, then go exactly once. DynamoDB throttling or an internal error, injected into the SDK client
 * the handlers use: a clean 503 in the API.md shape and nothing half-written. A crash between the PDF
 * render and the write, or after the write but before the reply: the record stays consistent, and the
 * request can simply be sent again.
 */
let stack: TestStack;
let api: Api;
let table: Table;

beforeAll(async () => ({ stack, api, table } = await startSuite()));

afterAll(() => stopSuite({ stack, api, table }));

// ---------------------------------------------------------------------------------------------------
// Fault injection at the SDK client: a middleware on the document client the handlers share.

interface Fault {
  /** Command names (SDK, e.g. TransactWriteItemsCommand) to hit; empty = every command. */
  commands: string[];
  /** `before`: the request never reaches DynamoDB. `after`: DynamoDB commits, the reply is lost. */
  when: 'before' | 'after';
  /** Error to throw: its name decides how the SDK and the store classify it. */
  error: () => Error;
  /** How many times to fire (then pass through). */
  times: number;
  /** Only when the transaction touches this consent (TransactWrite), if set. */
  consentId?: string;
  /** Only state changes (transactions that put a consent record), not the mailer's bookkeeping. */
  stateChangesOnly?: boolean;
  /** Filled in: the TransactItems keys of each hit, and how many attempts were hit. */
  hits: Array<Array<{ pk: string; sk: string }>>;
}

const FAULT_MIDDLEWARE = 'reliability-fault';
let active: Fault | undefined;

function awsError(name: string, httpStatusCode: number): Error {
  return Object.assign(new Error(`injected ${name}`), {
    name,
    $fault: 'server',
    $metadata: { httpStatusCode, attempts: 1 },
  });
}

function keysOf(input: unknown): Array<{ pk: string; sk: string }> {
  const items =
    (
      input as {
        TransactItems?: Array<
          Record<string, { Item?: Record<string, unknown>; Key?: Record<string, unknown> }>
        >;
      }
    ).TransactItems ?? [];
  return items.map((op) => {
    const inner = Object.values(op)[0];
    const key = (inner?.Item ?? inner?.Key ?? {}) as Record<string, { S?: string } | string>;
    const str = (v: { S?: string } | string | undefined) => (typeof v === 'string' ? v : (v?.S ?? ''));
    return { pk: str(key.pk), sk: str(key.sk) };
  });
}

function installFaultMiddleware(): void {
  const stackOfClient = dynamoDocumentClient().middlewareStack as unknown as MiddlewareStack<object, object>;
  stackOfClient.remove(FAULT_MIDDLEWARE);
  stackOfClient.add(
    (next, context: HandlerExecutionContext) => async (args: FinalizeHandlerArguments<object>) => {
      const f = active;
      if (
        !f ||
        f.hits.length >= f.times ||
        (f.commands.length > 0 && !f.commands.includes(String(context.commandName)))
      )
        return next(args);
      const raw = (args.request as { body?: unknown }).body;
      const body =
        raw instanceof Uint8Array ? new TextDecoder().decode(raw) : typeof raw === 'string' ? raw : '';
      const input = body.startsWith('{') ? JSON.parse(body) : {};
      const applies =
        (!f.consentId || body.includes(f.consentId)) &&
        (!f.stateChangesOnly || keysOf(input).some((k) => k.sk.startsWith('CONSENT#')));
      if (!applies) return next(args);
      f.hits.push(keysOf(input));
      if (f.when === 'before') throw f.error();
      await next(args);
      throw f.error();
    },
    // Per attempt, inside the SDK's retry loop, after signing: as close to the wire as a middleware gets.
    { step: 'deserialize', name: FAULT_MIDDLEWARE, priority: 'low' },
  );
}

function inject(f: Omit<Fault, 'hits'>): Fault {
  installFaultMiddleware();
  active = { ...f, hits: [] };
  return active;
}

afterEach(() => {
  active = undefined;
});

/** Every item the given TransactItems keys name: none may exist after a failed (rolled back) transaction. */
async function existing(keys: Array<{ pk: string; sk: string }>) {
  const found: string[] = [];
  for (const k of keys) if (await table.get(k.pk, k.sk)) found.push(`${k.pk} ${k.sk}`);
  return found;
}

async function clinic(prefix: string) {
  const clinicId = `${prefix}-${Date.now().toString(36)}`;
  return {
    clinicId,
    coordinator: await api.login('coordinator', clinicId),
    doctor: await api.login('doctor', clinicId),
  };
}

function expect503(r: Reply, context: string) {
  expectContract(r, context, [503]);
  expect(r.status, `${context}: ${r.text}`).toBe(503);
  expect(r.json).toEqual({ error: 'service_unavailable', message: expect.any(String) });
  expect(r.headers.get('retry-after')).toBeTruthy();
}

// ---------------------------------------------------------------------------------------------------

describe('SES unreachable', () => {
  it('countersigned while SES is down: every record stored, mails pending with the error, then delivered once', async () => {
    const c = await clinic('f-ses');
    const consents: Array<Awaited<ReturnType<Api['signed']>>> = [];
    for (let i = 0; i < 4; i++)
      consents.push(await api.signed(c.coordinator, {}, { fullName: `Mail Wait ${i}` }));
    await table.quiesce(c.clinicId);

    await stack.stopSes();
    try {
      const replies = await Promise.all(consents.map((x) => api.countersign(c.doctor, x.consentId)));
      for (const r of replies) expect(r.status).toBe(200);
      // The mailer tried, failed, and recorded why; nothing is lost, nothing is marked sent.
      await waitFor(
        async () => {
          const all = await Promise.all(consents.map((x) => table.consent(c.clinicId, x.consentId)));
          return all.every((s) =>
            s.mails
              .filter((m) => String(m.kind).startsWith('final'))
              .every((m) => Number(m.attempts) >= 1 && m.lastError),
          );
        },
        30_000,
        'failed attempts recorded',
      );
      for (const x of consents) {
        const s = await table.consent(c.clinicId, x.consentId);
        expect((s.consent as unknown as ConsentRecord).status).toBe('countersigned');
        expect(s.pdfs).toHaveLength(2);
        const finals = s.mails.filter((m) => String(m.kind).startsWith('final'));
        expect(finals).toHaveLength(2);
        for (const m of finals) {
          expect(m.status).toBe('pending');
          expect(typeof m.lastError).toBe('string');
          expect(String(m.nextAttemptAt) > new Date().toISOString()).toBe(true); // backed off, not hammering
        }
        expect(s.events.some((e) => e.type === 'email_failed')).toBe(true);
      }
    } finally {
      await stack.startSes();
    }

    // SES is back. The retries are due after the back-off: move the clock past it and sweep.
    const realNow = systemClock.now;
    systemClock.now = () => new Date(Date.now() + 16 * 60_000);
    try {
      await waitFor(
        async () => {
          await stack.sweepNow();
          const finals = await finalEmailsByConsent(stack.sesUrl);
          return consents.every((x) => (finals.get(x.consentId)?.length ?? 0) >= 2);
        },
        30_000,
        'all final e-mails after SES is back',
        300,
      );
    } finally {
      systemClock.now = realNow;
    }
    await table.quiesce(c.clinicId);
    await stack.sweepNow();
    await sleep(1500);
    const finals = await finalEmailsByConsent(stack.sesUrl);
    for (const x of consents) {
      expect(finals.get(x.consentId)).toHaveLength(2); // all delivered, none twice
      const s = await table.consent(c.clinicId, x.consentId);
      for (const m of s.mails) expect(m.status).toBe('sent');
      expect(s.events.filter((e) => e.type === 'emailed')).toHaveLength(3);
    }
  });
});

describe('DynamoDB throttling and internal errors', () => {
  it('throttled transactions: 503 in the API.md shape, the SDK retried, nothing written; the same request then succeeds', async () => {
    const c = await clinic('f-throttle');
    const inv = await api.invite(c.coordinator);
    await table.quiesce(c.clinicId);
    const throttle = () => awsError('ProvisionedThroughputExceededException', 400);

    let riskIds: string[] = [];
    const steps: Array<{ name: string; send: () => Promise<Reply>; ok: number }> = [
      {
        name: 'invite',
        send: () =>
          api.call('POST', '/clinic/invites', {
            token: c.coordinator,
            json: {
              patient: { fullName: 'T', email: 't@example.test', locale: 'en' },
              treatmentId: 'mesotherapy',
            },
          }),
        ok: 201,
      },
      { name: 'answers', send: () => api.answer(inv.linkToken, REVIEW_ANSWERS), ok: 200 },
      { name: 'signature', send: () => api.sign(inv.linkToken, riskIds), ok: 201 },
      {
        name: 'countersign',
        send: () => api.countersign(c.doctor, inv.consentId, { bloodThinners: 'Agreed pause.' }),
        ok: 200,
      },
    ];
    for (const step of steps) {
      await table.quiesce(c.clinicId);
      const before = await table.snapshot(c.clinicId, [inv.linkToken]);
      const fault = inject({
        commands: ['TransactWriteItemsCommand'],
        when: 'before',
        error: throttle,
        times: 1_000,
        stateChangesOnly: true,
      });
      const r = await step.send();
      active = undefined;
      expect503(r, step.name);
      expect(fault.hits.length, `${step.name}: the SDK retries throttling before giving up`).toBe(3);
      expect((await table.snapshot(c.clinicId, [inv.linkToken])).hash, `${step.name} wrote something`).toBe(
        before.hash,
      );
      expect(
        await existing(
          (fault.hits[0] ?? []).filter((k) => !k.sk.startsWith('CONSENT#') || step.name === 'invite'),
        ),
      ).toEqual([]);
      const again = await step.send();
      expectContract(again, step.name);
      expect(again.status, `${step.name} retry: ${again.text}`).toBe(step.ok);
      if (step.name === 'answers')
        riskIds = ((again.json?.consent as { risks?: Array<{ id: string }> } | undefined)?.risks ?? []).map(
          (x) => x.id,
        );
    }
    const s = await table.consent(c.clinicId, inv.consentId);
    expect(s.consent?.status).toBe('countersigned');
    expect(s.pdfs.map((p) => p.ref.kind)).toEqual(['patient_signed', 'countersigned']);
    expect(s.events.filter((e) => e.type === 'signed')).toHaveLength(1);
    expect(s.events.filter((e) => e.type === 'countersigned')).toHaveLength(1);
  });

  it('an internal error on every DynamoDB call: every route answers 503 (or refuses before touching the table), never 500', async () => {
    const c = await clinic('f-ise');
    const ready = await api.signed(c.coordinator);
    await table.quiesce(c.clinicId);
    const before = await table.snapshot(c.clinicId, [ready.linkToken]);
    const pdf = (await table.consent(c.clinicId, ready.consentId)).pdfs[0]?.bytes as Uint8Array;
    const fault = inject({
      commands: [],
      when: 'before',
      error: () => awsError('InternalServerError', 500),
      times: 100_000,
    });
    const requests: Array<[string, () => Promise<Reply>]> = [
      ['page', () => api.call('GET', `/intake/${ready.linkToken}`)],
      ['answers', () => api.answer(ready.linkToken)],
      ['signature', () => api.sign(ready.linkToken, ready.riskIds)],
      ['patient pdf', () => api.call('GET', `/intake/${ready.linkToken}/consent.pdf`)],
      [
        'invite',
        () =>
          api.call('POST', '/clinic/invites', {
            token: c.coordinator,
            json: {
              patient: { fullName: 'T', email: 't@example.test', locale: 'en' },
              treatmentId: 'mesotherapy',
            },
          }),
      ],
      ['list', () => api.call('GET', '/clinic/consents', { token: c.doctor })],
      ['detail', () => api.call('GET', `/clinic/consents/${ready.consentId}`, { token: c.doctor })],
      ['staff pdf', () => api.call('GET', `/clinic/consents/${ready.consentId}/pdf`, { token: c.doctor })],
      ['countersign', () => api.countersign(c.doctor, ready.consentId)],
      [
        'decline',
        () =>
          api.call('POST', `/clinic/consents/${ready.consentId}/decline`, {
            token: c.doctor,
            json: { reason: 'x' },
          }),
      ],
      [
        'verify',
        () => api.call('POST', '/verify', { body: pdf, headers: { 'content-type': 'application/pdf' } }),
      ],
    ];
    const results = await Promise.all(requests.map(async ([name, send]) => [name, await send()] as const));
    active = undefined;
    for (const [name, r] of results) expect503(r, name);
    expect(fault.hits.length).toBeGreaterThan(0);
    expect((await table.snapshot(c.clinicId, [ready.linkToken])).hash).toBe(before.hash);
  });
});

describe('a crash around the write', () => {
  it('crash between the PDF render and the transaction: no PDF item, no event, consent unchanged; the retry succeeds', async () => {
    const c = await clinic('f-crash');
    const ans = await api.answered(c.coordinator);
    const before = await table.snapshot(c.clinicId, [ans.linkToken]);
    const consentBefore = (await table.consent(c.clinicId, ans.consentId)).consent;
    // Not an AWS error: the function dies mid-request (Lambda answers 500; API Gateway passes it on).
    const fault = inject({
      commands: ['TransactWriteItemsCommand'],
      when: 'before',
      error: () => Object.assign(new Error('process crashed'), { name: 'Crash' }),
      times: 1,
      consentId: ans.consentId,
    });
    const crashed = await api.sign(ans.linkToken, ans.riskIds);
    expectContract(crashed, 'crash', [500]);
    expect(crashed.json).toEqual({ error: 'internal_error', message: expect.any(String) });
    expect(fault.hits).toHaveLength(1);
    const planned = fault.hits[0] ?? [];
    // The transaction would have written the consent, its event, the PDF, the /verify lookup and the notice.
    expect(planned.map((k) => k.sk.split('#')[0] ?? k.sk).sort()).toEqual(
      ['CONSENT', 'EVENT', 'MAIL', 'PDF', 'PDFHASH'].sort(),
    );
    expect(await existing(planned.filter((k) => !k.sk.startsWith('CONSENT#')))).toEqual([]);
    expect((await table.consent(c.clinicId, ans.consentId)).consent).toEqual(consentBefore);
    expect((await table.snapshot(c.clinicId, [ans.linkToken])).hash).toBe(before.hash);

    const retry = await api.sign(ans.linkToken, ans.riskIds);
    expect(retry.status).toBe(201);
    const s = await table.consent(c.clinicId, ans.consentId);
    expect(s.consent?.status).toBe('awaiting_countersign');
    expect(s.pdfs).toHaveLength(1);
    expect(sha256(s.pdfs[0]?.bytes as Uint8Array)).toBe(retry.json?.pdfSha256);
    expect(s.events.filter((e) => e.type === 'signed')).toHaveLength(1);
    expect(await table.pdfHashes(ans.consentId)).toHaveLength(1);
  });

  it('countersign crash before the write: nothing of the final version exists; the retry issues it once', async () => {
    const c = await clinic('f-crash-cs');
    const ans = await api.signed(c.coordinator, REVIEW_ANSWERS);
    await table.quiesce(c.clinicId);
    const before = await table.snapshot(c.clinicId, [ans.linkToken]);
    const fault = inject({
      commands: ['TransactWriteItemsCommand'],
      when: 'before',
      error: () => Object.assign(new Error('process crashed'), { name: 'Crash' }),
      times: 1,
      consentId: ans.consentId,
    });
    const notes = { bloodThinners: 'Agreed pause.' };
    const crashed = await api.countersign(c.doctor, ans.consentId, notes);
    expectContract(crashed, 'crash', [500]);
    expect(crashed.status).toBe(500);
    expect(await existing((fault.hits[0] ?? []).filter((k) => !k.sk.startsWith('CONSENT#')))).toEqual([]);
    expect((await table.snapshot(c.clinicId, [ans.linkToken])).hash).toBe(before.hash);
    const retry = await api.countersign(c.doctor, ans.consentId, notes);
    expect(retry.status).toBe(200);
    const s = await table.consent(c.clinicId, ans.consentId);
    expect(s.pdfs.map((p) => p.ref.kind)).toEqual(['patient_signed', 'countersigned']);
    expect(s.mails.filter((m) => String(m.kind).startsWith('final'))).toHaveLength(2);
    await waitFor(
      async () => ((await finalEmailsByConsent(stack.sesUrl)).get(ans.consentId)?.length ?? 0) >= 2,
      30_000,
      'final e-mails',
    );
    await sleep(1500);
    expect((await finalEmailsByConsent(stack.sesUrl)).get(ans.consentId)).toHaveLength(2);
  });

  it('reply lost after the transaction committed: the SDK retry is idempotent (same ClientRequestToken), one signature, one PDF', async () => {
    const c = await clinic('f-lost');
    const ans = await api.answered(c.coordinator);
    const fault = inject({
      commands: ['TransactWriteItemsCommand'],
      when: 'after',
      error: () => awsError('InternalServerError', 500),
      times: 1,
      consentId: ans.consentId,
    });
    const r = await api.sign(ans.linkToken, ans.riskIds);
    expectContract(r, 'lost reply');
    expect(fault.hits).toHaveLength(1);
    expect(r.status, r.text).toBe(201);
    const s = await table.consent(c.clinicId, ans.consentId);
    expect(s.consent?.status).toBe('awaiting_countersign');
    expect(s.pdfs).toHaveLength(1);
    expect(sha256(s.pdfs[0]?.bytes as Uint8Array)).toBe(r.json?.pdfSha256);
    expect(s.events.filter((e) => e.type === 'signed')).toHaveLength(1);
  });
});
