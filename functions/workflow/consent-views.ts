import { auditEvent, type RequestMeta } from '../domain/audit';
import { branchOf } from '../domain/clinic';
import { ConflictError, ForbiddenError, NotFoundError } from '../domain/errors';
import type { ConsentRecord, StaffIdentity } from '../domain/model';
import { loadTemplate } from '../domain/template-store';
import type { ConsentQuery } from './ports';
import { appendLookupEvent } from './repeat-events';
import { type ClinicDeps, loadOwnConsent, staffActor } from './staff-access';

/** The clinic's views of its consents: the archive list, one record in full, and its latest PDF. */

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
          hasImage: Boolean(s.image ?? s.pngBase64),
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
  await appendLookupEvent(
    deps,
    staff.clinicId,
    auditEvent(consentId, 'pdf_downloaded', deps.clock.now().toISOString(), staffActor(staff), meta, {
      version: latest.version,
    }),
  );
  return pdf;
}

/** The clinic's branches, as the invite form's select and the name lookups need them. */
export async function listBranches(deps: ClinicDeps, staff: StaffIdentity) {
  const clinic = await deps.store.getClinic(staff.clinicId);
  if (!clinic) throw new ForbiddenError('Your clinic is not set up in this system yet.');
  return {
    items: clinic.branches.map((b) => ({
      branchId: b.id,
      name: b.name,
      timeZone: b.timeZone,
      ...(b.phone ? { phone: b.phone } : {}),
    })),
  };
}
