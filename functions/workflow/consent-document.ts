import type { ConsentDocument, PatientIdentification } from '../documents/consent-document';
import type { AuditEvent } from '../domain/audit';
import { branchOf } from '../domain/clinic';
import type { Clinic, ConsentRecord } from '../domain/model';
import type { TreatmentTemplate } from '../domain/template';
import { templateSha256 } from '../domain/template-store';
import { maskEmail, maskPhone } from '../domain/tokens';
import { verifyPageUrl } from '../domain/urls';

/**
 * How the patient was identified, for the audit page, masked: the personal link, handed over by the
 * clinic and, when the invitation e-mail went out, e-mailed to the (masked) address; and the phone on
 * file. The renderer words it in both languages; which link was opened shows in the event table.
 */
export function identificationOf(consent: ConsentRecord, emailedLink: boolean): PatientIdentification {
  return {
    channel: emailedLink ? 'email' : 'handover',
    ...(emailedLink ? { maskedEmail: maskEmail(consent.patient.email) } : {}),
    ...(consent.patient.phone ? { maskedPhone: maskPhone(consent.patient.phone) } : {}),
  };
}

/** Assembles the renderer's input from the stored record: the single mapping record → document. */
export function buildConsentDocument(args: {
  consent: ConsentRecord;
  clinic: Clinic;
  template: TreatmentTemplate;
  kind: ConsentDocument['kind'];
  events?: AuditEvent[];
  emailedLink?: boolean;
  /** The deployment's public base URL: the audit page names its verification page. */
  appUrl?: string;
  /** The final version will be sealed after rendering (the audit page says so). */
  sealed?: boolean;
}): ConsentDocument {
  const { consent, clinic, template, kind } = args;
  if (!consent.patientSignature || !consent.screening || !consent.answers) {
    throw new Error('A consent document needs answers, screening and the patient signature');
  }
  const branch = branchOf(clinic, consent.branchId);
  const first = consent.pdfVersions.find((v) => v.kind === 'patient_signed');
  return {
    documentId: consent.consentId,
    kind,
    primaryLocale: consent.locale,
    template,
    templateSha256: consent.templateSha256 || templateSha256(template),
    clinic: { name: clinic.name, branch },
    patient: {
      fullName: consent.patient.fullName,
      dateOfBirth: String(consent.answers.dateOfBirth ?? ''),
      email: consent.patient.email,
      ...(consent.patient.phone ? { phone: consent.patient.phone } : {}),
    },
    answers: consent.answers,
    screening: {
      outcome: consent.screening.outcome,
      findings: consent.screening.findings,
      screenedAt: consent.screening.screenedAt,
    },
    riskIds: consent.applicableRiskIds ?? [],
    acknowledgedRiskIds: consent.acknowledgedRiskIds ?? [],
    patientSignature: consent.patientSignature,
    ...(kind === 'countersigned' && consent.countersignature
      ? { countersignature: consent.countersignature, findingNotes: consent.findingNotes ?? {} }
      : {}),
    ...(args.appUrl ? { verifyUrl: verifyPageUrl(args.appUrl) } : {}),
    ...(kind === 'countersigned' && args.events && first
      ? {
          audit: {
            events: args.events,
            patientSignedSha256: first.sha256,
            timeZone: branch.timeZone,
            identification: identificationOf(consent, Boolean(args.emailedLink)),
            ...(args.sealed ? { sealed: true } : {}),
          },
        }
      : {}),
  };
}
