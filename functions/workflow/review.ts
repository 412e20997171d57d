import { auditEvent, type RequestMeta } from '../domain/audit';
import { branchOf } from '../domain/clinic';
import { ConflictError, NotFoundError, ReviewIncompleteError, ValidationFailedError } from '../domain/errors';
import { sha256Hex } from '../domain/ids';
import {
  type ConsentRecord,
  type ConsentStatus,
  isSigned,
  type SignatureInput,
  type SignedConsent,
  type StaffIdentity,
} from '../domain/model';
import { loadTemplate } from '../domain/template-store';
import { buildConsentDocument, loadSignaturePngs } from './consent-document';
import { outboxMail } from './outbox';
import type { RenderPdf, SealPdf, SignatureImageWrite } from './ports';
import { recordSignature } from './signature';
import { actingDoctor, type ClinicDeps, loadOwnConsent, staffActor } from './staff-access';

/** The doctor's review of a signed consent: countersign (final, sealed PDF) or decline. */

export interface CountersignRequest {
  signature: SignatureInput;
  findingNotes: Record<string, string>;
}

function assertAwaitingCountersign(consent: ConsentRecord, action: string): asserts consent is SignedConsent {
  if (consent.status === 'countersigned') throw new ConflictError('This consent is already countersigned.');
  if (consent.status === 'declined') throw new ConflictError('This consent was declined.');
  if (consent.outcome === 'ineligible')
    throw new ConflictError(`An ineligible screening cannot be ${action}.`);
  if (consent.status !== 'awaiting_countersign' || !isSigned(consent))
    throw new ConflictError(`The patient has not signed yet; it cannot be ${action}.`);
}

export async function countersignConsent(
  deps: ClinicDeps & {
    renderPdf: RenderPdf;
    sealPdf?: SealPdf | null;
    /** Public base URL: the audit page names the verification page under it. */
    appUrl?: string;
  },
  staff: StaffIdentity,
  consentId: string,
  input: CountersignRequest,
  meta: RequestMeta,
) {
  const doctor = await actingDoctor(deps, staff);
  const consent = await loadOwnConsent(deps, staff, consentId);
  assertAwaitingCountersign(consent, 'countersigned');
  const findings = consent.screening?.findings ?? [];
  const unknown = Object.keys(input.findingNotes).filter((id) => !findings.some((f) => f.ruleId === id));
  if (unknown.length) {
    throw new ValidationFailedError(
      'Notes were given for findings this consent does not have.',
      unknown.map((id) => ({ path: `findingNotes.${id}`, message: 'Not a finding of this consent' })),
    );
  }
  const missing = findings.filter((f) => f.severity === 'review' && !input.findingNotes[f.ruleId]?.trim());
  if (missing.length) {
    throw new ReviewIncompleteError(
      'Every finding that needs review must have a note before countersigning.',
      missing.map((f) => ({ path: `findingNotes.${f.ruleId}`, message: 'A review note is required' })),
    );
  }
  const clinic = await deps.store.getClinic(staff.clinicId);
  const template = loadTemplate(consent.treatmentId);
  if (!clinic || !template) throw new NotFoundError('No such consent in your clinic.');
  const now = deps.clock.now();
  const at = now.toISOString();
  const { signature, image } = recordSignature(input.signature, at, meta, 'doctor');
  const images = await loadSignaturePngs(deps.store, consent, image ? { doctor: image.png } : {});
  const signatureImages: SignatureImageWrite[] = image ? [image] : [];
  // A record written before images moved out holds the patient's PNG inline: it moves to its own item now,
  // so the final record is as small as any other.
  let patientSignature = consent.patientSignature;
  if (patientSignature?.pngBase64 && images.patient) {
    const { pngBase64: _inline, ...rest } = patientSignature;
    const sha256 = sha256Hex(images.patient);
    patientSignature = { ...rest, image: { sha256, bytes: images.patient.length } };
    signatureImages.push({ role: 'patient', sha256, png: images.patient });
  }
  const next: SignedConsent = {
    ...consent,
    patientSignature,
    status: 'countersigned',
    countersignature: {
      ...signature,
      doctorId: doctor.sub,
      doctorName: doctor.name,
      licence: doctor.licence,
    },
    findingNotes: Object.fromEntries(Object.entries(input.findingNotes).map(([k, v]) => [k, v.trim()])),
    countersignedAt: at,
    updatedAt: at,
    rev: consent.rev + 1,
  };
  const countersignedEvent = auditEvent(consentId, 'countersigned', at, staffActor(staff, doctor), meta, {
    notes: Object.keys(input.findingNotes).length,
    signature: signature.kind,
  });
  const history = await deps.store.listEvents(staff.clinicId, consentId);
  const mails = await deps.store.listMails(staff.clinicId, consentId);
  const emailedLink = mails.some((m) => m.kind === 'invite' && m.status === 'sent');
  const rendered = await deps.renderPdf(
    buildConsentDocument({
      consent: next,
      clinic,
      template,
      kind: 'countersigned',
      events: [...history, countersignedEvent],
      emailedLink,
      sealed: Boolean(deps.sealPdf),
      images,
      ...(deps.appUrl ? { appUrl: deps.appUrl } : {}),
    }),
  );
  // Only the final version is sealed, and last: its stored bytes and hash are the sealed ones.
  const branch = branchOf(clinic, consent.branchId);
  const bytes = deps.sealPdf
    ? await deps.sealPdf(rendered, {
        reason: `Consent ${consentId}: countersigned by the clinic, sealed against any change`,
        location: `${clinic.name}, ${branch.name}`,
        signingTime: now,
      })
    : rendered;
  const sha256 = sha256Hex(bytes);
  const ref = {
    version: consent.pdfVersions.length + 1,
    kind: 'countersigned' as const,
    sha256,
    createdAt: at,
    bytes: bytes.length,
  };
  next.pdfVersions = [...consent.pdfVersions, ref];
  countersignedEvent.data = { ...countersignedEvent.data, pdfSha256: sha256, sealed: Boolean(deps.sealPdf) };
  await deps.store.writeConsent({
    consent: next,
    expectedRev: consent.rev,
    expectedStatus: ['awaiting_countersign'],
    events: [countersignedEvent],
    pdf: { ref, bytes },
    ...(signatureImages.length ? { signatureImages } : {}),
    mails: [
      outboxMail(next, 'final_patient', consent.patient.email, next.locale, at),
      outboxMail(next, 'final_archive', clinic.archiveEmail, 'en', at),
    ],
  });
  return { status: 'countersigned' as ConsentStatus, pdfSha256: sha256, consentId };
}

export async function declineConsent(
  deps: ClinicDeps,
  staff: StaffIdentity,
  consentId: string,
  input: { reason: string },
  meta: RequestMeta,
) {
  const doctor = await actingDoctor(deps, staff);
  const consent = await loadOwnConsent(deps, staff, consentId);
  assertAwaitingCountersign(consent, 'declined');
  const at = deps.clock.now().toISOString();
  const declined: ConsentRecord = {
    ...consent,
    status: 'declined',
    declinedAt: at,
    declinedBy: doctor.sub,
    declineReason: input.reason,
    updatedAt: at,
    rev: consent.rev + 1,
  };
  await deps.store.writeConsent({
    consent: declined,
    expectedRev: consent.rev,
    expectedStatus: ['awaiting_countersign'],
    events: [auditEvent(consentId, 'declined', at, staffActor(staff, doctor), meta, {})],
    // The patient hears it from the clinic, in their language, with the clinic's contact (never the reason:
    // that is the clinic's note, and the conversation is theirs to have).
    mails: [outboxMail(declined, 'declined_patient', consent.patient.email, consent.locale, at)],
  });
  return { status: 'declined' as ConsentStatus, consentId };
}
