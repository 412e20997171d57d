import { createHash } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';
import {
  type AttributeValue,
  BatchWriteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { ATTR, PREFIX, keys as tableKeys } from '../../functions/adapters/table-keys';
import type { AnswersInput } from '../../functions/domain/answers-schema';
import { hashLinkToken } from '../../functions/domain/tokens';
import { LIMITS } from '../../functions/workflow/rate-limit';
import type { LocalStack } from '../../infra/local/stack';
import { cleanAnswers } from '../fixtures/answers';

/**
 * The reliability suite's harness: each test file starts its own in-process local stack (so it can reach
 * into the SDK clients and the store to inject faults) and talks to it over real HTTP with node:http, which
 * sends paths and header bytes exactly as given (fetch would normalise them). Table reads for before/after
 * comparisons go through a separate low-level client, never through the code under test.
 */
export interface Ports {
  port: number;
  dynamoPort: number;
  sesPort: number;
}

export async function startStack(ports: Ports, sweepIntervalMs = 1000): Promise<LocalStack> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  process.env.LOG_LEVEL ??= 'SILENT';
  const { startLocalStack } = await import('../../infra/local/stack');
  return startLocalStack({ ...ports, dataDir: null, sweepIntervalMs });
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  bytes: Buffer;
  /** Parsed JSON body (undefined when the body is not JSON). */
  json: Record<string, unknown> | undefined;
  ms: number;
}

export interface CallOptions {
  token?: string;
  json?: unknown;
  body?: string | Uint8Array;
  headers?: Record<string, string>;
}

const REQUEST_TIMEOUT_MS = 90_000;

/** A keep-alive HTTP client for one stack; `path` goes on the wire untouched. */
export class Api {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 128 });
  readonly host: string;
  readonly port: number;

  constructor(appUrl: string) {
    const u = new URL(appUrl);
    this.host = u.hostname;
    this.port = Number(u.port);
  }

  call(method: string, path: string, opts: CallOptions = {}): Promise<Reply> {
    const headers: Record<string, string> = { accept: 'application/json', ...(opts.headers ?? {}) };
    if (opts.token !== undefined) headers.authorization = `Bearer ${opts.token}`;
    let body: Buffer | undefined;
    if (opts.json !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = Buffer.from(JSON.stringify(opts.json));
    } else if (opts.body !== undefined) body = Buffer.from(opts.body);
    if (body) headers['content-length'] = String(body.length);
    return this.send(method, path, headers, body, true);
  }

  private send(
    method: string,
    path: string,
    headers: Record<string, string>,
    body: Buffer | undefined,
    retry: boolean,
  ): Promise<Reply> {
    const t0 = performance.now();
    return new Promise<Reply>((resolve, reject) => {
      const req = httpRequest(
        { host: this.host, port: this.port, method, path, headers, agent: this.agent },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const bytes = Buffer.concat(chunks);
            const text = bytes.toString('utf8');
            let json: Record<string, unknown> | undefined;
            if (String(res.headers['content-type'] ?? '').includes('application/json')) {
              try {
                json = JSON.parse(text) as Record<string, unknown>;
              } catch {
                json = undefined;
              }
            }
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              text,
              bytes,
              json,
              ms: performance.now() - t0,
            });
          });
        },
      );
      req.on('error', (err: NodeJS.ErrnoException) => {
        // A kept-alive socket the server closed while idle: the request never reached it, so send it
        // again on a fresh connection (what browsers do). Anything else is a real failure.
        if (retry && req.reusedSocket && err.code === 'ECONNRESET') {
          this.send(method, path, headers, body, false).then(resolve, reject);
        } else reject(err);
      });
      // A request that never completes is a failure with a name, not a silent hang of the whole suite.
      req.setTimeout(REQUEST_TIMEOUT_MS, () =>
        req.destroy(new Error(`no reply within ${REQUEST_TIMEOUT_MS} ms: ${method} ${path.slice(0, 200)}`)),
      );
      req.end(body);
    });
  }

  async login(role: 'doctor' | 'coordinator', clinicId = 'demo', email?: string): Promise<string> {
    const r = await this.call('POST', '/local/login', {
      json: { email: email ?? `${role}@${clinicId}.example.test`, role, clinicId },
    });
    if (r.status !== 200) throw new Error(`login failed: ${r.status} ${r.text}`);
    return r.json?.token as string;
  }

  async invite(
    coordinator: string,
    patient: Record<string, unknown> = {},
    extra: Record<string, unknown> = {},
  ) {
    const r = await this.call('POST', '/clinic/invites', {
      token: coordinator,
      json: {
        patient: { fullName: 'Layla Haddad', email: uniqueEmail(), locale: 'en', ...patient },
        treatmentId: 'mesotherapy',
        ...extra,
      },
    });
    if (r.status !== 201) throw new Error(`invite failed: ${r.status} ${r.text}`);
    const intakeUrl = r.json?.intakeUrl as string;
    return {
      consentId: r.json?.inviteId as string,
      linkToken: intakeUrl.split('/').pop() as string,
      reply: r,
    };
  }

  answer(linkToken: string, overrides: AnswersInput = {}, locale?: 'en' | 'ar') {
    return this.call('POST', `/intake/${linkToken}/answers`, {
      json: { answers: cleanAnswers(overrides), ...(locale ? { locale } : {}) },
    });
  }

  sign(linkToken: string, riskIds: string[], signature: unknown = { kind: 'typed', name: 'Layla Haddad' }) {
    return this.call('POST', `/intake/${linkToken}/signature`, {
      json: {
        signature,
        acknowledgedRiskIds: riskIds,
        agreeToTreatment: true,
        agreeToElectronicRecords: true,
      },
    });
  }

  countersign(
    doctor: string,
    consentId: string,
    findingNotes: Record<string, string> = {},
    signature: unknown = { kind: 'typed', name: 'Dr. Amal Nasser' },
  ) {
    return this.call('POST', `/clinic/consents/${consentId}/countersign`, {
      token: doctor,
      json: { signature, findingNotes },
    });
  }

  /** Invite → answers; returns what a signature needs. */
  async answered(coordinator: string, overrides: AnswersInput = {}, patient: Record<string, unknown> = {}) {
    const inv = await this.invite(coordinator, patient);
    const a = await this.answer(inv.linkToken, overrides);
    if (a.status !== 200) throw new Error(`answers failed: ${a.status} ${a.text}`);
    const consent = a.json?.consent as { risks: Array<{ id: string }> } | undefined;
    return {
      ...inv,
      riskIds: (consent?.risks ?? []).map((r) => r.id),
      screening: a.json?.screening as Screening,
    };
  }

  /** Invite → answers → signature: a consent awaiting countersignature. */
  async signed(coordinator: string, overrides: AnswersInput = {}, patient: Record<string, unknown> = {}) {
    const ans = await this.answered(coordinator, overrides, patient);
    const s = await this.sign(ans.linkToken, ans.riskIds);
    if (s.status !== 201) throw new Error(`sign failed: ${s.status} ${s.text}`);
    return ans;
  }

  close(): void {
    this.agent.destroy();
  }
}

export interface Screening {
  outcome: string;
  findings: Array<{ ruleId: string; severity: string; message: string }>;
}

let seq = 0;
export function uniqueEmail(prefix = 'patient'): string {
  seq++;
  return `${prefix}.${Date.now().toString(36)}${seq}@example.test`;
}

/** Answers that screen `needs_review` with one review finding (blood thinners). */
export const REVIEW_ANSWERS: AnswersInput = {
  bloodThinners: true,
  bloodThinnerDetails: 'Aspirin 81 mg daily',
};

// ---------------------------------------------------------------------------------------------------
// The API.md contract for every reply

const CODE_OF_STATUS: Record<number, string> = {
  400: 'validation_failed',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  410: 'link_expired',
  413: 'payload_too_large',
  422: 'review_incomplete',
  429: 'throttled',
  500: 'internal_error',
  503: 'unavailable',
};

/** Markers of a leaked stack trace or source location. */
const TRACE = /\n\s+at |^\s+at .+\(|\.ts:\d|\.m?js:\d|node_modules|file:\/\//m;

/**
 * Every reply: no 5xx (unless `allow5xx` lists it), no stack trace in any text body, and errors in the
 * API.md shape — `error` (the code of the status), `message`, `issues` exactly on 400/422.
 */
export function expectContract(r: Reply, context: unknown, allow5xx: number[] = []): void {
  const where = () => `${r.status} ${r.text.slice(0, 300)} ← ${safeJson(context).slice(0, 400)}`;
  if (r.status >= 500 && !allow5xx.includes(r.status)) throw new Error(`server error: ${where()}`);
  const type = String(r.headers['content-type'] ?? '');
  if (!type.includes('application/pdf') && TRACE.test(r.text))
    throw new Error(`stack trace or source path in body: ${where()}`);
  if (r.status < 400) return;
  if (type.includes('text/html')) return; // the patient page's error page (GET /intake/{token} without Accept: json)
  if (!r.json) throw new Error(`error reply is not JSON: ${where()}`);
  const body = r.json;
  const keys = Object.keys(body).sort();
  const okKeys = r.status === 400 || r.status === 422 ? ['error', 'issues', 'message'] : ['error', 'message'];
  if (keys.join() !== okKeys.join())
    throw new Error(`error keys ${keys.join()} (expected ${okKeys.join()}): ${where()}`);
  if (body.error !== CODE_OF_STATUS[r.status])
    throw new Error(`error code ${String(body.error)} for ${r.status}: ${where()}`);
  if (typeof body.message !== 'string' || !body.message) throw new Error(`error without message: ${where()}`);
  if (okKeys.includes('issues')) {
    const issues = body.issues as unknown;
    if (!Array.isArray(issues) || issues.length === 0)
      throw new Error(`validation error without issues: ${where()}`);
    for (const i of issues as Array<Record<string, unknown>>) {
      if (typeof i.path !== 'string' || typeof i.message !== 'string' || Object.keys(i).length !== 2) {
        throw new Error(`malformed issue ${safeJson(i)}: ${where()}`);
      }
    }
  }
  if ((r.status === 429 || r.status === 503) && !r.headers['retry-after'])
    throw new Error(`${r.status} without retry-after: ${where()}`);
}

export function safeJson(v: unknown): string {
  try {
    return (
      JSON.stringify(v, (_k, x) =>
        typeof x === 'string' && x.length > 200 ? `${x.slice(0, 200)}…(${x.length})` : x,
      ) ?? String(v)
    );
  } catch {
    return String(v);
  }
}

// ---------------------------------------------------------------------------------------------------
// Direct table reads (a separate client: what is stored, not what the code under test says)

type Item = Record<string, AttributeValue>;

export class Table {
  readonly db: DynamoDBClient;

  constructor(
    endpoint: string,
    readonly name: string,
  ) {
    this.db = new DynamoDBClient({
      endpoint,
      region: 'me-central-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  }

  async query(pk: string, skPrefix?: string): Promise<Item[]> {
    const items: Item[] = [];
    let start: Item | undefined;
    do {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.name,
          ConsistentRead: true,
          KeyConditionExpression: skPrefix
            ? `${ATTR.pk} = :pk AND begins_with(${ATTR.sk}, :p)`
            : `${ATTR.pk} = :pk`,
          ExpressionAttributeValues: { ':pk': { S: pk }, ...(skPrefix ? { ':p': { S: skPrefix } } : {}) },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  }

  async get(pk: string, sk: string): Promise<Record<string, unknown> | undefined> {
    const out = await this.db.send(
      new GetItemCommand({
        TableName: this.name,
        Key: { [ATTR.pk]: { S: pk }, [ATTR.sk]: { S: sk } },
        ConsistentRead: true,
      }),
    );
    return out.Item ? (unmarshall(out.Item) as Record<string, unknown>) : undefined;
  }

  /** Everything stored for one clinic (its partition) plus the given link tokens' lookups, as one hash. */
  async snapshot(
    clinicId: string,
    linkTokens: string[] = [],
  ): Promise<{ hash: string; count: number; items: Item[]; digests: string[] }> {
    const items = await this.query(tableKeys.clinicPk(clinicId));
    for (const t of linkTokens) {
      const out = await this.db.send(
        new GetItemCommand({
          TableName: this.name,
          Key: { [ATTR.pk]: { S: tableKeys.linkPk(hashLinkToken(t)) }, [ATTR.sk]: { S: tableKeys.linkSk } },
          ConsistentRead: true,
        }),
      );
      if (out.Item) items.push(out.Item);
    }
    const digests = items.map((i) => `${i.pk?.S} ${i.sk?.S} ${sha256(canonicalJson(i)).slice(0, 16)}`).sort();
    return { hash: sha256(digests.join('\n')), count: items.length, items, digests };
  }

  /** One consent's items, unmarshalled and grouped. */
  async consent(clinicId: string, consentId: string) {
    const pk = tableKeys.clinicPk(clinicId);
    const [consent, events, pdfs, mails] = await Promise.all([
      this.get(pk, tableKeys.consentSk(consentId)),
      this.query(pk, tableKeys.eventPrefix(consentId)),
      this.query(pk, tableKeys.pdfPrefix(consentId)),
      this.query(pk, tableKeys.mailPrefix(consentId)),
    ]);
    return {
      consent,
      events: events.map((i) => unmarshall(i) as Record<string, unknown>),
      pdfs: pdfs.map(
        (i) =>
          unmarshall(i) as {
            sk: string;
            ref: { version: number; kind: string; sha256: string };
            bytes: Uint8Array;
          },
      ),
      mails: mails.map((i) => unmarshall(i) as Record<string, unknown>),
    };
  }

  /** Every `/verify` lookup (PDFHASH item) that points at this consent: one per issued PDF version. */
  async pdfHashes(consentId: string): Promise<Array<{ pk: string; version: number; kind: string }>> {
    const found: Array<{ pk: string; version: number; kind: string }> = [];
    let start: Item | undefined;
    do {
      const out = await this.db.send(
        new ScanCommand({
          TableName: this.name,
          FilterExpression: 'entity = :e AND consentId = :c',
          ExpressionAttributeValues: { ':e': { S: 'pdfhash' }, ':c': { S: consentId } },
          ProjectionExpression: 'pk, #r',
          ExpressionAttributeNames: { '#r': 'ref' },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const it of out.Items ?? []) {
        const u = unmarshall(it) as { pk: string; ref: { version: number; kind: string } };
        found.push({ pk: u.pk, version: u.ref.version, kind: u.ref.kind });
      }
      start = out.LastEvaluatedKey;
    } while (start);
    return found;
  }

  /** Waits until every outbox mail of the clinic is sent, so asynchronous mailer writes cannot blur a comparison. */
  async quiesce(clinicId: string, timeoutMs = 20_000): Promise<void> {
    let pending: Array<Record<string, unknown>> = [];
    await waitFor(
      async () => {
        const mails = (await this.query(tableKeys.clinicPk(clinicId), PREFIX.mail)).map((i) => unmarshall(i));
        pending = mails.filter((m) => m.status !== 'sent');
        return pending.length === 0;
      },
      timeoutMs,
      `outbox of ${clinicId} drained`,
    ).catch((err: Error) => {
      const sample = pending
        .slice(0, 3)
        .map((m) => `${m.kind} attempts=${m.attempts} lastError=${m.lastError ?? '-'}`);
      throw new Error(`${err.message} (${pending.length} pending: ${sample.join('; ')})`);
    });
  }

  /**
   * Clears the rate-limit windows of these link tokens and of the loopback address, so thousands of
   * generated requests exercise validation instead of all meeting the 429 after the first few dozen.
   */
  async resetRateLimits(linkTokens: string[] = [], ips: string[] = ['127.0.0.1']): Promise<void> {
    const keys: Array<{ pk: string; sk: string }> = [];
    const nowSec = Math.floor(Date.now() / 1000);
    const add = (scope: keyof typeof LIMITS, key: string) => {
      const w = LIMITS[scope].windowSeconds;
      const start = nowSec - (nowSec % w);
      const pk = tableKeys.ratePk(`${scope}#${createHash('sha256').update(key).digest('hex').slice(0, 32)}`);
      keys.push({ pk, sk: tableKeys.rateSk(start) }, { pk, sk: tableKeys.rateSk(start - w) });
    };
    for (const t of linkTokens) add('link', t);
    for (const ip of ips) {
      add('patientIp', ip);
      add('verifyIp', ip);
    }
    for (let i = 0; i < keys.length; i += 25) {
      await this.db.send(
        new BatchWriteItemCommand({
          RequestItems: {
            [this.name]: keys
              .slice(i, i + 25)
              .map((k) => ({ DeleteRequest: { Key: { [ATTR.pk]: { S: k.pk }, [ATTR.sk]: { S: k.sk } } } })),
          },
        }),
      );
    }
  }

  close(): void {
    this.db.destroy();
  }
}

function canonicalJson(v: unknown): string {
  if (v instanceof Uint8Array) return `b:${Buffer.from(v).toString('base64')}`;
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

// ---------------------------------------------------------------------------------------------------
// SES (aws-ses-v2-local's store)

export interface StoredEmail {
  messageId: string;
  subject: string;
  destination: { to: string[] };
  attachments?: Array<{ filename: string; contentType: string; content: string; size: number }>;
  at: number;
}

export async function sentEmails(sesUrl: string): Promise<StoredEmail[]> {
  const r = await fetch(`${sesUrl}/store`);
  return ((await r.json()) as { emails: StoredEmail[] }).emails;
}

/** Final e-mails (the countersigned PDF attached) per consent id. */
export async function finalEmailsByConsent(sesUrl: string): Promise<Map<string, StoredEmail[]>> {
  const byConsent = new Map<string, StoredEmail[]>();
  for (const e of await sentEmails(sesUrl)) {
    for (const a of e.attachments ?? []) {
      const id = /^consent-([0-9A-Z]{26})\.pdf$/.exec(a.filename)?.[1];
      if (id) byConsent.set(id, [...(byConsent.get(id) ?? []), e]);
    }
  }
  return byConsent;
}

// ---------------------------------------------------------------------------------------------------

/** The text of a PDF (every page), through MuPDF. */
export async function pdfText(bytes: Uint8Array): Promise<string> {
  const mupdf = await import('mupdf');
  const doc = mupdf.Document.openDocument(bytes, 'application/pdf');
  let text = '';
  for (let i = 0; i < doc.countPages(); i++)
    text += `${doc.loadPage(i).toStructuredText('preserve-whitespace').asText()}\n`;
  return text.replace(/\s+/g, ' ');
}

export async function waitFor(
  check: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
  everyMs = 150,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await sleep(everyMs);
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const sha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');

export function percentile(values: number[], p: number): number {
  if (!values.length) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx] as number;
}
