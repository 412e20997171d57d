/**
 * The JSON the two pages read from the API (API.md), as the page scripts see it. Type declarations only
 * (checked by `tsc -p tsconfig.pages.json`, never served: the assets handler serves .js/.css/.json).
 * The server's own shapes: functions/workflow/intake-view.ts (the patient page), functions/workflow/clinic.ts
 * (the dashboard), functions/handlers/assets.ts (the treatment labels).
 */

export type Locale = 'en' | 'ar';
export interface Localized {
  en: string;
  ar: string;
}

export type ConsentStatus = 'invited' | 'answered' | 'awaiting_countersign' | 'countersigned' | 'declined';
export type Outcome = 'eligible' | 'needs_review' | 'ineligible';
export type Severity = 'contraindicated' | 'review' | 'advisory';

/** A template question (the flat union of the four kinds; which fields a kind has: template.ts). */
export interface Question {
  id: string;
  type: 'date' | 'boolean' | 'text' | 'multi';
  label: Localized;
  help?: Localized;
  maxLength?: number;
  requiredWhen?: string;
  minItems?: number;
  options?: { id: string; label: Localized }[];
}

export interface Finding {
  ruleId: string;
  severity: Severity;
  message: string;
}

export interface Branch {
  id: string;
  name: string;
  phone: string;
  whatsapp: string;
}

// ------------------------------------------------------------------ the patient page

/** The consent text in one language (consentView in functions/workflow/intake.ts). */
export interface ConsentText {
  locale: Locale;
  title: string;
  risks: { id: string; title: string; description: string; frequency: string }[];
  procedure: string;
  course: string;
  results: string;
  alternatives: string;
  rightToRefuse: string;
  electronicRecords: string;
  before: string[];
  after: string[];
  declarations: { id: string; text: string }[];
  otherLocale: Locale;
}

/** GET /intake/{token} with `Accept: application/json`. */
export interface IntakeView {
  invite: {
    patientName: string;
    treatmentId: string;
    clinic: { name: string; branch: Branch };
    locale: Locale;
    expiresAt: string;
    status: ConsentStatus;
    outcome: Outcome | null;
  };
  form: { treatmentId: string; templateVersion: string; title: Localized; questions: Question[] };
  screening?: { outcome: Outcome; findings: Finding[] };
  /** Present while the patient can sign (answered, not ineligible). */
  consent?: Record<Locale, ConsentText>;
  ineligibleMessage?: Localized;
  pdf?: { sha256?: string; kind?: string };
}

/** /assets/ui.json: the patient page's texts, identical keys in both languages. */
export type UiTexts = Record<Locale, Record<string, string>>;

// ------------------------------------------------------------------ the clinic dashboard

/** One row of GET /clinic/consents. */
export interface ConsentListItem {
  consentId: string;
  patientName: string;
  status: ConsentStatus;
  outcome: Outcome | null;
  createdAt: string;
  updatedAt: string;
  branchId: string;
  treatmentId: string;
  locale: Locale;
  signedAt: string | null;
  countersignedAt: string | null;
  linkRevoked: boolean;
  /** Rule ids of the findings a doctor must look at (contraindicated or review). */
  reviewFindings: string[];
}

export interface ConsentPage {
  items: ConsentListItem[];
  nextCursor: string | null;
}

export interface SignatureView {
  kind: 'drawn' | 'typed';
  signedAt: string;
  typedName: string | null;
  hasImage: boolean;
}

/** GET /clinic/consents/{id}. */
export interface ConsentDetail extends ConsentListItem {
  patient: { fullName: string; email: string; phone?: string; locale: Locale };
  branch: Branch | null;
  answers: Record<string, unknown> | null;
  screening: { outcome: Outcome; findings: Finding[] } | null;
  risks: { id: string; title: string }[];
  acknowledgedRiskIds: string[];
  signatures: {
    patient: SignatureView | null;
    doctor: (SignatureView & { doctorName: string; licence: string }) | null;
  };
  findingNotes: Record<string, string>;
  declineReason: string | null;
  events: { type: string; at: string; actor?: { kind: string; name?: string; licence?: string } }[];
  pdfSha256: string | null;
}

/** /assets/treatment-<id>.json: a template's labels for the dashboard (functions/handlers/assets.ts). */
export interface TreatmentLabels {
  id: string;
  version: string;
  title: Localized;
  questions: Question[];
  rules: { id: string; severity: Severity; message: Localized }[];
  risks: { id: string; title: Localized }[];
}

/** POST /clinic/invites (201). */
export interface InviteCreated {
  intakeUrl: string;
  expiresAt: string;
  whatsappUrl?: string | null;
}

/** POST /verify. */
/** The seal part of a /verify answer: `trusted` only when intact and made with this clinic's certificate. */
export interface VerifySeal {
  present: boolean;
  intact: boolean;
  trusted: boolean;
  signer?: string;
  signedAt?: string;
}

export type VerifyResult =
  | { valid: false; seal: VerifySeal }
  | {
      valid: true;
      seal: VerifySeal;
      consentId: string;
      version: number;
      kind: string;
      issuedAt: string;
      isLatestVersion: boolean;
      status?: ConsentStatus;
      countersignedAt: string | null;
    };

/** POST /local/login (the local stack's stand-in for Cognito). */
export interface LocalLogin {
  token: string;
}

/** The Cognito hosted UI's token endpoint. */
export interface CognitoTokens {
  id_token: string;
  refresh_token?: string;
}
