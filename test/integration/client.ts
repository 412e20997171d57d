import { createHash } from 'node:crypto';
import { inject } from 'vitest';
import type { AnswersInput } from '../../functions/domain/answers-schema';
import { cleanAnswers } from '../fixtures/answers';

/** A thin HTTP client for the local stack, speaking only the API.md contract. */
export const appUrl = () => inject('appUrl');
export const sesUrl = () => inject('sesUrl');

export interface Reply<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

export async function call<T = Record<string, unknown>>(
  method: string,
  path: string,
  opts: { token?: string; json?: unknown; body?: string | Uint8Array; headers?: Record<string, string> } = {},
): Promise<Reply<T>> {
  const headers: Record<string, string> = { accept: 'application/json', ...(opts.headers ?? {}) };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body = opts.body;
  if (opts.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.json);
  }
  const res = await fetch(`${appUrl()}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
  const type = res.headers.get('content-type') ?? '';
  const parsed = type.includes('application/json')
    ? await res.json()
    : new Uint8Array(await res.arrayBuffer());
  return { status: res.status, body: parsed as T, headers: res.headers };
}

export async function login(
  role: 'doctor' | 'coordinator',
  clinicId = 'demo',
  email?: string,
): Promise<string> {
  const r = await call<{ token: string }>('POST', '/local/login', {
    json: { email: email ?? `${role}@${clinicId}-clinic.example.test`, role, clinicId },
  });
  if (r.status !== 200) throw new Error(`login failed: ${r.status}`);
  return r.body.token;
}

let seq = 0;
export function uniqueEmail(prefix = 'patient'): string {
  seq++;
  return `${prefix}.${Date.now().toString(36)}${seq}@example.test`;
}

export async function invite(
  coordinator: string,
  patient: Partial<{ fullName: string; email: string; phone: string; locale: 'en' | 'ar' }> = {},
  extra: Record<string, unknown> = {},
) {
  const r = await call<{ inviteId: string; intakeUrl: string; expiresAt: string }>(
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
  if (r.status !== 201) throw new Error(`invite failed: ${r.status} ${JSON.stringify(r.body)}`);
  const linkToken = r.body.intakeUrl.split('/').pop() as string;
  return { ...r.body, linkToken };
}

export function answer(linkToken: string, overrides: AnswersInput = {}, locale?: 'en' | 'ar') {
  return call<{
    screening: { outcome: string; findings: Array<{ ruleId: string; severity: string; message: string }> };
    consent?: { risks: Array<{ id: string; title: string }> };
  }>('POST', `/intake/${linkToken}/answers`, {
    json: { answers: cleanAnswers(overrides), ...(locale ? { locale } : {}) },
  });
}

export function typedSignature(name = 'Layla Haddad') {
  return { kind: 'typed' as const, name };
}

export function sign(linkToken: string, riskIds: string[], signature: unknown = typedSignature()) {
  return call<{ consentId: string; status: string; pdfSha256: string }>(
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
}

/** Invite → answers → signature: a consent awaiting countersignature. */
export async function signedConsent(coordinator: string, overrides: AnswersInput = {}, patient = {}) {
  const inv = await invite(coordinator, patient);
  const a = await answer(inv.linkToken, overrides);
  if (a.status !== 200) throw new Error(`answers failed: ${a.status} ${JSON.stringify(a.body)}`);
  const risks = (a.body.consent?.risks ?? []).map((r) => r.id);
  const s = await sign(inv.linkToken, risks);
  if (s.status !== 201) throw new Error(`sign failed: ${s.status} ${JSON.stringify(s.body)}`);
  return {
    ...inv,
    consentId: s.body.consentId,
    findings: a.body.screening.findings,
    pdfSha256: s.body.pdfSha256,
  };
}

export interface StoredEmail {
  messageId: string;
  subject: string;
  destination: { to: string[] };
  body: { text?: string; html?: string };
  attachments: Array<{ filename: string; contentType: string; content: string; size: number }>;
  at: number;
}

export async function sentEmails(): Promise<StoredEmail[]> {
  const r = await fetch(`${sesUrl()}/store`);
  return ((await r.json()) as { emails: StoredEmail[] }).emails;
}

/** Polls the SES store until `predicate` matches `count` e-mails (the mailer is asynchronous). */
export async function waitForEmails(
  predicate: (e: StoredEmail) => boolean,
  count = 1,
  timeoutMs = 20_000,
): Promise<StoredEmail[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = (await sentEmails()).filter(predicate);
    if (found.length >= count) return found;
    if (Date.now() > deadline) throw new Error(`expected ${count} e-mail(s), found ${found.length}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The body of a binary (PDF) reply. */
export const bytes = (reply: Reply<unknown>): Uint8Array => reply.body as Uint8Array;

export const sha256 = (bytes: Uint8Array | Buffer) => createHash('sha256').update(bytes).digest('hex');
