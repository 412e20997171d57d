import type { ConsentDocument } from '../documents/consent-document';
import type { AuditEvent } from '../domain/audit';
import type { Branch, Clinic, ConsentRecord } from '../domain/model';
import type { TreatmentTemplate } from '../domain/template';
import { templateSha256 } from '../domain/template-store';
import { maskEmail, maskPhone } from '../domain/tokens';

export function branchOf(clinic: Clinic, branchId: string): Branch {
  const branch = clinic.branches.find((b) => b.id === branchId) ?? clinic.branches[0];
  if (!branch) throw new Error('Clinic has no branch configured');
  return branch;
}

const CHANNEL_NAMES: Record<string, string> = { email: 'the e-mailed link', handover: 'the hand-over link' };

/**
 * How the patient was identified, for the audit page, masked: the personal link (its channels, the
 * masked address it was e-mailed to), which of them was actually opened, and the phone on file.
 */
export function identificationOf(consent: ConsentRecord, events: AuditEvent[], emailedLink: boolean): string {
  const opened = [
    ...new Set(
      events
        .filter((e) => e.type === 'link_opened' && typeof e.data?.channel === 'string')
        .map((e) => CHANNEL_NAMES[String(e.data?.channel)] ?? String(e.data?.channel)),
    ),
  ];
  return [
    `Personal intake link, handed over by the clinic${emailedLink ? ` and e-mailed to ${maskEmail(consent.patient.email)}` : ''}`,
    opened.length ? `opened from ${opened.join(' and ')}` : undefined,
    consent.patient.phone ? `patient phone on file ${maskPhone(consent.patient.phone)}` : undefined,
  ]
    .filter(Boolean)
    .join('; ');
}

/** Assembles the renderer's input from the stored record: the single mapping record → document. */
export function buildConsentDocument(args: {
  consent: ConsentRecord;
  clinic: Clinic;
  template: TreatmentTemplate;
  kind: ConsentDocument['kind'];
  events?: AuditEvent[];
  emailedLink?: boolean;
}): ConsentDocument {
  const { consent, clinic, template, kind } = args;
  if (!consent.patientSignature || !consent.screening || !consent.answers) {
    throw new Error('A consent document needs answers, screening and the patient signature');
  }
  const branch = branchOf(clinic, consent.branchId);
  const first = consent.pdfVersions.find((v) => v.kind === 'patient_signed');
  const identification = identificationOf(consent, args.events ?? [], Boolean(args.emailedLink));
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
    ...(kind === 'countersigned' && args.events && first
      ? {
          audit: {
            events: args.events,
            patientSignedSha256: first.sha256,
            timeZone: branch.timeZone,
            identification,
          },
        }
      : {}),
  };
}
