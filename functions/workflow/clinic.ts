import type { SealCheck } from '../documents/seal/verify-seal';
import { auditEvent, type RequestMeta } from '../domain/audit';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ReviewIncompleteError,
  ValidationFailedError,
} from '../domain/errors';
import { newUlid, sha256Hex } from '../domain/ids';
import type { ConsentRecord, ConsentStatus, Patient, SignatureInput, StaffIdentity } from '../domain/model';
import { loadTemplate, templateSha256 } from '../domain/template-store';
import { hashLinkToken, newLinkToken } from '../domain/tokens';
import { branchOf, buildConsentDocument } from './consent-document';
import { outboxMail, type RenderPdf } from './intake';
import type { Clock, ConsentQuery, ConsentStore, IntakeLink, OutboxMail } from './ports';
import { recordSignature } from './signature';

export interface ClinicDeps {
  store: ConsentStore;
  clock: Clock;
}

const staffActor = (staff: StaffIdentity) => ({ kind: 'staff' as const, id: staff.sub });

export function requireRole(staff: StaffIdentity, role: 'doctor' | 'coordinator' | 'any'): void {
  if (role === 'any') return;
  if (!staff.groups.includes(role)) throw new ForbiddenError(`Only a ${role} can do this.`);
}

export function intakeUrl(appUrl: string, token: string): string {
  return `${appUrl.replace(/\/$/, '')}/intake/${token}`;
}

export interface InviteRequest {
  patient: Patient;
  treatmentId: string;
  branchId?: string;
  sendEmail?: boolean;
}

export async function createInvite(
  deps: ClinicDeps & { appUrl: string; linkTtlMs: number },
  staff: StaffIdentity,
  input: InviteRequest,
  meta: RequestMeta,
) {
  const clinic = await deps.store.getClinic(staff.clinicId);
  if (!clinic) throw new ForbiddenError('Your clinic is not set up in this system yet.');
  const template = loadTemplate(input.treatmentId);
  if (!template) {
    throw new ValidationFailedError('Unknown treatment.', [
      { path: 'treatmentId', message: 'No such treatment template' },
    ]);
  }
  const branchId = input.branchId ?? clinic.defaultBranchId;
  if (!clinic.branches.some((b) => b.id === branchId)) {
    throw new ValidationFailedError('Unknown branch.', [
      { path: 'branchId', message: 'Not a branch of your clinic' },
    ]);
  }
  const now = deps.clock.now();
  const at = now.toISOString();
  const consentId = newUlid(now.getTime());
  const token = newLinkToken();
  const expiresAt = new Date(now.getTime() + deps.linkTtlMs).toISOString();
  const consent: ConsentRecord = {
    clinicId: clinic.clinicId,
    consentId,
    status: 'invited',
    treatmentId: template.id,
    templateVersion: template.version,
    templateSha256: templateSha256(template),
    branchId,
    patient: input.patient,
    locale: input.patient.locale,
    linkExpiresAt: expiresAt,
    createdAt: at,
    createdBy: staff.sub,
    updatedAt: at,
    pdfVersions: [],
    rev: 1,
  };
  const link: IntakeLink = {
    tokenHash: hashLinkToken(token),
    clinicId: clinic.clinicId,
    consentId,
    expiresAt,
    channel: 'handover',
    createdAt: at,
  };
  const mails: OutboxMail[] = input.sendEmail
    ? [outboxMail(consent, 'invite', input.patient.email, input.patient.locale, at)]
    : [];
  await deps.store.writeConsent({
    consent,
    expectedRev: null,
    link,
    events: [
      auditEvent(consentId, 'invited', at, staffActor(staff), meta, {
        treatmentId: template.id,
        templateVersion: template.version,
        sendEmail: Boolean(input.sendEmail),
      }),
    ],
    mails,
  });
  return {
    inviteId: consentId,
    consentId,
    intakeUrl: intakeUrl(deps.appUrl, token),
    expiresAt,
    status: consent.status,
  };
}

/** A clinic's record, or 404: another clinic's id is indistinguishable from one that does not exist. */
async function loadOwnConsent(deps: ClinicDeps, staff: StaffIdentity, consentId: string) {
  const consent = await deps.store.getConsent(staff.clinicId, consentId);
  if (!consent) throw new NotFoundError('No such consent in your clinic.');
  return consent;
}

export function listItem(c: ConsentRecord) {
  return {
    consentId: c.consentId,
    patientName: c.patient.fullName,
    status: c.status,
    outcome: c.outcome ?? null,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    branchId: c.branchId,
    treatmentId: c.treatmentId,
    locale: c.locale,
    signedAt: c.signedAt ?? null,
    countersignedAt: c.countersignedAt ?? null,
    linkRevoked: Boolean(c.linkRevoked),
    reviewFindings: (c.screening?.findings ?? [])
      .filter((f) => f.severity !== 'advisory')
      .map((f) => f.ruleId),
  };
}

export async function listConsents(deps: ClinicDeps, staff: StaffIdentity, query: ConsentQuery) {
  const page = await deps.store.listConsents(staff.clinicId, query);
  return { items: page.items.map(listItem), nextCursor: page.nextCursor ?? null };
}

export async function consentDetail(deps: ClinicDeps, staff: StaffIdentity, consentId: string) {
  const consent = await loadOwnConsent(deps, staff, consentId);
  const [events, mails, clinic] = await Promise.all([
    deps.store.listEvents(staff.clinicId, consentId),
    deps.store.listMails(staff.clinicId, consentId),
    deps.store.getClinic(staff.clinicId),
  ]);
  const latest = consent.pdfVersions.at(-1);
  const template = loadTemplate(consent.treatmentId);
  const signatureView = (s: ConsentRecord['patientSignature']) =>
    s
      ? {
          kind: s.kind,
          signedAt: s.signedAt,
          typedName: s.typedName ?? null,
          hasImage: Boolean(s.pngBase64),
          ip: s.ip,
        }
      : null;
  return {
    ...listItem(consent),
    patient: consent.patient,
    branch: clinic ? branchOf(clinic, consent.branchId) : null,
    templateVersion: consent.templateVersion,
    templateSha256: consent.templateSha256,
    linkExpiresAt: consent.linkExpiresAt,
    answers: consent.answers ?? null,
    screening: consent.screening ?? null,
    risks: template
      ? template.risks
          .filter((r) => (consent.applicableRiskIds ?? []).includes(r.id))
          .map((r) => ({ id: r.id, title: r.title.en }))
      : [],
    acknowledgedRiskIds: consent.acknowledgedRiskIds ?? [],
    signatures: {
      patient: signatureView(consent.patientSignature),
      doctor: consent.countersignature
        ? {
            ...signatureView(consent.countersignature),
            doctorName: consent.countersignature.doctorName,
            licence: consent.countersignature.licence,
          }
        : null,
    },
    findingNotes: consent.findingNotes ?? {},
    declineReason: consent.declineReason ?? null,
    events,
    emails: mails.map((m) => ({
      kind: m.kind,
      status: m.status,
      attempts: m.attempts,
      lastError: m.lastError ?? null,
      sentAt: m.sentAt ?? null,
    })),
    pdfSha256: latest?.sha256 ?? null,
    pdfVersions: consent.pdfVersions,
  };
}

export async function staffPdf(deps: ClinicDeps, staff: StaffIdentity, consentId: string, meta: RequestMeta) {
  const consent = await loadOwnConsent(deps, staff, consentId);
  const latest = consent.pdfVersions.at(-1);
  if (!latest) throw new ConflictError('This consent has not been signed yet.');
  const pdf = await deps.store.getPdf(staff.clinicId, consentId, latest.version);
  if (!pdf) throw new NotFoundError('The document was not found.');
  await deps.store.appendEvent(
    staff.clinicId,
    auditEvent(consentId, 'pdf_downloaded', deps.clock.now().toISOString(), staffActor(staff), meta, {
      version: latest.version,
    }),
  );
  return pdf;
}

export interface CountersignRequest {
  signature: SignatureInput;
  findingNotes: Record<string, string>;
}

function assertAwaitingCountersign(consent: ConsentRecord, action: string): void {
  if (consent.status === 'countersigned') throw new ConflictError('This consent is already countersigned.');
  if (consent.status === 'declined') throw new ConflictError('This consent was declined.');
  if (consent.outcome === 'ineligible')
    throw new ConflictError(`An ineligible screening cannot be ${action}.`);
  if (consent.status !== 'awaiting_countersign')
    throw new ConflictError(`The patient has not signed yet; it cannot be ${action}.`);
}

/**
 * Seals a finished PDF (PAdES): the last step before its hash is taken, because the seal covers every
 * byte. Built from the configuration in functions/adapters/runtime.ts; null when sealing is off.
 */
export type SealPdf = (
  bytes: Uint8Array,
  details: { reason: string; location: string; signingTime: Date },
) => Promise<Uint8Array>;

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
  requireRole(staff, 'doctor');
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
  const signature = recordSignature(input.signature, at, meta);
  const next: ConsentRecord = {
    ...consent,
    status: 'countersigned',
    countersignature: {
      ...signature,
      doctorId: staff.sub,
      doctorName: staff.name,
      licence: staff.licence ?? '',
    },
    findingNotes: Object.fromEntries(Object.entries(input.findingNotes).map(([k, v]) => [k, v.trim()])),
    countersignedAt: at,
    updatedAt: at,
    rev: consent.rev + 1,
  };
  const countersignedEvent = auditEvent(consentId, 'countersigned', at, staffActor(staff), meta, {
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
  requireRole(staff, 'doctor');
  const consent = await loadOwnConsent(deps, staff, consentId);
  assertAwaitingCountersign(consent, 'declined');
  const at = deps.clock.now().toISOString();
  await deps.store.writeConsent({
    consent: {
      ...consent,
      status: 'declined',
      declinedAt: at,
      declinedBy: staff.sub,
      declineReason: input.reason,
      updatedAt: at,
      rev: consent.rev + 1,
    },
    expectedRev: consent.rev,
    expectedStatus: ['awaiting_countersign'],
    events: [auditEvent(consentId, 'declined', at, staffActor(staff), meta)],
  });
  return { status: 'declined' as ConsentStatus, consentId };
}

/**
 * Revokes a patient's intake link (every link of the consent: hand-over and e-mailed) before the patient
 * signs. One conditional write sets `linkRevoked` and appends `link_revoked`; from then on every patient
 * route answers 410. Revoking again is a no-op; after signing the consent is the record, and 409 says so.
 */
export async function revokeLink(
  deps: ClinicDeps,
  staff: StaffIdentity,
  consentId: string,
  meta: RequestMeta,
) {
  requireRole(staff, 'any');
  const consent = await loadOwnConsent(deps, staff, consentId);
  if (consent.linkRevoked) return { consentId, status: consent.status, linkRevoked: true as const };
  if (consent.status !== 'invited' && consent.status !== 'answered') {
    throw new ConflictError('The patient has already signed; the link can no longer be revoked.');
  }
  const at = deps.clock.now().toISOString();
  await deps.store.writeConsent({
    consent: { ...consent, linkRevoked: true, updatedAt: at, rev: consent.rev + 1 },
    expectedRev: consent.rev,
    expectedStatus: ['invited', 'answered'],
    events: [auditEvent(consentId, 'link_revoked', at, staffActor(staff), meta, { status: consent.status })],
  });
  return { consentId, status: consent.status, linkRevoked: true as const, revokedAt: at };
}

/** The seal part of a /verify answer: about the file's signature only, never about the patient. */
function sealView(check: SealCheck) {
  return {
    present: check.present,
    intact: check.intact,
    ...(check.signer ? { signer: check.signer } : {}),
    ...(check.signedAt ? { signedAt: check.signedAt } : {}),
  };
}

/**
 * Anyone may ask whether bytes are exactly an issued version (their SHA-256 is in the archive) and
 * whether the embedded seal is intact (its signature verifies over every byte it covers). The answer
 * carries ids, status and times, never patient data.
 */
export async function verifyPdf(
  deps: { store: ConsentStore; clock: Clock; checkSeal: (bytes: Uint8Array) => SealCheck },
  bytes: Uint8Array,
  meta: RequestMeta,
) {
  const sha256 = sha256Hex(bytes);
  const seal = sealView(deps.checkSeal(bytes));
  const hit = await deps.store.findPdfByHash(sha256);
  if (!hit) return { valid: false as const, sha256, seal };
  const consent = await deps.store.getConsent(hit.clinicId, hit.consentId);
  await deps.store.appendEvent(
    hit.clinicId,
    auditEvent(
      hit.consentId,
      'verified',
      deps.clock.now().toISOString(),
      { kind: 'anonymous', id: 'verify' },
      meta,
      {
        version: hit.ref.version,
        sealIntact: seal.intact,
      },
    ),
  );
  const latest = consent?.pdfVersions.at(-1);
  return {
    valid: true as const,
    sha256,
    consentId: hit.consentId,
    version: hit.ref.version,
    kind: hit.ref.kind,
    issuedAt: hit.ref.createdAt,
    isLatestVersion: latest?.sha256 === sha256,
    status: consent?.status,
    countersignedAt: consent?.countersignedAt ?? null,
    seal,
  };
}
