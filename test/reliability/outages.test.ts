import { createServer as createHttpServer, request as httpRequest, type Server } from 'node:http';
import {
  createConnection,
  createServer as createNetServer,
  type Server as NetServer,
  type Socket,
} from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetClients } from '../../functions/adapters/clients';
import { resetRuntime } from '../../functions/adapters/runtime';
import { resetConfig } from '../../functions/config';
import { mailTiming } from '../../functions/workflow/mail-timing';
import { systemClock } from '../../functions/workflow/ports';
import { freePort, type TestStack } from '../support/stack';
import {
  type Api,
  expectContract,
  finalEmailsByConsent,
  type Reply,
  sleep,
  startSuite,
  stopSuite,
  type Table,
  waitFor,
} from './harness';

/**
 * Real outages on the real local stack, between the handlers and their dependencies:
 * - DynamoDB stops (a TCP proxy in front of DynamoDB Local stops listening and cuts every connection):
 *   every route answers 503 `service_unavailable` with Retry-After — the patient's HTML page too —
 *   nothing is half-written, and everything works again once it is back.
 * - SES answers only after the mail lease (an HTTP stand-in in front of aws-ses-v2-local holds each
 *   request longer than the lease, and drops it if our client gave up meanwhile): each e-mail is
 *   delivered exactly once. A short lease (MAIL_LEASE_SECONDS=10) keeps the test quick.
 */
const LEASE_SECONDS = 10;
process.env.MAIL_LEASE_SECONDS = String(LEASE_SECONDS);

let stack: TestStack;
let api: Api;
let table: Table;
let dynamo: TcpProxy;
let ses: SlowSes;

/** A TCP proxy that can stop (refuse and cut connections) and start again on the same port. */
class TcpProxy {
  private server: NetServer | undefined;
  private readonly sockets = new Set<Socket>();

  constructor(
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const server = createNetServer((client) => {
      const upstream = createConnection(this.target);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((ok) => server.listen(this.port, '127.0.0.1', () => ok()));
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    if (server) await new Promise<void>((ok) => server.close(() => ok()));
  }
}

/** An SES stand-in: forwards to aws-ses-v2-local, or while `holdMs` is set, answers only after it. */
class SlowSes {
  holdMs = 0;
  /** Requests that arrived, and those forwarded (delivered) after being held. */
  received = 0;
  droppedAfterClientLeft = 0;
  private server: Server | undefined;

  constructor(
    readonly port: number,
    private readonly target: URL,
  ) {}

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.server = createHttpServer((req, res) => {
      this.received++;
      const chunks: Buffer[] = [];
      let clientLeft = false;
      res.on('close', () => {
        if (!res.writableEnded) clientLeft = true;
      });
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const hold = this.holdMs;
        if (hold) await sleep(hold);
        // The request never completed: like a slow network before SES, it delivers nothing.
        if (clientLeft) {
          this.droppedAfterClientLeft++;
          return;
        }
        const up = httpRequest(
          {
            host: this.target.hostname,
            port: Number(this.target.port),
            method: req.method,
            path: req.url,
            headers: req.headers,
          },
          (upRes) => {
            res.writeHead(upRes.statusCode ?? 502, upRes.headers);
            upRes.pipe(res);
          },
        );
        up.on('error', () => res.destroy());
        up.end(Buffer.concat(chunks));
      });
    });
    await new Promise<void>((ok) => this.server?.listen(this.port, '127.0.0.1', () => ok()));
  }

  async stop(): Promise<void> {
    const s = this.server;
    s?.closeAllConnections?.();
    if (s) await new Promise<void>((ok) => s.close(() => ok()));
  }
}

/** Points the handlers' SDK clients at the proxies (the same process serves every function). */
function useEndpoints(endpoints: { dynamodb: string; ses: string }) {
  process.env.DYNAMODB_ENDPOINT = endpoints.dynamodb;
  process.env.SES_ENDPOINT = endpoints.ses;
  resetConfig();
  resetClients();
  resetRuntime();
}

beforeAll(async () => {
  ({ stack, api, table } = await startSuite());
  const d = new URL(stack.dynamoEndpoint);
  dynamo = new TcpProxy(await freePort(), { host: d.hostname, port: Number(d.port) });
  await dynamo.start();
  ses = new SlowSes(await freePort(), new URL(stack.sesUrl));
  await ses.start();
  useEndpoints({ dynamodb: dynamo.url, ses: ses.url });
});

afterAll(async () => {
  await dynamo?.stop();
  await ses?.stop();
  await stopSuite({ stack, api, table });
});

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
  expect(r.status, `${context}: ${r.text.slice(0, 200)}`).toBe(503);
  expect(Number(r.headers.get('retry-after')), `${context}: Retry-After`).toBeGreaterThan(0);
  if ((r.headers.get('content-type') ?? '').includes('text/html')) {
    expect(r.text, context).toContain('Please try again in a moment.');
    expect(r.text, context).not.toContain('Something went wrong');
  } else expect(r.json, context).toEqual({ error: 'service_unavailable', message: expect.any(String) });
}

describe('DynamoDB stops', () => {
  it('while it is down every route answers 503 with Retry-After, nothing is written; once back, the same requests succeed', async () => {
    const c = await clinic('o-down');
    const ready = await api.signed(c.coordinator);
    const fresh = await api.answered(c.coordinator);
    await table.quiesce(c.clinicId);
    const before = await table.snapshot(c.clinicId, [ready.linkToken, fresh.linkToken]);
    const pdf = (await table.consent(c.clinicId, ready.consentId)).pdfs[0]?.bytes as Uint8Array;
    const invite = {
      patient: { fullName: 'Down Time', email: 'down@example.test', locale: 'en' },
      treatmentId: 'mesotherapy',
    };
    const requests: Array<[string, () => Promise<Reply>]> = [
      ['page (json)', () => api.call('GET', `/intake/${fresh.linkToken}`)],
      [
        'page (html)',
        () => api.call('GET', `/intake/${fresh.linkToken}`, { headers: { accept: 'text/html' } }),
      ],
      ['answers', () => api.answer(fresh.linkToken)],
      ['signature', () => api.sign(fresh.linkToken, fresh.riskIds)],
      ['patient pdf', () => api.call('GET', `/intake/${ready.linkToken}/consent.pdf`)],
      ['invite', () => api.call('POST', '/clinic/invites', { token: c.coordinator, json: invite })],
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
        'revoke',
        () => api.call('POST', `/clinic/consents/${fresh.consentId}/revoke-link`, { token: c.coordinator }),
      ],
      [
        'verify',
        () => api.call('POST', '/verify', { body: pdf, headers: { 'content-type': 'application/pdf' } }),
      ],
    ];

    await dynamo.stop();
    try {
      const results = await Promise.all(requests.map(async ([name, send]) => [name, await send()] as const));
      for (const [name, r] of results) expect503(r, name);
    } finally {
      await dynamo.start();
    }
    expect((await table.snapshot(c.clinicId, [ready.linkToken, fresh.linkToken])).hash).toBe(before.hash);

    // Back: the requests a patient and a doctor would simply repeat now go through.
    const page = await api.call('GET', `/intake/${fresh.linkToken}`);
    expect(page.status).toBe(200);
    const signed = await api.sign(fresh.linkToken, fresh.riskIds);
    expect(signed.status, signed.text).toBe(201);
    const cs = await api.countersign(c.doctor, ready.consentId);
    expect(cs.status, cs.text).toBe(200);
  });

  it('stopped mid-load: every answer is a success or a 503 (never 500), and each consent is either fully signed or untouched', async () => {
    const c = await clinic('o-mid');
    const patients: Array<Awaited<ReturnType<Api['answered']>>> = [];
    for (let i = 0; i < 6; i++)
      patients.push(await api.answered(c.coordinator, {}, { fullName: `Mid Run ${i}` }));
    await table.quiesce(c.clinicId);
    const replies = patients.map((p, i) => sleep(i * 40).then(() => api.sign(p.linkToken, p.riskIds)));
    await sleep(60);
    await dynamo.stop();
    let settled: Reply[];
    try {
      settled = await Promise.all(replies);
    } finally {
      await dynamo.start();
    }
    for (const [i, r] of settled.entries()) {
      expectContract(r, `signature ${i}`, [503]);
      expect([201, 503], `signature ${i}: ${r.text.slice(0, 200)}`).toContain(r.status);
      if (r.status === 503) expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    expect(
      settled.some((r) => r.status === 503),
      'the outage hit at least one request',
    ).toBe(true);
    for (const [i, p] of patients.entries()) {
      const s = await table.consent(c.clinicId, p.consentId);
      const signedEvents = s.events.filter((e) => e.type === 'signed').length;
      const notices = s.mails.filter((m) => m.kind === 'signed_notice').length;
      if (s.consent?.status === 'awaiting_countersign') {
        expect([s.pdfs.length, signedEvents, notices], `consent ${i} signed`).toEqual([1, 1, 1]);
        expect(await table.pdfHashes(p.consentId)).toHaveLength(1);
      } else {
        expect(s.consent?.status, `consent ${i}`).toBe('answered');
        expect([s.pdfs.length, signedEvents, notices], `consent ${i} untouched`).toEqual([0, 0, 0]);
        // A 503 is safe to repeat: the patient presses the button again.
        const again = await api.sign(p.linkToken, p.riskIds);
        expect(again.status, again.text).toBe(201);
      }
    }
  });
});

describe('SES answers after the mail lease', () => {
  it('each e-mail is delivered exactly once: the send is cut off inside the lease and retried later', async () => {
    const timing = mailTiming(LEASE_SECONDS);
    expect(timing.worstCaseSendMs).toBeLessThan(timing.leaseMs);
    const c = await clinic('o-ses');
    const consents: Array<Awaited<ReturnType<Api['signed']>>> = [];
    for (let i = 0; i < 2; i++)
      consents.push(await api.signed(c.coordinator, {}, { fullName: `Slow Mail ${i}` }));
    await table.quiesce(c.clinicId);

    ses.holdMs = timing.leaseMs + 1_000; // SES answers only after the lease has run out
    try {
      for (const x of consents) expect((await api.countersign(c.doctor, x.consentId)).status).toBe(200);
      await waitFor(
        async () => {
          const all = await Promise.all(consents.map((x) => table.consent(c.clinicId, x.consentId)));
          return all.every((s) =>
            s.mails
              .filter((m) => String(m.kind).startsWith('final'))
              .every((m) => m.status === 'pending' && m.lastError === 'TimeoutError'),
          );
        },
        30_000,
        'the slow sends timed out and were recorded',
        300,
      );
      // Past the lease: the held requests reach their end; none may have been delivered.
      await sleep(ses.holdMs + 500);
      for (const x of consents)
        expect((await finalEmailsByConsent(stack.sesUrl)).get(x.consentId)).toBeUndefined();
    } finally {
      ses.holdMs = 0;
    }
    expect(ses.droppedAfterClientLeft).toBeGreaterThanOrEqual(4);

    // SES is quick again: the retries are due after their back-off; move the clock past it and sweep.
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
        'the final e-mails after the retry',
        300,
      );
    } finally {
      systemClock.now = realNow;
    }
    await table.quiesce(c.clinicId);
    await stack.sweepNow();
    await sleep(1_500);
    const finals = await finalEmailsByConsent(stack.sesUrl);
    for (const x of consents) {
      expect(finals.get(x.consentId), 'patient and archive, once each').toHaveLength(2);
      const s = await table.consent(c.clinicId, x.consentId);
      for (const m of s.mails) expect(m.status).toBe('sent');
    }
  });
});
