import { branchOf } from '../domain/clinic';
import type { TreatmentTemplate } from '../domain/template';
import { consentView, type IntakeContext } from './intake';

/** The JSON a patient's page (or a clinic integration) reads from GET /intake/{token}. */
export function intakeView(ctx: IntakeContext) {
  const { consent, clinic, template, link } = ctx;
  const branch = branchOf(clinic, consent.branchId);
  const canSign = consent.status === 'answered' && consent.outcome !== 'ineligible';
  return {
    invite: {
      patientName: consent.patient.fullName,
      treatmentId: consent.treatmentId,
      clinic: {
        name: clinic.name,
        branch: { id: branch.id, name: branch.name, phone: branch.phone, whatsapp: branch.whatsapp },
      },
      locale: consent.locale,
      expiresAt: link.expiresAt,
      status: consent.status,
      outcome: consent.outcome ?? null,
    },
    form: formView(template),
    ...(consent.screening
      ? { screening: { outcome: consent.screening.outcome, findings: consent.screening.findings } }
      : {}),
    ...(canSign && consent.applicableRiskIds
      ? {
          consent: {
            en: consentView(template, consent.applicableRiskIds, 'en'),
            ar: consentView(template, consent.applicableRiskIds, 'ar'),
          },
        }
      : {}),
    ...(consent.outcome === 'ineligible' ? { ineligibleMessage: template.ineligibleMessage } : {}),
    ...(consent.pdfVersions.length
      ? { pdf: { sha256: consent.pdfVersions.at(-1)?.sha256, kind: consent.pdfVersions.at(-1)?.kind } }
      : {}),
  };
}

export function formView(template: TreatmentTemplate) {
  return {
    treatmentId: template.id,
    templateVersion: template.version,
    title: template.title,
    questions: template.questions,
  };
}
