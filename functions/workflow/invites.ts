import { auditEvent, type RequestMeta } from '../domain/audit';
import { ForbiddenError, ValidationFailedError } from '../domain/errors';
import { newUlid } from '../domain/ids';
import type { ConsentRecord, Patient, StaffIdentity } from '../domain/model';
import { loadTemplate, templateSha256 } from '../domain/template-store';
import { hashLinkToken, newLinkToken } from '../domain/tokens';
import { intakeUrl } from '../domain/urls';
import { outboxMail } from './outbox';
import type { IntakeLink, OutboxMail } from './ports';
import { type ClinicDeps, staffActor } from './staff-access';

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
