import type { Locale, Severity } from './template';

/** Answers are validated against the template (see answers-schema.ts); values are plain JSON. */
export type Answers = Record<string, string | boolean | string[] | undefined>;

export type Outcome = 'eligible' | 'needs_review' | 'ineligible';

export interface Finding {
  ruleId: string;
  severity: Severity;
  message: string;
}

export interface Screening {
  outcome: Outcome;
  findings: Finding[];
  screenedAt: string;
  /** The clinic-local date the age rule was evaluated on (YYYY-MM-DD). */
  clinicDate: string;
}

export type ConsentStatus = 'invited' | 'answered' | 'awaiting_countersign' | 'countersigned' | 'declined';

export type SignatureInput = { kind: 'drawn'; pngBase64: string } | { kind: 'typed'; name: string };

/** Who signed: the patient's signature or the doctor's countersignature. */
export type SignerRole = 'patient' | 'doctor';

/**
 * A drawn signature's PNG, kept out of the consent record: it is its own write-once item
 * (`SIG#<consent>#<role>`), written in the transaction of the signing; the record keeps its hash and size.
 */
export interface SignatureImageRef {
  sha256: string;
  bytes: number;
}

export interface RecordedSignature {
  kind: 'drawn' | 'typed';
  /** A drawn signature's PNG, stored beside the record (records written before it moved out: see pngBase64). */
  image?: SignatureImageRef;
  /**
   * PNG bytes (base64) of a drawn signature held inline: records written before the images moved out, and
   * the renderer's input (workflow/consent-document.ts loads the image into the document). Never written
   * into a record any more.
   */
  pngBase64?: string;
  typedName?: string;
  signedAt: string;
  ip: string;
  userAgent: string;
}

export interface Branch {
  id: string;
  name: string;
  phone: string;
  whatsapp: string;
  timeZone: string;
  address?: string;
}

export interface Clinic {
  clinicId: string;
  name: string;
  /** Where final PDFs and "awaiting countersignature" notices go. */
  archiveEmail: string;
  branches: Branch[];
  defaultBranchId: string;
}

export interface Patient {
  fullName: string;
  email: string;
  phone?: string;
  locale: Locale;
}

export interface PdfVersionRef {
  version: number;
  kind: 'patient_signed' | 'countersigned';
  sha256: string;
  createdAt: string;
  bytes: number;
}

export interface DoctorCountersignature extends RecordedSignature {
  doctorId: string;
  doctorName: string;
  licence: string;
}

export interface ConsentRecord {
  clinicId: string;
  consentId: string;
  status: ConsentStatus;
  outcome?: Outcome;
  treatmentId: string;
  templateVersion: string;
  templateSha256: string;
  branchId: string;
  patient: Patient;
  /** Locale the patient last chose (may differ from the invite's). */
  locale: Locale;
  linkExpiresAt: string;
  linkRevoked?: boolean;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  answers?: Answers;
  screening?: Screening;
  /** Risk ids the consent listed for the current answers. */
  applicableRiskIds?: string[];
  answeredAt?: string;
  patientSignature?: RecordedSignature;
  acknowledgedRiskIds?: string[];
  agreements?: { treatment: boolean; electronicRecords: boolean };
  signedAt?: string;
  countersignature?: DoctorCountersignature;
  findingNotes?: Record<string, string>;
  countersignedAt?: string;
  declinedAt?: string;
  declineReason?: string;
  declinedBy?: string;
  pdfVersions: PdfVersionRef[];
  /** Optimistic-concurrency revision: every write conditions on it, so races have one winner. */
  rev: number;
}

export interface StaffIdentity {
  sub: string;
  email: string;
  /** For display; falls back to the e-mail address when the token carries no `name`. */
  name: string;
  clinicId: string;
  groups: Array<'coordinator' | 'doctor'>;
  licence?: string;
}

/** A record the patient has answered: its answers and screening are there (status answered or later). */
export type AnsweredConsent = ConsentRecord & {
  answers: Answers;
  screening: Screening;
  applicableRiskIds: string[];
};

/** A record the patient has signed: awaiting countersignature, countersigned or declined. */
export type SignedConsent = AnsweredConsent & {
  status: 'awaiting_countersign' | 'countersigned' | 'declined';
  patientSignature: RecordedSignature;
  signedAt: string;
};

export function isAnswered(c: ConsentRecord): c is AnsweredConsent {
  return c.status !== 'invited' && c.answers !== undefined && c.screening !== undefined;
}

export function isSigned(c: ConsentRecord): c is SignedConsent {
  return (
    (c.status === 'awaiting_countersign' || c.status === 'countersigned' || c.status === 'declined') &&
    isAnswered(c) &&
    c.patientSignature !== undefined &&
    c.signedAt !== undefined
  );
}
