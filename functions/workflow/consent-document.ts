import type { ConsentDocument, PatientIdentification } from '../documents/consent-document';
import type { AuditEvent } from '../domain/audit';
import { branchOf } from '../domain/clinic';
import { sha256Hex } from '../domain/ids';
import type { Clinic, ConsentRecord, RecordedSignature, SignedConsent, SignerRole } from '../domain/model';
import type { TreatmentTemplate } from '../domain/template';
import { templateSha256 } from '../domain/template-store';
import { maskEmail, maskPhone } from '../domain/tokens';
import { verifyPageUrl } from '../domain/urls';
import type { ConsentRecords } from './ports';

/** Drawn signature PNGs by signer, as the renderer needs them. */
export type SignaturePngs = Partial<Record<SignerRole, Uint8Array>>;

/**
 * The drawn signature images of a record: those already at hand (`known`, e.g. the one being signed), a
 * PNG still inline in a record written before images moved out, else the write-once item beside the
 * record, checked against the hash the record keeps. A missing or altered image is an internal error:
 * the document is never rendered without it.
 */
export async function loadSignaturePngs(
  store: Pick<ConsentRecords, 'getSignatureImage'>,
  consent: ConsentRecord,
  known: SignaturePngs = {},
): Promise<SignaturePngs> {
  const out: SignaturePngs = { ...known };
  const load = async (role: SignerRole, s: RecordedSignature | undefined) => {
    if (out[role] || s?.kind !== 'drawn') return;
    if (s.pngBase64) {
      out[role] = new Uint8Array(Buffer.from(s.pngBase64, 'base64'));
      return;
    }
    if (!s.image) return;
    const png = await store.getSignatureImage(consent.clinicId, consent.consentId, role);
    if (!png || sha256Hex(png) !== s.image.sha256) {
      throw new Error(`The ${role} signature image of ${consent.consentId} is missing or altered`);
    }
    out[role] = png;
  };
  await Promise.all([load('patient', consent.patientSignature), load('doctor', consent.countersignature)]);
  return out;
}

/** A recorded signature with its PNG inline, as the renderer reads it. */
function withPng<T extends RecordedSignature>(s: T, png: Uint8Array | undefined): T {
  return png ? { ...s, pngBase64: Buffer.from(png).toString('base64') } : s;
}

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
  consent: SignedConsent;
  clinic: Clinic;
  template: TreatmentTemplate;
  kind: ConsentDocument['kind'];
  events?: AuditEvent[];
  emailedLink?: boolean;
  /** The deployment's public base URL: the audit page names its verification page. */
  appUrl?: string;
  /** The final version will be sealed after rendering (the audit page says so). */
  sealed?: boolean;
  /** The drawn signatures' PNGs (loadSignaturePngs); a drawn signature without one shows as unreadable. */
  images?: SignaturePngs;
}): ConsentDocument {
  const { consent, clinic, template, kind } = args;
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
    patientSignature: withPng(consent.patientSignature, args.images?.patient),
    ...(kind === 'countersigned' && consent.countersignature
      ? {
          countersignature: withPng(consent.countersignature, args.images?.doctor),
          findingNotes: consent.findingNotes ?? {},
        }
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
