import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consentStore } from '../../functions/adapters/runtime';
import type { AnswersInput } from '../../functions/domain/answers-schema';
import type { ConsentRecord } from '../../functions/domain/model';
import { screenAnswers } from '../../functions/domain/screening';
import { loadTemplate } from '../../functions/domain/template-store';
import type { ConsentWrite } from '../../functions/workflow/ports';
import type { TestStack } from '../support/stack';
import {
  type Api,
  expectContract,
  finalEmailsByConsent,
  pdfText,
  REVIEW_ANSWERS,
  sha256,
  sleep,
  startSuite,
  stopSuite,
  type Table,
  waitFor,
} from './harness';

/**
 * Races on the real local stack (DynamoDB Local transactions and condition expressions): concurrent
 * identical requests have exactly one winner and leave exactly one set of side effects, and answers
 * that change while a signature is being rendered can never produce a signed PDF of stale answers.
 */
let stack: TestStack;
let api: Api;
let table: Table;
let coordinator: string;
let doctor: string;

beforeAll(async () => {
  ({ stack, api, table } = await startSuite());
  coordinator = await api.login('coordinator');
  doctor = await api.login('doctor');
});

afterAll(() => stopSuite({ stack, api, table }));

const template = loadTemplate('mesotherapy');
if (!template) throw new Error('mesotherapy template missing');
const LECITHIN_TITLE = template.risks.find((r) => r.id === 'lecithin')?.title.en as string;

/** Two answer sets that differ in everything a signed PDF shows: outcome, findings, risks, free text. */
const answersA = (marker: string): AnswersInput => ({ currentMedications: marker });
const answersB = (marker: string): AnswersInput => ({
  ...REVIEW_ANSWERS,
  bloodThinnerDetails: marker,
  concerns: ['localised_fat', 'wrinkles'],
  treatmentAreas: ['abdomen', 'face'],
});

/**
 * A signed record is consistent: its screening is the screening of its stored answers, the patient
 * acknowledged exactly the risks those answers list, no answers were accepted after the signature, and
 * the one patient-signed PDF shows those answers (and not the other set).
 */
async function expectConsistentSigned(consentId: string, markers: { mine: string; other: string }) {
  const stored = await table.consent('demo', consentId);
  const c = stored.consent as unknown as ConsentRecord;
  expect(c.status).toBe('awaiting_countersign');
  const answers = c.answers ?? {};
  const screened = screenAnswers(
    template as NonNullable<typeof template>,
    answers,
    c.screening?.clinicDate as string,
    'en',
  );
  expect(c.screening?.outcome).toBe(screened.outcome);
  expect(c.screening?.findings.map((f) => f.ruleId)).toEqual(screened.findings.map((f) => f.ruleId));
  expect(c.applicableRiskIds).toEqual(screened.applicableRiskIds);
  expect(c.acknowledgedRiskIds).toEqual(screened.applicableRiskIds);
  expect(c.answeredAt && c.signedAt && c.answeredAt <= c.signedAt).toBe(true);
  const signedAt = stored.events.find((e) => e.type === 'signed')?.at as string;
  expect(stored.events.filter((e) => e.type === 'signed')).toHaveLength(1);
  expect(stored.events.filter((e) => e.type === 'answers_submitted' && String(e.at) > signedAt)).toEqual([]);

  expect(stored.pdfs).toHaveLength(1);
  const pdf = stored.pdfs[0];
  expect(pdf?.ref.kind).toBe('patient_signed');
  expect(sha256(pdf?.bytes as Uint8Array)).toBe(c.pdfVersions[0]?.sha256);
  const text = await pdfText(pdf?.bytes as Uint8Array);
  const mine = String(answers.currentMedications ?? answers.bloodThinnerDetails);
  expect(mine).toBe(markers.mine);
  expect(text).toContain(markers.mine);
  expect(text).not.toContain(markers.other);
  expect(text.includes(LECITHIN_TITLE)).toBe(screened.applicableRiskIds.includes('lecithin'));
  expect(text.includes('Takes blood thinners')).toBe(
    screened.findings.some((f) => f.ruleId === 'bloodThinners'),
  );
  expect(await table.pdfHashes(consentId)).toHaveLength(1);
}

describe('one winner', () => {
  it('20 concurrent identical signatures → one 201, one signed consent, one patient-signed PDF', async () => {
    const ans = await api.answered(coordinator, answersA('MARKER-A-twenty'));
    const before = (await table.consent('demo', ans.consentId)).consent as unknown as ConsentRecord;
    const replies = await Promise.all(Array.from({ length: 20 }, () => api.sign(ans.linkToken, ans.riskIds)));
    for (const r of replies) expectContract(r, 'signature race');
    const statuses = replies.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    const winner = replies.find((r) => r.status === 201);

    const stored = await table.consent('demo', ans.consentId);
    expect((stored.consent as unknown as ConsentRecord).rev).toBe(before.rev + 1);
    expect(sha256(stored.pdfs[0]?.bytes as Uint8Array)).toBe(winner?.json?.pdfSha256);
    expect(stored.mails.map((m) => m.kind)).toEqual(['signed_notice']);
    await expectConsistentSigned(ans.consentId, { mine: 'MARKER-A-twenty', other: 'MARKER-B' });
    // …and the clinic hears about it exactly once.
    await waitFor(
      async () => (await table.consent('demo', ans.consentId)).mails.every((m) => m.status === 'sent'),
      20_000,
      'signed notice sent',
    );
    const emailed = (await table.consent('demo', ans.consentId)).events.filter((e) => e.type === 'emailed');
    expect(emailed).toHaveLength(1);
  });

  it('10 concurrent countersigns → one 200, nine 409, one final PDF, exactly 2 final e-mails', async () => {
    const ans = await api.signed(coordinator, REVIEW_ANSWERS);
    await table.quiesce('demo');
    const body = { bloodThinners: 'Prescriber agreed to pause aspirin for 7 days.' };
    const replies = await Promise.all(
      Array.from({ length: 10 }, () => api.countersign(doctor, ans.consentId, body)),
    );
    for (const r of replies) expectContract(r, 'countersign race');
    expect(replies.filter((r) => r.status === 200)).toHaveLength(1);
    expect(replies.filter((r) => r.status === 409)).toHaveLength(9);
    const winner = replies.find((r) => r.status === 200);

    const stored = await table.consent('demo', ans.consentId);
    const c = stored.consent as unknown as ConsentRecord;
    expect(c.status).toBe('countersigned');
    expect(stored.pdfs.map((p) => p.ref.kind)).toEqual(['patient_signed', 'countersigned']);
    expect(sha256(stored.pdfs[1]?.bytes as Uint8Array)).toBe(winner?.json?.pdfSha256);
    expect(stored.events.filter((e) => e.type === 'countersigned')).toHaveLength(1);
    expect(stored.mails.map((m) => m.kind).sort()).toEqual([
      'final_archive',
      'final_patient',
      'signed_notice',
    ]);
    expect((await table.pdfHashes(ans.consentId)).map((h) => h.kind).sort()).toEqual([
      'countersigned',
      'patient_signed',
    ]);

    await waitFor(
      async () => ((await finalEmailsByConsent(stack.sesUrl)).get(ans.consentId)?.length ?? 0) >= 2,
      30_000,
      '2 final e-mails',
    );
    await stack.sweepNow(); // a sweeper pass must find nothing left to send…
    await sleep(1500); // …and the stream mailer nothing to repeat
    const finals = (await finalEmailsByConsent(stack.sesUrl)).get(ans.consentId) ?? [];
    expect(finals).toHaveLength(2);
    for (const mail of finals) {
      const att = mail.attachments?.find((a) => a.contentType === 'application/pdf');
      expect(sha256(Buffer.from(att?.content ?? '', 'base64'))).toBe(winner?.json?.pdfSha256);
    }
  });

  it('countersign and decline racing each other → exactly one of them wins, and the record says which', async () => {
    const ans = await api.signed(coordinator);
    await table.quiesce('demo');
    const replies = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        i % 2 === 0
          ? api.countersign(doctor, ans.consentId)
          : api.call('POST', `/clinic/consents/${ans.consentId}/decline`, {
              token: doctor,
              json: { reason: 'Patient postponed.' },
            }),
      ),
    );
    for (const r of replies) expectContract(r, 'countersign/decline race');
    const winners = replies.filter((r) => r.status === 200);
    expect(winners).toHaveLength(1);
    const stored = await table.consent('demo', ans.consentId);
    expect(stored.consent?.status).toBe(winners[0]?.json?.status);
    expect(stored.pdfs).toHaveLength(winners[0]?.json?.status === 'countersigned' ? 2 : 1);
  });
});

describe('answers resubmitted while signing', () => {
  it('answers committed between the signature render and its write win: the signature gets 409, nothing is half-written', async () => {
    const ans = await api.answered(coordinator, answersA('MARKER-A-gate'));
    const store = consentStore();
    const original = store.writeConsent.bind(store);
    let reached: () => void = () => undefined;
    const atGate = new Promise<void>((r) => {
      reached = r;
    });
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    store.writeConsent = async (w: ConsentWrite) => {
      if (w.consent.consentId === ans.consentId && w.consent.status === 'awaiting_countersign') {
        reached();
        await gate;
      }
      return original(w);
    };
    let signing: ReturnType<Api['sign']> | undefined;
    try {
      signing = api.sign(ans.linkToken, ans.riskIds);
      await atGate; // the PDF of answers A is rendered; its transaction waits
      const resubmitted = await api.answer(ans.linkToken, answersB('MARKER-B-gate'));
      expect(resubmitted.status).toBe(200);
      release();
      const s = await signing;
      expectContract(s, 'stale signature');
      expect(s.status).toBe(409);
    } finally {
      release();
      await signing?.catch(() => undefined);
      store.writeConsent = original;
    }
    const stored = await table.consent('demo', ans.consentId);
    const c = stored.consent as unknown as ConsentRecord;
    expect(c.status).toBe('answered');
    expect(c.answers?.bloodThinnerDetails).toBe('MARKER-B-gate');
    expect(stored.pdfs).toEqual([]);
    expect(await table.pdfHashes(ans.consentId)).toEqual([]);
    expect(stored.events.filter((e) => e.type === 'signed')).toEqual([]);
    expect(stored.mails).toEqual([]);

    // The patient signs again, now acknowledging the risks of the answers that were stored.
    const retry = await api.sign(ans.linkToken, ans.riskIds);
    expect(retry.status).toBe(400); // the lecithin risk of answers B was not acknowledged
    const now = await api.call('GET', `/intake/${ans.linkToken}`);
    const risks = (
      (now.json?.consent as { en: { risks: Array<{ id: string }> } } | undefined)?.en.risks ?? []
    ).map((r) => r.id);
    expect(risks).toContain('lecithin');
    expect((await api.sign(ans.linkToken, risks)).status).toBe(201);
    await expectConsistentSigned(ans.consentId, { mine: 'MARKER-B-gate', other: 'MARKER-A-gate' });
  });

  it('free-running interleavings of answers and a signature always end consistent', async () => {
    for (let round = 0; round < 6; round++) {
      const a = `MARKER-A-r${round}`;
      const b = `MARKER-B-r${round}`;
      const ans = await api.answered(coordinator, answersA(a));
      const delayed = <T>(ms: number, f: () => Promise<T>) => sleep(ms).then(f);
      const jitter = () => Math.floor(Math.random() * 40);
      const [sign, ...answers] = await Promise.all([
        delayed(jitter(), () => api.sign(ans.linkToken, ans.riskIds)),
        delayed(jitter(), () => api.answer(ans.linkToken, answersB(b))),
        delayed(jitter(), () => api.answer(ans.linkToken, answersA(a))),
        delayed(jitter(), () => api.answer(ans.linkToken, answersB(b))),
      ]);
      for (const r of [sign, ...answers]) expectContract(r, { round });
      expect([201, 400, 409]).toContain(sign?.status);
      for (const r of answers) expect([200, 409]).toContain(r.status);
      let stored = (await table.consent('demo', ans.consentId)).consent as unknown as ConsentRecord;
      if (stored.status === 'answered') {
        expect(sign?.status).not.toBe(201);
        expect((await table.consent('demo', ans.consentId)).pdfs).toEqual([]);
        expect((await api.sign(ans.linkToken, stored.applicableRiskIds ?? [])).status).toBe(201);
        stored = (await table.consent('demo', ans.consentId)).consent as unknown as ConsentRecord;
      } else expect(sign?.status).toBe(201);
      const mine = stored.answers?.currentMedications === a ? a : b;
      await expectConsistentSigned(ans.consentId, { mine, other: mine === a ? b : a });
    }
  });
});
