import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ConsentRecord } from '../../functions/domain/model';
import { signaturePng } from '../fixtures/consent-document';
import type { TestStack } from '../support/stack';
import {
  type Api,
  expectContract,
  finalEmailsByConsent,
  percentile,
  REVIEW_ANSWERS,
  type Reply,
  sentEmails,
  sleep,
  startSuite,
  stopSuite,
  type Table,
  waitFor,
} from './harness';

/**
 * 50 simulated patients through the whole flow at once on the local stack (invite → open → answers →
 * signature → patient PDF → countersign): no error, no lost record, and every e-mail delivered exactly
 * once — the signed notice to the clinic, then the final PDF to the patient and to the archive.
 */
const PATIENTS = 50;

let stack: TestStack;
let api: Api;
let table: Table;

beforeAll(async () => ({ stack, api, table } = await startSuite()));

afterAll(() => stopSuite({ stack, api, table }));

it(`${PATIENTS} patients at once: 0 errors, 0 lost records, every e-mail exactly once`, async () => {
  const coordinator = await api.login('coordinator');
  const doctor = await api.login('doctor');
  const run = Date.now().toString(36);
  const latencies = new Map<string, number[]>();
  const errors: string[] = [];

  const step = async (name: string, expected: number, send: () => Promise<Reply>): Promise<Reply> => {
    const r = await send();
    latencies.set(name, [...(latencies.get(name) ?? []), r.ms]);
    expectContract(r, name);
    if (r.status !== expected) errors.push(`${name}: ${r.status} ${r.text.slice(0, 200)}`);
    return r;
  };

  const patient = async (i: number) => {
    const review = i % 3 === 0;
    const fullName = i % 2 ? `Patient ${i} ${run}` : `مريضة ${i} ${run}`;
    const email = `load.${run}.${i}@example.test`;
    const inv = await step('POST /clinic/invites', 201, () =>
      api.call('POST', '/clinic/invites', {
        token: coordinator,
        json: {
          patient: {
            fullName,
            email,
            locale: i % 2 ? 'en' : 'ar',
            ...(i % 4 ? { phone: '+971 50 000 0000' } : {}),
          },
          treatmentId: 'mesotherapy',
        },
      }),
    );
    const token = String(inv.json?.intakeUrl).split('/').pop() as string;
    const consentId = inv.json?.inviteId as string;
    await step('GET /intake/{token}', 200, () => api.call('GET', `/intake/${token}`));
    const overrides = review
      ? REVIEW_ANSWERS
      : i % 3 === 1
        ? { concerns: ['localised_fat'], treatmentAreas: ['abdomen'] }
        : {};
    const a = await step('POST /intake/{token}/answers', 200, () =>
      api.answer(token, overrides, i % 2 ? 'en' : 'ar'),
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
    return { consentId, email, fullName };
  };

  const t0 = performance.now();
  const patients = await Promise.all(Array.from({ length: PATIENTS }, (_, i) => patient(i)));
  const wall = performance.now() - t0;
  const summary = [...latencies].map(
    ([route, ms]) =>
      `${route}: p50 ${Math.round(percentile(ms, 50))} ms, p95 ${Math.round(percentile(ms, 95))} ms`,
  );
  console.log(`${PATIENTS} concurrent patients in ${Math.round(wall)} ms\n  ${summary.join('\n  ')}`);
  expect(errors).toEqual([]);

  // No lost records: every consent countersigned, with both PDF versions and its outbox.
  for (const p of patients) {
    const stored = await table.consent('demo', p.consentId);
    expect((stored.consent as unknown as ConsentRecord).status).toBe('countersigned');
    expect(stored.pdfs.map((x) => x.ref.kind)).toEqual(['patient_signed', 'countersigned']);
    expect(stored.mails.map((m) => m.kind).sort()).toEqual([
      'final_archive',
      'final_patient',
      'signed_notice',
    ]);
  }

  // Every e-mail delivered, then nothing more: exactly one attempt each, exactly one message each.
  await waitFor(
    async () => {
      const finals = await finalEmailsByConsent(stack.sesUrl);
      return patients.every((p) => (finals.get(p.consentId)?.length ?? 0) >= 2);
    },
    90_000,
    'all final e-mails',
    500,
  );
  await table.quiesce('demo', 30_000);
  await stack.sweepNow();
  await sleep(1500);
  const finals = await finalEmailsByConsent(stack.sesUrl);
  const all = await sentEmails(stack.sesUrl);
  for (const p of patients) {
    const mine = finals.get(p.consentId) ?? [];
    expect(mine.map((e) => e.destination.to.join()).sort()).toEqual(
      ['archive@demo-clinic.example.test', p.email].sort(),
    );
    expect(all.filter((e) => e.subject.includes(p.fullName) && !e.attachments?.length)).toHaveLength(1); // the signed notice
    const stored = await table.consent('demo', p.consentId);
    for (const m of stored.mails)
      expect({ kind: m.kind, status: m.status, attempts: m.attempts }).toEqual({
        kind: m.kind,
        status: 'sent',
        attempts: 1,
      });
    expect(stored.events.filter((e) => e.type === 'emailed')).toHaveLength(3);
  }
});
