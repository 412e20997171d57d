import { describe, expect, it } from 'vitest';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ReviewIncompleteError,
  ValidationFailedError,
} from '../../../functions/domain/errors';
import { sha256Hex } from '../../../functions/domain/ids';
import { hashLinkToken } from '../../../functions/domain/tokens';
import { consentDetail, listConsents, staffPdf } from '../../../functions/workflow/consent-views';
import { createInvite } from '../../../functions/workflow/invites';
import { revokeLink } from '../../../functions/workflow/links';
import { deliverMail } from '../../../functions/workflow/mail';
import { countersignConsent, declineConsent } from '../../../functions/workflow/review';
import { fakeSealer, SEAL_MARK } from '../../fakes/pdf';
import {
  APP_URL,
  coordinator,
  doctor,
  LINK_TTL_MS,
  meta,
  newWorld,
  otherClinicDoctor,
  patient,
} from '../../fakes/world';
import { cleanAnswers } from '../../fixtures/answers';

/** The clinic's use cases (invites, review, links, views) against the in-memory store. */
const drawnless = { kind: 'typed' as const, name: 'Sara Nasser' };
const reviewAnswers = () => cleanAnswers({ allergies: true, allergyDetails: 'penicillin' });

describe('createInvite', () => {
  it('creates the invited record, its hand-over link (hash only) and the invited event in one write', async () => {
    const w = await newWorld();
    const res = await createInvite(w.inviteDeps, coordinator, { patient, treatmentId: 'mesotherapy' }, meta);
    const token = res.intakeUrl.split('/').pop() as string;
    expect(res.intakeUrl).toBe(`${APP_URL}/intake/${token}`);
    expect(res).toMatchObject({ consentId: res.inviteId, status: 'invited' });
    expect(res.expiresAt).toBe(new Date(w.clock.now().getTime() + LINK_TTL_MS).toISOString());
    expect(await w.store.getConsent('demo', res.consentId)).toMatchObject({
      status: 'invited',
      branchId: 'jumeirah',
      patient,
      createdBy: coordinator.sub,
      linkExpiresAt: res.expiresAt,
      rev: 1,
      pdfVersions: [],
    });
    expect(await w.store.getLink(hashLinkToken(token))).toMatchObject({
      consentId: res.consentId,
      channel: 'handover',
    });
    const events = await w.store.listEvents('demo', res.consentId);
    expect(events).toEqual([
      expect.objectContaining({
        type: 'invited',
        actor: { kind: 'staff', id: coordinator.sub, name: coordinator.name },
        data: expect.objectContaining({ sendEmail: false }),
      }),
    ]);
    expect(await w.store.listMails('demo', res.consentId)).toEqual([]);
  });

  it('with sendEmail the invitation is queued in the same write', async () => {
    const w = await newWorld();
    const inv = await w.invited({ sendEmail: true, branchId: 'marina' });
    expect((await w.store.getConsent('demo', inv.consentId))?.branchId).toBe('marina');
    expect(await w.store.listMails('demo', inv.consentId)).toEqual([
      expect.objectContaining({ kind: 'invite', to: patient.email, locale: 'en', status: 'pending' }),
    ]);
  });

  it('unknown treatment or branch → 400; a clinic not set up → 403; nothing written', async () => {
    const w = await newWorld();
    await expect(
      createInvite(w.inviteDeps, coordinator, { patient, treatmentId: 'botox' }, meta),
    ).rejects.toBeInstanceOf(ValidationFailedError);
    await expect(
      createInvite(
        w.inviteDeps,
        coordinator,
        { patient, treatmentId: 'mesotherapy', branchId: 'nowhere' },
        meta,
      ),
    ).rejects.toBeInstanceOf(ValidationFailedError);
    await expect(
      createInvite(
        w.inviteDeps,
        { ...coordinator, clinicId: 'unknown' },
        { patient, treatmentId: 'mesotherapy' },
        meta,
      ),
    ).rejects.toBeInstanceOf(ForbiddenError);
    expect((await w.store.listConsents('demo', { limit: 10 })).items).toEqual([]);
  });
});

describe('countersignConsent', () => {
  it('needs a doctor (403) of the same clinic (404) and a signed consent (409)', async () => {
    const w = await newWorld();
    const deps = { ...w.deps, renderPdf: w.renderer.renderPdf };
    const a = await w.answered();
    const input = { signature: drawnless, findingNotes: {} };
    await expect(countersignConsent(deps, coordinator, a.consentId, input, meta)).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    await expect(
      countersignConsent(deps, otherClinicDoctor, a.consentId, input, meta),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(countersignConsent(deps, doctor, a.consentId, input, meta)).rejects.toBeInstanceOf(
      ConflictError,
    );
  });

  it('every review finding needs a note (422); notes for findings it lacks → 400; nothing written', async () => {
    const w = await newWorld();
    const deps = { ...w.deps, renderPdf: w.renderer.renderPdf };
    const s = await w.signed(reviewAnswers());
    const before = await w.store.getConsent('demo', s.consentId);
    const review = before?.screening?.findings.filter((f) => f.severity === 'review') ?? [];
    expect(review.length).toBeGreaterThan(0);
    const missing = await countersignConsent(
      deps,
      doctor,
      s.consentId,
      { signature: drawnless, findingNotes: {} },
      meta,
    ).catch((e) => e);
    expect(missing).toBeInstanceOf(ReviewIncompleteError);
    expect(missing.issues.map((i: { path: string }) => i.path)).toEqual(
      review.map((f) => `findingNotes.${f.ruleId}`),
    );
    const blank = Object.fromEntries(review.map((f) => [f.ruleId, '   ']));
    await expect(
      countersignConsent(deps, doctor, s.consentId, { signature: drawnless, findingNotes: blank }, meta),
    ).rejects.toBeInstanceOf(ReviewIncompleteError);
    const unknown = await countersignConsent(
      deps,
      doctor,
      s.consentId,
      { signature: drawnless, findingNotes: { pregnant: 'n/a' } },
      meta,
    ).catch((e) => e);
    expect(unknown).toBeInstanceOf(ValidationFailedError);
    expect(unknown.issues).toEqual([
      { path: 'findingNotes.pregnant', message: 'Not a finding of this consent' },
    ]);
    expect(await w.store.getConsent('demo', s.consentId)).toEqual(before);
    expect(w.renderer.rendered.filter((d) => d.kind === 'countersigned')).toHaveLength(0);
  });

  it('seals the final PDF, stores and hashes the sealed bytes, queues both final mails, in one write', async () => {
    const w = await newWorld();
    const sealer = fakeSealer();
    const deps = { ...w.deps, renderPdf: w.renderer.renderPdf, sealPdf: sealer.sealPdf, appUrl: APP_URL };
    const s = await w.signed(reviewAnswers());
    const signedRecord = await w.store.getConsent('demo', s.consentId);
    const notes = Object.fromEntries(
      (signedRecord?.screening?.findings ?? [])
        .filter((f) => f.severity === 'review')
        .map((f) => [f.ruleId, '  Patch test negative. ']),
    );
    w.clock.advance(3600_000);
    const res = await countersignConsent(
      deps,
      doctor,
      s.consentId,
      { signature: drawnless, findingNotes: notes },
      meta,
    );
    const stored = await w.store.getConsent('demo', s.consentId);
    expect(stored).toMatchObject({
      status: 'countersigned',
      countersignedAt: w.clock.iso(),
      rev: 4,
      countersignature: {
        kind: 'typed',
        doctorId: doctor.sub,
        doctorName: doctor.name,
        licence: 'DHA-12345',
      },
    });
    const countersigned = (await w.store.listEvents('demo', s.consentId)).find(
      (e) => e.type === 'countersigned',
    );
    expect(countersigned?.actor).toEqual({
      kind: 'staff',
      id: doctor.sub,
      name: doctor.name,
      licence: 'DHA-12345',
    });
    expect(Object.values(stored?.findingNotes ?? {})).toEqual(
      Object.values(notes).map(() => 'Patch test negative.'),
    );
    expect(stored?.pdfVersions.map((v) => [v.version, v.kind])).toEqual([
      [1, 'patient_signed'],
      [2, 'countersigned'],
    ]);
    // The stored version 2 is the sealed bytes, and its hash is theirs.
    const pdf = await w.store.getPdf('demo', s.consentId, 2);
    const bytes = pdf?.bytes as Uint8Array;
    expect([...bytes.subarray(bytes.length - SEAL_MARK.length)]).toEqual([...SEAL_MARK]);
    expect(res).toEqual({ status: 'countersigned', pdfSha256: sha256Hex(bytes), consentId: s.consentId });
    expect(stored?.pdfVersions[1]).toMatchObject({ sha256: res.pdfSha256, bytes: bytes.length });
    expect(await w.store.findPdfByHash(res.pdfSha256)).toMatchObject({
      consentId: s.consentId,
      ref: { version: 2 },
    });
    expect(sealer.calls).toHaveLength(1);
    expect(sealer.calls[0]?.details).toMatchObject({
      location: 'Demo Aesthetics, Jumeirah',
      signingTime: w.clock.now(),
    });
    // The audit page was rendered from the history plus the countersignature itself.
    const doc = w.renderer.rendered.at(-1);
    expect(doc?.kind).toBe('countersigned');
    expect(doc?.audit?.events.map((e) => e.type)).toEqual([
      'invited',
      'answers_submitted',
      'screening_result',
      'signed',
      'countersigned',
    ]);
    expect(doc?.audit?.sealed).toBe(true);
    const events = await w.store.listEvents('demo', s.consentId);
    expect(events.at(-1)).toMatchObject({
      type: 'countersigned',
      data: { pdfSha256: res.pdfSha256, sealed: true, notes: 1 },
    });
    const mails = await w.store.listMails('demo', s.consentId);
    expect(mails.map((m) => [m.kind, m.to, m.status]).sort()).toEqual([
      ['final_archive', 'archive@demo.example.test', 'pending'],
      ['final_patient', patient.email, 'pending'],
      ['signed_notice', 'archive@demo.example.test', 'pending'],
    ]);
  });

  it('without a sealer the rendered bytes are stored as they are', async () => {
    const w = await newWorld();
    const s = await w.signed();
    const res = await countersignConsent(
      { ...w.deps, renderPdf: w.renderer.renderPdf, sealPdf: null },
      doctor,
      s.consentId,
      { signature: drawnless, findingNotes: {} },
      meta,
    );
    const bytes = (await w.store.getPdf('demo', s.consentId, 2))?.bytes as Uint8Array;
    expect(new TextDecoder().decode(bytes)).toMatch(/^%PDF-fake countersigned/);
    expect(res.pdfSha256).toBe(sha256Hex(bytes));
  });

  it('already countersigned → 409; a declined one → 409; two racing countersigns → one wins', async () => {
    const w = await newWorld();
    const deps = { ...w.deps, renderPdf: w.renderer.renderPdf };
    const input = { signature: drawnless, findingNotes: {} };
    const s = await w.signed();
    const results = await Promise.allSettled([
      countersignConsent(deps, doctor, s.consentId, input, meta),
      countersignConsent(deps, { ...doctor, sub: 'second-doctor' }, s.consentId, input, meta),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toBeInstanceOf(
      ConflictError,
    );
    expect((await w.store.getConsent('demo', s.consentId))?.pdfVersions).toHaveLength(2);
    expect(
      (await w.store.listMails('demo', s.consentId)).filter((m) => m.kind.startsWith('final')),
    ).toHaveLength(2);
    await expect(countersignConsent(deps, doctor, s.consentId, input, meta)).rejects.toThrow(
      /already countersigned/,
    );
    const d = await w.signed();
    await declineConsent(w.deps, doctor, d.consentId, { reason: 'Not suitable today' }, meta);
    await expect(countersignConsent(deps, doctor, d.consentId, input, meta)).rejects.toThrow(/declined/);
  });
});

describe('declineConsent', () => {
  it('declines a signed consent with the reason and an event; the patient is told in their language', async () => {
    const w = await newWorld();
    const s = await w.signed();
    w.clock.advance(5000);
    const res = await declineConsent(w.deps, doctor, s.consentId, { reason: 'Not suitable today' }, meta);
    expect(res).toEqual({ status: 'declined', consentId: s.consentId });
    expect(await w.store.getConsent('demo', s.consentId)).toMatchObject({
      status: 'declined',
      declinedAt: w.clock.iso(),
      declinedBy: doctor.sub,
      declineReason: 'Not suitable today',
      rev: 4,
    });
    expect((await w.store.listEvents('demo', s.consentId)).at(-1)).toMatchObject({
      type: 'declined',
      actor: { id: doctor.sub },
    });
    const mails = await w.store.listMails('demo', s.consentId);
    expect(mails.map((m) => m.kind).sort()).toEqual(['declined_patient', 'signed_notice']);
    const notice = mails.find((m) => m.kind === 'declined_patient');
    expect(notice).toMatchObject({ to: 'layla@example.test', locale: 'en', status: 'pending' });
    // Delivered like every outbox mail: in the patient's language, with the clinic's contact, no reason.
    await deliverMail(w.mailDeps, notice as NonNullable<typeof notice>);
    const sent = w.sender.sent.at(-1);
    expect(sent?.to).toBe('layla@example.test');
    expect(sent?.text).toContain('did not countersign');
    expect(sent?.text).toContain('+971 4 000 0000');
    expect(sent?.text).not.toContain('Not suitable today');
  });

  it('only a doctor (403), only a signed consent (409), only once (409)', async () => {
    const w = await newWorld();
    const a = await w.answered();
    await expect(
      declineConsent(w.deps, coordinator, a.consentId, { reason: 'x' }, meta),
    ).rejects.toBeInstanceOf(ForbiddenError);
    await expect(declineConsent(w.deps, doctor, a.consentId, { reason: 'x' }, meta)).rejects.toThrow(
      /not signed yet/,
    );
    const ineligible = await w.answered(cleanAnswers({ pregnant: true }));
    await expect(declineConsent(w.deps, doctor, ineligible.consentId, { reason: 'x' }, meta)).rejects.toThrow(
      /ineligible/,
    );
    const s = await w.signed();
    await declineConsent(w.deps, doctor, s.consentId, { reason: 'x' }, meta);
    await expect(declineConsent(w.deps, doctor, s.consentId, { reason: 'y' }, meta)).rejects.toBeInstanceOf(
      ConflictError,
    );
    expect((await w.store.getConsent('demo', s.consentId))?.declineReason).toBe('x');
  });
});

describe('revokeLink', () => {
  it('revokes before signing, once: again is a no-op; any staff role may', async () => {
    const w = await newWorld();
    const a = await w.answered();
    w.clock.advance(1000);
    const res = await revokeLink(w.deps, coordinator, a.consentId, meta);
    expect(res).toEqual({
      consentId: a.consentId,
      status: 'answered',
      linkRevoked: true,
      revokedAt: w.clock.iso(),
    });
    const stored = await w.store.getConsent('demo', a.consentId);
    expect(stored).toMatchObject({ linkRevoked: true, rev: 3, status: 'answered' });
    expect(await revokeLink(w.deps, doctor, a.consentId, meta)).toEqual({
      consentId: a.consentId,
      status: 'answered',
      linkRevoked: true,
    });
    expect(await w.store.getConsent('demo', a.consentId)).toEqual(stored);
    const events = (await w.store.listEvents('demo', a.consentId)).filter((e) => e.type === 'link_revoked');
    expect(events).toEqual([expect.objectContaining({ data: { status: 'answered' } })]);
  });

  it('after signing → 409; another clinic’s consent → 404', async () => {
    const w = await newWorld();
    const s = await w.signed();
    await expect(revokeLink(w.deps, coordinator, s.consentId, meta)).rejects.toBeInstanceOf(ConflictError);
    await expect(revokeLink(w.deps, otherClinicDoctor, s.consentId, meta)).rejects.toBeInstanceOf(
      NotFoundError,
    );
    // The signed patient's link still opens (read-only) after a refused revoke.
    await expect(w.open(s.token)).resolves.toBeDefined();
  });
});

describe('clinic views', () => {
  it('lists the clinic’s consents newest first, searchable; the detail shows events and mails', async () => {
    const w = await newWorld();
    const first = await w.invited({ fullName: 'Huda Karim' });
    w.clock.advance(1000);
    const second = await w.signed(cleanAnswers(), { sendEmail: true });
    const list = await listConsents(w.deps, coordinator, { limit: 10 });
    expect(list.items.map((i) => i.consentId)).toEqual([second.consentId, first.consentId]);
    expect(list.nextCursor).toBeNull();
    expect(
      (await listConsents(w.deps, coordinator, { limit: 10, q: 'huda' })).items.map((i) => i.patientName),
    ).toEqual(['Huda Karim']);
    expect((await listConsents(w.deps, otherClinicDoctor, { limit: 10 })).items).toEqual([]);
    const detail = await consentDetail(w.deps, doctor, second.consentId);
    expect(detail.events.map((e) => e.type)).toEqual([
      'invited',
      'answers_submitted',
      'screening_result',
      'signed',
    ]);
    expect(detail.emails.map((m) => m.kind).sort()).toEqual(['invite', 'signed_notice']);
    expect(detail.signatures.patient).toMatchObject({ kind: 'typed', typedName: patient.fullName });
    await expect(consentDetail(w.deps, otherClinicDoctor, second.consentId)).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it('staff download the latest PDF (audited); before signing → 409', async () => {
    const w = await newWorld();
    const inv = await w.invited();
    await expect(staffPdf(w.deps, doctor, inv.consentId, meta)).rejects.toBeInstanceOf(ConflictError);
    const s = await w.signed();
    const pdf = await staffPdf(w.deps, doctor, s.consentId, meta);
    expect(sha256Hex(pdf.bytes)).toBe(s.signature.pdfSha256);
    expect((await w.store.listEvents('demo', s.consentId)).at(-1)).toMatchObject({
      type: 'pdf_downloaded',
      actor: { kind: 'staff', id: doctor.sub },
    });
  });
});
