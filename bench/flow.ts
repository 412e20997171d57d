import type { FinalizeHandlerArguments, HandlerExecutionContext, MiddlewareStack } from '@smithy/types';
import { dynamoDocumentClient, sesClient } from '../functions/adapters/clients';
import { ATTR, keys, PREFIX } from '../functions/adapters/table-keys';
import { systemClock } from '../functions/workflow/ports';
import type { LocalStack } from '../infra/local/stack';
import { signaturePng } from '../test/fixtures/consent-document';
import {
  type Api,
  REVIEW_ANSWERS,
  type Reply,
  sleep,
  type Table,
  waitFor,
} from '../test/reliability/harness';
import { type Spread, spread } from './stats';

/**
 * The whole flow on the local stack (the same handlers Lambda runs, in this process, against DynamoDB
 * Local and aws-ses-v2-local): request latency with one patient at a time and with 50 at once, and the
 * inputs of the cost estimate for one completed consent, measured rather than assumed.
 */
export interface FlowLatency {
  patients: number;
  runs: number;
  requests: number;
  errors: number;
  errorSamples: string[];
  wallMs: Spread;
  perRequest: Spread;
  perRoute: Record<string, Spread>;
}

type Step = (name: string, expected: number, send: () => Promise<Reply>) => Promise<Reply>;

/** One patient's flow, as the load test runs it. */
async function patientFlow(api: Api, coordinator: string, doctor: string, i: number, step: Step) {
  const review = i % 3 === 0;
  const fullName = i % 2 ? `Bench Patient ${i}` : `مريضة ${i}`;
  const inv = await step('POST /clinic/invites', 201, () =>
    api.call('POST', '/clinic/invites', {
      token: coordinator,
      json: {
        patient: {
          fullName,
          email: `bench.${Date.now().toString(36)}.${i}@example.test`,
          locale: i % 2 ? 'en' : 'ar',
        },
        treatmentId: 'mesotherapy',
      },
    }),
  );
  const token = String(inv.json?.intakeUrl).split('/').pop() as string;
  const consentId = inv.json?.inviteId as string;
  await step('GET /intake/{token}', 200, () => api.call('GET', `/intake/${token}`));
  const a = await step('POST /intake/{token}/answers', 200, () =>
    api.answer(token, review ? REVIEW_ANSWERS : {}, i % 2 ? 'en' : 'ar'),
  );
  const risks = ((a.json?.consent as { risks: Array<{ id: string }> } | undefined)?.risks ?? []).map(
    (r) => r.id,
  );
  const signature =
    i % 2 ? { kind: 'typed', name: fullName } : { kind: 'drawn', pngBase64: signaturePng(1 + (i % 3)) };
  await step('POST /intake/{token}/signature', 201, () => api.sign(token, risks, signature));
  await step('GET /intake/{token}/consent.pdf', 200, () => api.call('GET', `/intake/${token}/consent.pdf`));
  await step('POST /clinic/consents/{id}/countersign', 200, () =>
    api.countersign(
      doctor,
      consentId,
      review ? { bloodThinners: 'Prescriber agreed to a 7-day pause.' } : {},
    ),
  );
  return consentId;
}

export async function measureLatency(
  api: Api,
  coordinator: string,
  doctor: string,
  patients: number,
  runs: number,
): Promise<FlowLatency> {
  const all: number[] = [];
  const perRoute = new Map<string, number[]>();
  const walls: number[] = [];
  const errors: string[] = [];
  let requests = 0;
  const step: Step = async (name, expected, send) => {
    const r = await send();
    requests++;
    all.push(r.ms);
    perRoute.set(name, [...(perRoute.get(name) ?? []), r.ms]);
    if (r.status !== expected) errors.push(`${name}: ${r.status} ${r.text.slice(0, 120)}`);
    return r;
  };
  let seq = 0;
  for (let run = 0; run < runs; run++) {
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: patients }, () =>
        patientFlow(api, coordinator, doctor, seq++, step).catch((e: Error) => errors.push(e.message)),
      ),
    );
    walls.push(performance.now() - t0);
  }
  return {
    patients,
    runs,
    requests,
    errors: errors.length,
    errorSamples: errors.slice(0, 5),
    wallMs: spread(walls, 0),
    perRequest: spread(all),
    perRoute: Object.fromEntries([...perRoute].map(([k, v]) => [k, spread(v)])),
  };
}

// ---------------------------------------------------------------------------------------------------
// Cost inputs for one completed consent

export interface DynamoUsage {
  command: string;
  calls: number;
  capacityUnits: number;
}

export interface CostInputs {
  requests: Array<{ route: string; functionId: string; ms: number; responseBytes: number }>;
  dynamo: DynamoUsage[];
  /** Writes to outbox items (INSERT/MODIFY the mailer's event-source filter passes): one invocation each at most. */
  outboxRecords: number;
  mailsDelivered: number;
  emails: Array<{ bytes: number }>;
  mailDeliveryMs: Spread;
  /** What stays stored for the consent (DynamoDB item sizes: names + values), and what it is made of. */
  storageBytes: number;
  itemNotes: string[];
}

type Attr = {
  S?: string;
  N?: string;
  B?: Uint8Array;
  BOOL?: boolean;
  NULL?: boolean;
  L?: Attr[];
  M?: Record<string, Attr>;
  SS?: string[];
};

/** DynamoDB's item size rules: attribute names plus values (strings UTF-8, numbers ~1 byte per 2 digits). */
export function itemSize(item: Record<string, Attr>): number {
  const value = (v: Attr): number => {
    if (v.S !== undefined) return Buffer.byteLength(v.S);
    if (v.N !== undefined) return Math.ceil(v.N.replace(/^-|\.|e.*$/gi, '').length / 2) + 1;
    if (v.B !== undefined) return v.B.length;
    if (v.BOOL !== undefined || v.NULL !== undefined) return 1;
    if (v.L) return 3 + v.L.reduce((s, x) => s + 1 + value(x), 0);
    if (v.M) return 3 + Object.entries(v.M).reduce((s, [k, x]) => s + 1 + Buffer.byteLength(k) + value(x), 0);
    if (v.SS) return v.SS.reduce((s, x) => s + Buffer.byteLength(x), 0);
    return 0;
  };
  return Object.entries(item).reduce((s, [k, v]) => s + Buffer.byteLength(k) + value(v), 0);
}

let recording = false;
const usage = new Map<string, DynamoUsage>();
let outboxRecords = 0;
const emails: Array<{ bytes: number }> = [];

function installMeters(): void {
  const dynamo = dynamoDocumentClient().middlewareStack as unknown as MiddlewareStack<object, object>;
  dynamo.remove('bench-capacity');
  dynamo.add(
    (next, context: HandlerExecutionContext) => async (args) => {
      if (!recording) return next(args);
      const input = args.input as Record<string, unknown>;
      input.ReturnConsumedCapacity = 'INDEXES';
      const out = await next(args);
      const cc = (
        out.output as { ConsumedCapacity?: { CapacityUnits?: number } | Array<{ CapacityUnits?: number }> }
      ).ConsumedCapacity;
      const units = Array.isArray(cc)
        ? cc.reduce((s, c) => s + (c.CapacityUnits ?? 0), 0)
        : (cc?.CapacityUnits ?? 0);
      const name =
        String(context.commandName).replace(/Command$/, '') +
        (input.IndexName ? ` (${String(input.IndexName)})` : '');
      const u = usage.get(name) ?? { command: name, calls: 0, capacityUnits: 0 };
      u.calls++;
      u.capacityUnits += units;
      usage.set(name, u);
      const text = JSON.stringify(input, (_k, v) => (v instanceof Uint8Array ? '' : v));
      if (text.includes(`"${ATTR.sk}":"${PREFIX.mail}`) && !/^(Get|Query)/.test(name)) outboxRecords++;
      return out;
    },
    { step: 'initialize', name: 'bench-capacity' },
  );
  const ses = sesClient().middlewareStack as unknown as MiddlewareStack<object, object>;
  ses.remove('bench-email-size');
  ses.add(
    (next) => async (args: FinalizeHandlerArguments<object>) => {
      const raw = (args.request as { body?: unknown }).body;
      const body =
        raw instanceof Uint8Array ? new TextDecoder().decode(raw) : typeof raw === 'string' ? raw : '';
      if (recording) {
        try {
          const data =
            (JSON.parse(body) as { Content?: { Raw?: { Data?: string } } }).Content?.Raw?.Data ?? '';
          emails.push({ bytes: Buffer.from(data, 'base64').length });
        } catch {
          emails.push({ bytes: body.length });
        }
      }
      return next(args);
    },
    { step: 'build', name: 'bench-email-size' },
  );
}

/** The /assets/ files a page loads (what a browser fetches on first visit). */
function assetsOf(html: string): string[] {
  return [...new Set([...html.matchAll(/(?:src|href)="(\/assets\/[^"?#]+)"/g)].map((m) => m[1] as string))];
}

export async function measureCostInputs(
  stack: LocalStack,
  api: Api,
  table: Table,
  coordinator: string,
  doctor: string,
): Promise<CostInputs> {
  installMeters();
  await table.quiesce('demo', 60_000);
  usage.clear();
  outboxRecords = 0;
  emails.length = 0;
  const requests: CostInputs['requests'] = [];
  const req = async (route: string, functionId: string, send: () => Promise<Reply>, expected = 200) => {
    const r = await send();
    if (r.status !== expected)
      throw new Error(`cost flow: ${route} answered ${r.status} ${r.text.slice(0, 200)}`);
    requests.push({ route, functionId, ms: r.ms, responseBytes: r.bytes.length });
    return r;
  };
  recording = true;
  let consentId = '';
  try {
    // Coordinator: one e-mailed invite (the costlier hand-over: it adds the invite e-mail).
    const inv = await req(
      'POST /clinic/invites',
      'invites-create',
      () =>
        api.call('POST', '/clinic/invites', {
          token: coordinator,
          json: {
            patient: {
              fullName: 'Layla Haddad',
              email: `cost.${Date.now()}@example.test`,
              locale: 'en',
              phone: '+971 50 000 0000',
            },
            treatmentId: 'mesotherapy',
            sendEmail: true,
          },
        }),
      201,
    );
    consentId = inv.json?.inviteId as string;
    const token = String(inv.json?.intakeUrl).split('/').pop() as string;
    // Patient, on a phone: the page and its assets, the form, answers, a drawn signature, the PDF.
    const page = await req('GET /intake/{token} (HTML)', 'intake-page', () =>
      api.call('GET', `/intake/${token}`, { headers: { accept: 'text/html' } }),
    );
    for (const a of assetsOf(page.text))
      await req(`GET ${a}`, 'assets', () => api.call('GET', a, { headers: { accept: '*/*' } }));
    await req('GET /intake/{token} (JSON)', 'intake-page', () => api.call('GET', `/intake/${token}`));
    const answers = await req('POST /intake/{token}/answers', 'intake-answers', () =>
      api.answer(token, REVIEW_ANSWERS),
    );
    const risks = ((answers.json?.consent as { risks?: Array<{ id: string }> } | undefined)?.risks ?? []).map(
      (r) => r.id,
    );
    await req(
      'POST /intake/{token}/signature',
      'intake-signature',
      () => api.sign(token, risks, { kind: 'drawn', pngBase64: signaturePng(1) }),
      201,
    );
    await req('GET /intake/{token}/consent.pdf', 'intake-pdf', () =>
      api.call('GET', `/intake/${token}/consent.pdf`),
    );
    // Doctor: dashboard, queue, record, countersign, final PDF.
    const dash = await req('GET /clinic (HTML)', 'clinic-page', () =>
      api.call('GET', '/clinic', { headers: { accept: 'text/html' } }),
    );
    for (const a of assetsOf(dash.text))
      await req(`GET ${a}`, 'assets', () => api.call('GET', a, { headers: { accept: '*/*' } }));
    await req('GET /clinic/consents?status=awaiting_countersign', 'consents-list', () =>
      api.call('GET', '/clinic/consents?status=awaiting_countersign&limit=50', { token: doctor }),
    );
    await req('GET /clinic/consents/{id}', 'consent-get', () =>
      api.call('GET', `/clinic/consents/${consentId}`, { token: doctor }),
    );
    await req('POST /clinic/consents/{id}/countersign', 'consent-countersign', () =>
      api.countersign(
        doctor,
        consentId,
        { bloodThinners: 'Prescriber agreed to a 7-day pause.' },
        { kind: 'drawn', pngBase64: signaturePng(2) },
      ),
    );
    await req('GET /clinic/consents/{id}/pdf', 'consent-pdf', () =>
      api.call('GET', `/clinic/consents/${consentId}/pdf`, { token: doctor }),
    );
    await table.quiesce('demo', 60_000);
    await sleep(500);
  } finally {
    recording = false;
  }
  const stored = await table.consent('demo', consentId);
  const mailsDelivered = stored.mails.filter((m) => m.status === 'sent').length;
  // Everything stored for it: the consent, its events, PDF versions and outbox (its partition rows), plus
  // its two link lookups and the two /verify lookups.
  const rows = (
    await Promise.all(
      [PREFIX.consent, PREFIX.event, PREFIX.pdf, PREFIX.mail].map((p) =>
        table.query(keys.clinicPk('demo'), `${p}${consentId}`),
      ),
    )
  ).flat();
  const extra = (await table.pdfHashes(consentId)).length * 200 + 2 * 250;
  const sized = rows.map((r) => ({ sk: String(r.sk?.S), bytes: itemSize(r as Record<string, Attr>) }));
  const storageBytes = sized.reduce((s, r) => s + r.bytes, 0) + extra;
  const kinds = new Map<string, { n: number; bytes: number }>();
  for (const r of sized) {
    const k = r.sk.split('#')[0] as string;
    const e = kinds.get(k) ?? { n: 0, bytes: 0 };
    e.n++;
    e.bytes += r.bytes;
    kinds.set(k, e);
  }
  const itemNotes = [...kinds].map(([k, e]) => `${k}: ${e.n} item(s), ${(e.bytes / 1024).toFixed(1)} KB`);
  return {
    requests,
    dynamo: [...usage.values()].sort((a, b) => b.capacityUnits - a.capacityUnits),
    outboxRecords,
    mailsDelivered,
    emails: [...emails],
    mailDeliveryMs: await measureMailDelivery(stack, api, table, coordinator, doctor),
    storageBytes,
    itemNotes,
  };
}

/**
 * How long the mailer takes per e-mail, through the same deliverMail code the stream mailer runs: with
 * SES down the first attempts fail and wait in the outbox; SES comes back, the clock moves past the back-off
 * and one timed sweeper pass delivers them.
 */
async function measureMailDelivery(
  stack: LocalStack,
  api: Api,
  table: Table,
  coordinator: string,
  doctor: string,
): Promise<Spread> {
  const perMail: number[] = [];
  for (let round = 0; round < 3; round++) {
    const ans = await api.signed(coordinator, REVIEW_ANSWERS);
    await table.quiesce('demo', 60_000);
    await stack.stopSes();
    try {
      const r = await api.countersign(doctor, ans.consentId, { bloodThinners: 'Agreed.' });
      if (r.status !== 200) throw new Error(`countersign ${r.status}`);
      await waitFor(
        async () =>
          (await table.consent('demo', ans.consentId)).mails
            .filter((m) => String(m.kind).startsWith('final'))
            .every((m) => m.lastError),
        60_000,
        'failed first attempts',
      );
    } finally {
      await stack.startSes();
    }
    const realNow = systemClock.now;
    systemClock.now = () => new Date(Date.now() + 16 * 60_000);
    try {
      const t0 = performance.now();
      const result = (await stack.sweepNow()) as { sent: number };
      const ms = performance.now() - t0;
      if (result.sent > 0) perMail.push(ms / result.sent);
    } finally {
      systemClock.now = realNow;
    }
  }
  return spread(perMail);
}
