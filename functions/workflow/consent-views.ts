import { auditEvent, type RequestMeta } from '../domain/audit';
import { branchOf } from '../domain/clinic';
import { ConflictError, ForbiddenError, NotFoundError } from '../domain/errors';
import type { ConsentRecord, StaffIdentity } from '../domain/model';
import { loadTemplate } from '../domain/template-store';
import { localDaySpan, usableZone } from '../domain/time';
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

/** The archive list's filter: `from`/`to` are calendar days (YYYY-MM-DD) in the clinic's time zone. */
export type ConsentListFilter = ConsentQuery;

/**
 * The clinic's archive, newest first. `from`/`to` are days on the clinic's calendar: each consent is judged
 * by its own branch's time zone (01:48 in Dubai on 2 December is 2 December, though it is still 1 December
 * in UTC). The store reads the key range that covers those days in every zone concerned (the branch's, or
 * all of the clinic's), and the items outside their own branch's day are left out of the page.
 */
export async function listConsents(deps: ClinicDeps, staff: StaffIdentity, filter: ConsentListFilter) {
  if (!filter.from && !filter.to) {
    const page = await deps.store.listConsents(staff.clinicId, filter);
    return { items: page.items.map(listItem), nextCursor: page.nextCursor ?? null };
  }
  const clinic = await deps.store.getClinic(staff.clinicId);
  const zoneOf = (branchId: string) =>
    usableZone(clinic?.branches.length ? branchOf(clinic, branchId).timeZone : undefined);
  const spanIn = (zone: string) => ({
    start: filter.from ? localDaySpan(filter.from, zone).start : Number.NEGATIVE_INFINITY,
    end: filter.to ? localDaySpan(filter.to, zone).end : Number.POSITIVE_INFINITY,
  });
  const zones = filter.branchId
    ? [zoneOf(filter.branchId)]
    : [...new Set((clinic?.branches ?? []).map((b) => usableZone(b.timeZone)))];
  const spans = (zones.length ? zones : ['UTC']).map(spanIn);
  const start = Math.min(...spans.map((s) => s.start));
  const end = Math.max(...spans.map((s) => s.end));
  const page = await deps.store.listConsents(staff.clinicId, {
    ...filter,
    ...(filter.from ? { from: new Date(start).toISOString() } : {}),
    ...(filter.to ? { to: new Date(end).toISOString() } : {}),
  });
  const items = page.items.filter((c) => {
    const own = spanIn(zoneOf(c.branchId));
    const at = Date.parse(c.createdAt);
    return at >= own.start && at <= own.end;
  });
  return { items: items.map(listItem), nextCursor: page.nextCursor ?? null };
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

/** At most this many open links per status are read: links expire within days, so a clinic has few. */
const OPEN_LINKS_READ = 500;

/**
 * The links still open — invited or answered, not revoked, not expired, not closed by an ineligible
 * screening — oldest expiry first, with when an invite e-mail last went out.
 */
export async function listOpenInvites(deps: ClinicDeps, staff: StaffIdentity) {
  const now = deps.clock.now().toISOString();
  const open: ConsentRecord[] = [];
  for (const status of ['invited', 'answered'] as const) {
    let cursor: string | undefined;
    do {
      const page = await deps.store.listConsents(staff.clinicId, {
        status,
        limit: 100,
        ...(cursor ? { cursor } : {}),
      });
      for (const c of page.items) {
        if (!c.linkRevoked && c.linkExpiresAt > now && c.outcome !== 'ineligible') open.push(c);
      }
      cursor = page.nextCursor;
    } while (cursor && open.length < OPEN_LINKS_READ);
  }
  open.sort((a, b) => (a.linkExpiresAt < b.linkExpiresAt ? -1 : a.linkExpiresAt > b.linkExpiresAt ? 1 : 0));
  const items = await Promise.all(
    open.map(async (c) => {
      const mails = await deps.store.listMails(c.clinicId, c.consentId);
      const sent = mails
        .filter((m) => m.kind === 'invite' && m.sentAt)
        .map((m) => m.sentAt as string)
        .sort();
      return {
        consentId: c.consentId,
        patientName: c.patient.fullName,
        locale: c.locale,
        branchId: c.branchId,
        status: c.status as 'invited' | 'answered',
        createdAt: c.createdAt,
        expiresAt: c.linkExpiresAt,
        lastSentAt: sent.at(-1) ?? null,
        // Reminder e-mails are not scheduled yet (issue 12): none has been sent.
        reminders: { sent: 0 },
      };
    }),
  );
  return { items, nextCursor: null };
}
