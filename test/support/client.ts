import { createHash } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';
import type { AnswersInput } from '../../functions/domain/answers-schema';
import { cleanAnswers } from '../fixtures/answers';

/**
 * The one HTTP client of the test suites (integration, reliability, browser set-up, the benchmark): it
 * speaks only the API.md contract, over node:http with keep-alive, and sends paths and header bytes exactly
 * as given (fetch would normalise them). Replies carry the status, the headers, the raw bytes, the text and
 * the parsed JSON; `body` is the JSON when the reply is JSON, else the bytes.
 */
export interface Reply<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  /** The body as received. */
  bytes: Buffer;
  text: string;
  /** Parsed JSON body (undefined when the body is not JSON). */
  json: Record<string, unknown> | undefined;
  /** The parsed JSON, or the bytes (a plain Uint8Array) when the body is not JSON. */
  body: T;
  ms: number;
}

export interface CallOptions {
  token?: string;
  json?: unknown;
  body?: string | Uint8Array;
  headers?: Record<string, string>;
}

export type Role = 'doctor' | 'coordinator';

export interface Screening {
  outcome: string;
  findings: Array<{ ruleId: string; severity: string; message: string }>;
}

const REQUEST_TIMEOUT_MS = 90_000;

let seq = 0;
export function uniqueEmail(prefix = 'patient'): string {
  seq++;
  return `${prefix}.${Date.now().toString(36)}${seq}@example.test`;
}

export function typedSignature(name = 'Layla Haddad') {
  return { kind: 'typed' as const, name };
}

function toHeaders(raw: Record<string, string | string[] | undefined>): Headers {
  const h = new Headers();
  for (const [k, v] of Object.entries(raw)) {
    if (Array.isArray(v)) for (const x of v) h.append(k, x);
    else if (v !== undefined) h.set(k, v);
  }
  return h;
}

/**
 * A keep-alive client for one stack. The methods are bound (arrow properties), so a test file may
 * destructure them: `const { call, login } = new Api(appUrl, sesUrl)`.
 */
export class Api {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 128 });
  readonly host: string;
  readonly port: number;

  constructor(
    readonly appUrl: string,
    readonly sesUrl?: string,
  ) {
    const u = new URL(appUrl);
    this.host = u.hostname;
    this.port = Number(u.port);
  }

  call = <T = Record<string, unknown>>(
    method: string,
    path: string,
    opts: CallOptions = {},
  ): Promise<Reply<T>> => {
    const headers: Record<string, string> = { accept: 'application/json', ...(opts.headers ?? {}) };
    if (opts.token !== undefined) headers.authorization = `Bearer ${opts.token}`;
    let body: Buffer | undefined;
    if (opts.json !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = Buffer.from(JSON.stringify(opts.json));
    } else if (opts.body !== undefined) body = Buffer.from(opts.body);
    if (body) headers['content-length'] = String(body.length);
    return this.send<T>(method, path, headers, body, true);
  };

  private send<T>(
    method: string,
    path: string,
    headers: Record<string, string>,
    body: Buffer | undefined,
    retry: boolean,
  ): Promise<Reply<T>> {
    const t0 = performance.now();
    return new Promise<Reply<T>>((resolve, reject) => {
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
              headers: toHeaders(res.headers),
              bytes,
              text,
              json,
              body: (json ?? new Uint8Array(bytes)) as T,
              ms: performance.now() - t0,
            });
          });
        },
      );
      req.on('error', (err: NodeJS.ErrnoException) => {
        // A kept-alive socket the server closed while idle: the request never reached it, so send it
        // again on a fresh connection (what browsers do). Anything else is a real failure.
        if (retry && req.reusedSocket && err.code === 'ECONNRESET') {
          this.send<T>(method, path, headers, body, false).then(resolve, reject);
        } else reject(err);
      });
      // A request that never completes is a failure with a name, not a silent hang of the whole suite.
      req.setTimeout(REQUEST_TIMEOUT_MS, () =>
        req.destroy(new Error(`no reply within ${REQUEST_TIMEOUT_MS} ms: ${method} ${path.slice(0, 200)}`)),
      );
      req.end(body);
    });
  }

  /** A staff bearer token from POST /local/login (what Cognito is locally). */
  login = async (role: Role, clinicId = 'demo', email?: string): Promise<string> => {
    const r = await this.call<{ token: string }>('POST', '/local/login', {
      json: { email: email ?? `${role}@${clinicId}-clinic.example.test`, role, clinicId },
    });
    if (r.status !== 200) throw new Error(`login failed: ${r.status} ${r.text}`);
    return r.body.token;
  };

  invite = async (
    coordinator: string,
    patient: Partial<{ fullName: string; email: string; phone: string; locale: 'en' | 'ar' }> &
      Record<string, unknown> = {},
    extra: Record<string, unknown> = {},
  ) => {
    const r = await this.call<{ inviteId: string; intakeUrl: string; expiresAt: string }>(
      'POST',
      '/clinic/invites',
      {
        token: coordinator,
        json: {
          patient: { fullName: 'Layla Haddad', email: uniqueEmail(), locale: 'en', ...patient },
          treatmentId: 'mesotherapy',
          ...extra,
        },
      },
    );
    if (r.status !== 201) throw new Error(`invite failed: ${r.status} ${r.text}`);
    return {
      ...r.body,
      consentId: r.body.inviteId,
      linkToken: r.body.intakeUrl.split('/').pop() as string,
      reply: r,
    };
  };

  answer = (linkToken: string, overrides: AnswersInput = {}, locale?: 'en' | 'ar') =>
    this.call<{ screening: Screening; consent?: { risks: Array<{ id: string; title: string }> } }>(
      'POST',
      `/intake/${linkToken}/answers`,
      { json: { answers: cleanAnswers(overrides), ...(locale ? { locale } : {}) } },
    );

  sign = (linkToken: string, riskIds: string[], signature: unknown = typedSignature()) =>
    this.call<{ consentId: string; status: string; pdfSha256: string }>(
      'POST',
      `/intake/${linkToken}/signature`,
      {
        json: {
          signature,
          acknowledgedRiskIds: riskIds,
          agreeToTreatment: true,
          agreeToElectronicRecords: true,
        },
      },
    );

  countersign = (
    doctor: string,
    consentId: string,
    findingNotes: Record<string, string> = {},
    signature: unknown = { kind: 'typed', name: 'Dr. Amal Nasser' },
  ) =>
    this.call('POST', `/clinic/consents/${consentId}/countersign`, {
      token: doctor,
      json: { signature, findingNotes },
    });

  /** Invite → answers; returns what a signature needs. */
  answered = async (
    coordinator: string,
    overrides: AnswersInput = {},
    patient: Record<string, unknown> = {},
  ) => {
    const inv = await this.invite(coordinator, patient);
    const a = await this.answer(inv.linkToken, overrides);
    if (a.status !== 200) throw new Error(`answers failed: ${a.status} ${a.text}`);
    return {
      ...inv,
      riskIds: (a.body.consent?.risks ?? []).map((r) => r.id),
      screening: a.body.screening,
    };
  };

  /** Invite → answers → signature: a consent awaiting countersignature. */
  signed = async (
    coordinator: string,
    overrides: AnswersInput = {},
    patient: Record<string, unknown> = {},
  ) => {
    const ans = await this.answered(coordinator, overrides, patient);
    const s = await this.sign(ans.linkToken, ans.riskIds);
    if (s.status !== 201) throw new Error(`sign failed: ${s.status} ${s.text}`);
    return {
      ...ans,
      consentId: s.body.consentId,
      findings: ans.screening.findings,
      pdfSha256: s.body.pdfSha256,
    };
  };

  /** Every e-mail aws-ses-v2-local holds. */
  sentEmails = (): Promise<StoredEmail[]> => sentEmails(this.ses());

  /** Polls the SES store until `predicate` matches `count` e-mails (the mailer is asynchronous). */
  waitForEmails = (predicate: (e: StoredEmail) => boolean, count = 1, timeoutMs = 20_000) =>
    waitForEmails(this.ses(), predicate, count, timeoutMs);

  private ses(): string {
    if (!this.sesUrl) throw new Error('this Api was made without an SES url');
    return this.sesUrl;
  }

  close(): void {
    this.agent.destroy();
  }
}

// ---------------------------------------------------------------------------------------------------
// SES (aws-ses-v2-local's store)

export interface StoredEmail {
  messageId: string;
  subject: string;
  destination: { to: string[] };
  body: { text?: string; html?: string };
  attachments: Array<{ filename: string; contentType: string; content: string; size: number }>;
  at: number;
}

export async function sentEmails(sesUrl: string): Promise<StoredEmail[]> {
  const r = await fetch(`${sesUrl}/store`);
  return ((await r.json()) as { emails?: StoredEmail[] }).emails ?? [];
}

export async function waitForEmails(
  sesUrl: string,
  predicate: (e: StoredEmail) => boolean,
  count = 1,
  timeoutMs = 20_000,
): Promise<StoredEmail[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = (await sentEmails(sesUrl)).filter(predicate);
    if (found.length >= count) return found;
    if (Date.now() > deadline) throw new Error(`expected ${count} e-mail(s), found ${found.length}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The body of a binary (PDF) reply. */
export const bytes = (reply: Reply<unknown>): Uint8Array => reply.body as Uint8Array;

export const sha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');
