import { whatsappInviteText } from '../documents/email/render';
import { auditEvent, type RequestMeta } from '../domain/audit';
import { ForbiddenError, ValidationFailedError } from '../domain/errors';
import { newUlid } from '../domain/ids';
import type { ConsentRecord, Patient, StaffIdentity } from '../domain/model';
import { branchCountry, toE164, whatsappDigits } from '../domain/phone';
import { loadTemplate, templateSha256 } from '../domain/template-store';
import { clinicLocalDate } from '../domain/time';
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
  const branch = clinic.branches.find((b) => b.id === branchId);
  if (!branch) {
    throw new ValidationFailedError('Unknown branch.', [
      { path: 'branchId', message: 'Not a branch of your clinic' },
    ]);
  }
  // Stored in E.164; without a country code the branch's country is assumed.
  const phone = input.patient.phone ? toE164(input.patient.phone, branchCountry(branch)) : undefined;
  if (input.patient.phone && !phone) {
    throw new ValidationFailedError('The phone number is not valid.', [
      {
        path: 'patient.phone',
        message: 'Not a phone number that can exist (include the country code, e.g. +971)',
      },
    ]);
  }
  const patient = { ...input.patient, ...(phone ? { phone } : {}) };
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
    patient,
    locale: patient.locale,
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
  const url = intakeUrl(deps.appUrl, token);
  return {
    inviteId: consentId,
    consentId,
    intakeUrl: url,
    expiresAt,
    status: consent.status,
    whatsappUrl: phone
      ? whatsappLink(phone, {
          locale: patient.locale,
          patientName: patient.fullName,
          clinicName: clinic.name,
          branchPhone: branch.phone,
          treatment: template.title[patient.locale],
          link: url,
          expiresOn: clinicLocalDate(new Date(expiresAt), branch.timeZone),
        })
      : null,
  };
}

/** A wa.me hand-off the coordinator's own WhatsApp sends: E.164 digits and the patient's-language text. */
export function whatsappLink(phoneE164: string, text: Parameters<typeof whatsappInviteText>[0]): string {
  return `https://wa.me/${whatsappDigits(phoneE164)}?text=${encodeURIComponent(whatsappInviteText(text))}`;
}
