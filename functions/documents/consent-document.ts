import type { AuditEvent } from '../domain/audit';
import type {
  Answers,
  Branch,
  DoctorCountersignature,
  Finding,
  Outcome,
  RecordedSignature,
} from '../domain/model';
import type { Locale, TreatmentTemplate } from '../domain/template';

/**
 * Everything a consent PDF shows, assembled by the workflow and handed to the renderer.
 * The renderer is a pure function of this (plus fonts): no I/O, no AWS, no clock.
 */
export interface ConsentDocument {
  documentId: string;
  kind: 'patient_signed' | 'countersigned';
  /** The patient's language: rendered first, then the other one. */
  primaryLocale: Locale;
  template: TreatmentTemplate;
  templateSha256: string;
  clinic: { name: string; branch: Branch };
  patient: { fullName: string; dateOfBirth: string; email: string; phone?: string };
  answers: Answers;
  screening: { outcome: Outcome; findings: Finding[]; screenedAt: string };
  /** Risks that apply to these answers, in template order; each acknowledged by the patient. */
  riskIds: string[];
  acknowledgedRiskIds: string[];
  patientSignature: RecordedSignature;
  countersignature?: DoctorCountersignature;
  findingNotes?: Record<string, string>;
  /**
   * Where anyone holding the file can check it (the clinic's public verification page), named on the
   * audit page. From the deployment's configuration; the renderer cannot know it.
   */
  verifyUrl?: string;
  /** Final version only: the audit-trail page. */
  audit?: {
    events: AuditEvent[];
    patientSignedSha256: string;
    /** IANA zone for the clinic-local column, e.g. Asia/Dubai. */
    timeZone: string;
    /** How the patient was identified, already masked; worded by the renderer in both languages. */
    identification: PatientIdentification;
    /** The file will be sealed (PAdES) after rendering: the page then says so. */
    sealed?: boolean;
  };
}

/**
 * How the patient was identified: the personal intake link, handed over by the clinic, and e-mailed to
 * the patient's address when `channel` is 'email'. Addresses are masked before they get here.
 */
export interface PatientIdentification {
  channel: 'email' | 'handover';
  /** The address the link was e-mailed to, masked (l***@example.test). */
  maskedEmail?: string;
  /** The patient's phone on file, masked (+971 *** **00). */
  maskedPhone?: string;
}
