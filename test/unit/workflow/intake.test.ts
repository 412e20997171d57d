import { describe, expect, it } from 'vitest';
import {
  ConflictError,
  LinkExpiredError,
  NotFoundError,
  ValidationFailedError,
} from '../../../functions/domain/errors';
import { sha256Hex } from '../../../functions/domain/ids';
import { hashLinkToken, newLinkToken } from '../../../functions/domain/tokens';
import {
  patientPdf,
  recordLinkOpened,
  type SignatureRequest,
  signConsent,
  submitAnswers,
} from '../../../functions/workflow/intake';
import { revokeLink } from '../../../functions/workflow/links';
import { coordinator, LINK_TTL_MS, meta, newWorld } from '../../fakes/world';
import { cleanAnswers } from '../../fixtures/answers';

/** The patient's use cases (functions/workflow/intake.ts) against the in-memory store. */
const typed = (ackIds: string[]): SignatureRequest => ({
  signature: { kind: 'typed', name: 'Layla Haddad' },
  acknowledgedRiskIds: ackIds,
  agreeToTreatment: true,
  agreeToElectronicRecords: true,
});

describe('openIntake', () => {
  it('opens a valid link: the link, the consent, the clinic and the template', async () => {
    const w = await newWorld();
    const inv = await w.invited();
    const ctx = await w.open(inv.token);
    expect(ctx.consent).toMatchObject({ consentId: inv.consentId, status: 'invited' });
    expect(ctx.link.tokenHash).toBe(hashLinkToken(inv.token));
    expect(ctx.clinic.clinicId).toBe('demo');
    expect(ctx.template.id).toBe('mesotherapy');
    await recordLinkOpened(w.deps, ctx, meta);
    const events = await w.store.listEvents('demo', inv.consentId);
    expect(events.at(-1)).toMatchObject({ type: 'link_opened', data: { channel: 'handover' } });
  });

  it('a malformed or unknown token → 404', async () => {
    const w = await newWorld();
    await expect(w.open('short')).rejects.toBeInstanceOf(NotFoundError);
    await expect(w.open(newLinkToken())).rejects.toBeInstanceOf(NotFoundError);
  });

  it('a link to a missing consent, clinic or template → 404', async () => {
    const w = await newWorld();
    const inv = await w.invited();
    const ctx = await w.open(inv.token);
    const orphan = newLinkToken();
    await w.store.putLink({
      ...ctx.link,
      tokenHash: hashLinkToken(orphan),
      consentId: '01JXXXXXXXXXXXXXXXXXXXXXXX',
    });
    await expect(w.open(orphan)).rejects.toBeInstanceOf(NotFoundError);
    const noClinic = newLinkToken();
    await w.store.writeConsent({
      consent: { ...ctx.consent, clinicId: 'gone', consentId: '01JYYYYYYYYYYYYYYYYYYYYYYY' },
      expectedRev: null,
      link: {
        ...ctx.link,
        tokenHash: hashLinkToken(noClinic),
        clinicId: 'gone',
        consentId: '01JYYYYYYYYYYYYYYYYYYYYYYY',
      },
      events: [],
    });
    await expect(w.open(noClinic)).rejects.toBeInstanceOf(NotFoundError);
    const noTemplate = newLinkToken();
    await w.store.writeConsent({
      consent: { ...ctx.consent, consentId: '01JZZZZZZZZZZZZZZZZZZZZZZZ', treatmentId: 'retired' },
      expectedRev: null,
      link: { ...ctx.link, tokenHash: hashLinkToken(noTemplate), consentId: '01JZZZZZZZZZZZZZZZZZZZZZZZ' },
      events: [],
    });
    await expect(w.open(noTemplate)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('past expiry → 410, also after signing', async () => {
    const w = await newWorld();
    const s = await w.signed();
    w.clock.advance(LINK_TTL_MS - 2 * 60_000 - 1);
    await expect(w.open(s.token)).resolves.toBeDefined();
    w.clock.advance(1);
    await expect(w.open(s.token)).rejects.toBeInstanceOf(LinkExpiredError);
  });

  it('a revoked link → 410 before signing', async () => {
    const w = await newWorld();
    const inv = await w.invited();
    await revokeLink(w.deps, coordinator, inv.consentId, meta);
    await expect(w.open(inv.token)).rejects.toBeInstanceOf(LinkExpiredError);
  });
});

describe('submitAnswers', () => {
  it('clean answers screen eligible: the consent is answered (rev 2), two events, no mail, the consent view', async () => {
    const w = await newWorld();
    const a = await w.answered();
    expect(a.result.screening).toEqual({ outcome: 'eligible', findings: [] });
    expect(a.result.consent?.risks.length).toBeGreaterThan(0);
    const stored = await w.store.getConsent('demo', a.consentId);
    expect(stored).toMatchObject({
      status: 'answered',
      outcome: 'eligible',
      rev: 2,
      answeredAt: w.clock.iso(),
    });
    expect(stored?.applicableRiskIds).toEqual(a.result.consent?.risks.map((r) => r.id));
    expect(stored?.screening?.clinicDate).toBe('2026-11-21');
    const events = await w.store.listEvents('demo', a.consentId);
    expect(events.map((e) => e.type)).toEqual(['invited', 'answers_submitted', 'screening_result']);
    expect(events[2]?.data).toEqual({ outcome: 'eligible', findings: '' });
    expect(await w.store.listMails('demo', a.consentId)).toEqual([]);
  });

  it('a finding that needs review: needs_review, the finding recorded, still signable', async () => {
    const w = await newWorld();
    const a = await w.answered(cleanAnswers({ allergies: true, allergyDetails: 'penicillin' }));
    expect(a.result.screening.outcome).toBe('needs_review');
    expect(a.result.screening.findings.map((f) => f.severity)).toContain('review');
    expect(a.result.consent).toBeDefined();
    const events = await w.store.listEvents('demo', a.consentId);
    const screened = events.at(-1);
    expect(screened?.type === 'screening_result' && screened.data.findings).toMatch(/:review/);
  });

  it('ineligible: no consent view, the clinic is told by an outbox mail, the link closes for answers', async () => {
    const w = await newWorld();
    const a = await w.answered(cleanAnswers({ pregnant: true }));
    expect(a.result.screening.outcome).toBe('ineligible');
    expect(a.result.consent).toBeUndefined();
    const mails = await w.store.listMails('demo', a.consentId);
    expect(mails).toEqual([
      expect.objectContaining({
        kind: 'ineligible_notice',
        to: 'archive@demo.example.test',
        status: 'pending',
      }),
    ]);
    const ctx = await w.open(a.token);
    await expect(submitAnswers(w.deps, ctx, { answers: cleanAnswers() }, meta)).rejects.toBeInstanceOf(
      ConflictError,
    );
    await expect(signConsent(w.signDeps, ctx, typed([]), meta)).rejects.toBeInstanceOf(ConflictError);
    expect((await w.store.getConsent('demo', a.consentId))?.rev).toBe(2);
  });

  it('answers may change until signing; the locale chosen is kept', async () => {
    const w = await newWorld();
    const a = await w.answered(cleanAnswers({ allergies: true, allergyDetails: 'latex' }));
    const again = await submitAnswers(
      w.deps,
      await w.open(a.token),
      { answers: cleanAnswers(), locale: 'ar' },
      meta,
    );
    expect(again.screening.outcome).toBe('eligible');
    expect(await w.store.getConsent('demo', a.consentId)).toMatchObject({
      outcome: 'eligible',
      locale: 'ar',
      rev: 3,
    });
  });

  it('invalid answers → 400 with issues under answers, nothing written', async () => {
    const w = await newWorld();
    const inv = await w.invited();
    const ctx = await w.open(inv.token);
    const err = await submitAnswers(w.deps, ctx, { answers: { pregnant: 'yes' } }, meta).catch((e) => e);
    expect(err).toBeInstanceOf(ValidationFailedError);
    expect(err.issues.every((i: { path: string }) => i.path.startsWith('answers'))).toBe(true);
    expect(await w.store.getConsent('demo', inv.consentId)).toEqual(ctx.consent);
  });

  it('after signing answers are refused (409)', async () => {
    const w = await newWorld();
    const s = await w.signed();
    await expect(
      submitAnswers(w.deps, await w.open(s.token), { answers: cleanAnswers() }, meta),
    ).rejects.toBeInstanceOf(ConflictError);
  });

  it('a stale context (another tab answered first) loses with a 409', async () => {
    const w = await newWorld();
    const inv = await w.invited();
    const tab1 = await w.open(inv.token);
    const tab2 = await w.open(inv.token);
    await submitAnswers(w.deps, tab1, { answers: cleanAnswers() }, meta);
    await expect(submitAnswers(w.deps, tab2, { answers: cleanAnswers() }, meta)).rejects.toBeInstanceOf(
      ConflictError,
    );
  });
});

describe('signConsent', () => {
  it('writes the signed record, PDF version 1, its hash lookup, the event and the clinic notice in one write', async () => {
    const w = await newWorld();
    const a = await w.answered();
    w.clock.advance(60_000);
    const ctx = await w.open(a.token);
    const res = await signConsent(w.signDeps, ctx, typed(ctx.consent.applicableRiskIds ?? []), meta);
    const stored = await w.store.getConsent('demo', a.consentId);
    expect(res).toEqual({
      consentId: a.consentId,
      status: 'awaiting_countersign',
      pdfSha256: stored?.pdfVersions[0]?.sha256,
    });
    expect(stored).toMatchObject({
      status: 'awaiting_countersign',
      rev: 3,
      signedAt: w.clock.iso(),
      acknowledgedRiskIds: ctx.consent.applicableRiskIds,
      agreements: { treatment: true, electronicRecords: true },
      patientSignature: { kind: 'typed', typedName: 'Layla Haddad', ip: meta.ip, userAgent: meta.userAgent },
    });
    expect(stored?.pdfVersions).toEqual([
      expect.objectContaining({ version: 1, kind: 'patient_signed', createdAt: w.clock.iso() }),
    ]);
    const pdf = await w.store.getPdf('demo', a.consentId, 1);
    expect(sha256Hex(pdf?.bytes as Uint8Array)).toBe(res.pdfSha256);
    expect(pdf?.ref.bytes).toBe(pdf?.bytes.length);
    expect(await w.store.findPdfByHash(res.pdfSha256)).toMatchObject({
      consentId: a.consentId,
      ref: { version: 1 },
    });
    // The renderer was given the signed record.
    expect(w.renderer.rendered.at(-1)).toMatchObject({ kind: 'patient_signed', documentId: a.consentId });
    const events = await w.store.listEvents('demo', a.consentId);
    expect(events.at(-1)).toMatchObject({
      type: 'signed',
      data: { signature: 'typed', pdfSha256: res.pdfSha256, locale: 'en' },
    });
    expect(await w.store.listMails('demo', a.consentId)).toEqual([
      expect.objectContaining({
        kind: 'signed_notice',
        to: 'archive@demo.example.test',
        status: 'pending',
        attempts: 0,
      }),
    ]);
  });

  it('every listed risk must be acknowledged, and no other: 400 naming each, nothing written', async () => {
    const w = await newWorld();
    const a = await w.answered();
    const ctx = await w.open(a.token);
    const [first, ...rest] = ctx.consent.applicableRiskIds ?? [];
    const err = await signConsent(w.signDeps, ctx, typed([...rest, 'made_up']), meta).catch((e) => e);
    expect(err).toBeInstanceOf(ValidationFailedError);
    expect(err.issues.map((i: { message: string }) => i.message)).toEqual([
      `Risk "${first}" was not acknowledged`,
      'Risk "made_up" is not part of this consent',
    ]);
    expect((await w.store.getConsent('demo', a.consentId))?.status).toBe('answered');
    expect(await w.store.listMails('demo', a.consentId)).toEqual([]);
    expect(w.renderer.rendered).toHaveLength(0);
  });

  it('before answering, or a second time → 409', async () => {
    const w = await newWorld();
    const inv = await w.invited();
    await expect(signConsent(w.signDeps, await w.open(inv.token), typed([]), meta)).rejects.toBeInstanceOf(
      ConflictError,
    );
    const s = await w.signed();
    await expect(signConsent(w.signDeps, await w.open(s.token), typed([]), meta)).rejects.toBeInstanceOf(
      ConflictError,
    );
  });

  it('two signs racing from the same read: one wins, the other gets 409 and leaves nothing behind', async () => {
    const w = await newWorld();
    const a = await w.answered();
    const ctx = await w.open(a.token);
    const risks = ctx.consent.applicableRiskIds ?? [];
    const drawnAt = w.clock.iso();
    const results = await Promise.allSettled([
      signConsent(w.signDeps, ctx, typed(risks), meta),
      signConsent(
        w.signDeps,
        ctx,
        { ...typed(risks), signature: { kind: 'typed', name: 'Layla H' } },
        { ...meta, ip: '198.51.100.1' },
      ),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(lost.reason).toBeInstanceOf(ConflictError);
    const stored = await w.store.getConsent('demo', a.consentId);
    expect(stored?.pdfVersions).toHaveLength(1);
    expect((await w.store.listEvents('demo', a.consentId)).filter((e) => e.type === 'signed')).toHaveLength(
      1,
    );
    expect(await w.store.listMails('demo', a.consentId)).toHaveLength(1);
    expect(stored?.signedAt).toBe(drawnAt);
  });

  it('the patient downloads their signed PDF; the download is audited', async () => {
    const w = await newWorld();
    const inv = await w.invited();
    await expect(patientPdf(w.deps, await w.open(inv.token), meta)).rejects.toBeInstanceOf(ConflictError);
    const s = await w.signed();
    const pdf = await patientPdf(w.deps, await w.open(s.token), meta);
    expect(sha256Hex(pdf.bytes)).toBe(s.signature.pdfSha256);
    const events = await w.store.listEvents('demo', s.consentId);
    expect(events.at(-1)).toMatchObject({
      type: 'pdf_downloaded',
      actor: { kind: 'patient' },
      data: { version: 1 },
    });
  });
});
