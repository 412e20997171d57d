import { createHash } from 'node:crypto';
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
import { ERRORS } from '../../functions/contract/errors';
import type { AnswersInput } from '../../functions/domain/answers-schema';
import { hashLinkToken } from '../../functions/domain/tokens';
import { LIMITS } from '../../functions/workflow/rate-limit';
import { Api, type Reply, type StoredEmail, sentEmails, sha256 } from '../support/client';
import { startTestStack, type TestStack } from '../support/stack';

/**
 * The reliability suite's harness: each test file starts its own in-process local stack on free ports
 * (test/support/stack.ts, so it can reach into the SDK clients and the store to inject faults) and talks to
 * it over real HTTP with the shared client (test/support/client.ts), which sends paths and header bytes
 * exactly as given. Table reads for before/after comparisons go through a separate low-level client, never
 * through the code under test.
 */
export { Api, type Reply, sentEmails, sha256 } from '../support/client';

/** What each reliability file runs against: its own stack, a client for it and a direct table reader. */
export interface Suite {
  stack: TestStack;
  api: Api;
  table: Table;
}

/** Starts a file's stack on free ports (in its beforeAll); `stopSuite` in its afterAll. */
export async function startSuite(): Promise<Suite> {
  const stack = await startTestStack();
  return {
    stack,
    api: new Api(stack.appUrl),
    table: new Table(stack.dynamoEndpoint, stack.tableName),
  };
}

export async function stopSuite(s: Partial<Suite>): Promise<void> {
  s.api?.close();
  s.table?.close();
  await s.stack?.stop();
}

/** Answers that screen `needs_review` with one review finding (blood thinners). */
export const REVIEW_ANSWERS: AnswersInput = {
  bloodThinners: true,
  bloodThinnerDetails: 'Aspirin 81 mg daily',
};

// ---------------------------------------------------------------------------------------------------
// The API.md contract for every reply

/** The code of each status, from the contract itself (functions/contract/errors.ts): one list, not two. */
const CODE_OF_STATUS: Record<number, string> = Object.fromEntries(
  Object.entries(ERRORS).map(([status, e]) => [Number(status), e.code]),
);

/** Markers of a leaked stack trace or source location. */
const TRACE = /\n\s+at |^\s+at .+\(|\.ts:\d|\.m?js:\d|node_modules|file:\/\//m;

/**
 * Every reply: no 5xx (unless `allow5xx` lists it), no stack trace in any text body, and errors in the
 * API.md shape — `error` (the code of the status), `message`, `issues` exactly on 400/422.
 */
export function expectContract(r: Reply, context: unknown, allow5xx: number[] = []): void {
  const where = () => `${r.status} ${r.text.slice(0, 300)} ← ${safeJson(context).slice(0, 400)}`;
  if (r.status >= 500 && !allow5xx.includes(r.status)) throw new Error(`server error: ${where()}`);
  const type = r.headers.get('content-type') ?? '';
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
  if ((r.status === 429 || r.status === 503) && !r.headers.get('retry-after'))
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
        pending = mails.filter((m) => m.status !== 'sent' && m.status !== 'cancelled');
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

export function percentile(values: number[], p: number): number {
  if (!values.length) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx] as number;
}
