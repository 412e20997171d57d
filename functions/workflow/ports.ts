import type { ConsentDocument } from '../documents/consent-document';
import type { AuditEvent } from '../domain/audit';
import type { Clinic, ConsentRecord, ConsentStatus, PdfVersionRef, SignerRole } from '../domain/model';
import type { Locale } from '../domain/template';

/**
 * Ports: every thing the workflow needs from the outside world, in one place — the store (split along
 * its seams: consents, outbox, clinic directory, rate counters), the e-mail sender, the clock, the PDF
 * renderer, the sealer and the seal's signing key. DynamoDB, SES and KMS implement them in
 * functions/adapters/; test/fakes/ has in-memory versions. Types only: nothing here imports the AWS SDK,
 * and any layer (documents included) may import these types.
 */

/** A link-token lookup: the only place a token (as its hash) leads to a consent. */
export interface IntakeLink {
  tokenHash: string;
  clinicId: string;
  consentId: string;
  expiresAt: string;
  channel: 'handover' | 'email';
  createdAt: string;
}

export type MailKind =
  | 'invite'
  | 'signed_notice'
  | 'ineligible_notice'
  | 'declined_patient'
  | 'final_patient'
  | 'final_archive';

/** Transactional outbox: written with the state change, delivered by the mailer, never lost. */
export interface OutboxMail {
  clinicId: string;
  consentId: string;
  kind: MailKind;
  to: string;
  locale: Locale;
  /** `cancelled`: never sent, and never will be (an invite whose link was revoked or closed). */
  status: 'pending' | 'sent' | 'cancelled';
  attempts: number;
  createdAt: string;
  nextAttemptAt: string;
  leaseUntil?: string;
  lastError?: string;
  sentAt?: string;
  messageId?: string;
  /** Invites: the hash of the one link this e-mail carries (the token itself is only in the e-mail). */
  linkTokenHash?: string;
  cancelledAt?: string;
  cancelReason?: string;
}

export interface StoredPdf {
  clinicId: string;
  consentId: string;
  ref: PdfVersionRef;
  bytes: Uint8Array;
}

export interface StaffProfile {
  clinicId: string;
  email: string;
  name: string;
  role: 'doctor' | 'coordinator';
  licence?: string;
}

/** One atomic write: the consent (conditioned on its revision) plus items appended alongside. */
export interface ConsentWrite {
  consent: ConsentRecord;
  /** The revision read before the change; null when creating. Mismatch → ConflictError. */
  expectedRev: number | null;
  /** Statuses the stored record must still be in (belt and braces with the revision). */
  expectedStatus?: ConsentStatus[];
  link?: IntakeLink;
  events: AuditEvent[];
  /**
   * A PDF version, write-once. The DynamoDB adapter splits bytes over several items when they would not
   * fit one (reassembled and checked against `ref.sha256` on read), so its size is not bounded by an item.
   */
  pdf?: { ref: PdfVersionRef; bytes: Uint8Array };
  /** Drawn signature images, each a write-once item of its own (the record keeps only their hash). */
  signatureImages?: SignatureImageWrite[];
  mails?: OutboxMail[];
}

/** A drawn signature's PNG as written beside the consent (`SIG#<consent>#<role>`). */
export interface SignatureImageWrite {
  role: SignerRole;
  sha256: string;
  png: Uint8Array;
}

export interface ConsentQuery {
  status?: ConsentStatus;
  from?: string;
  to?: string;
  q?: string;
  branchId?: string;
  cursor?: string;
  limit: number;
}

/** Consent records, their audit events, PDF versions and link lookups. */
export interface ConsentRecords {
  getLink(tokenHash: string): Promise<IntakeLink | undefined>;
  putLink(link: IntakeLink): Promise<void>;
  getConsent(clinicId: string, consentId: string): Promise<ConsentRecord | undefined>;
  writeConsent(write: ConsentWrite): Promise<void>;
  appendEvent(clinicId: string, event: AuditEvent): Promise<void>;
  listEvents(clinicId: string, consentId: string): Promise<AuditEvent[]>;
  listConsents(
    clinicId: string,
    query: ConsentQuery,
  ): Promise<{ items: ConsentRecord[]; nextCursor?: string }>;
  /** A PDF version, reassembled if stored in parts; bytes that do not match `ref.sha256` throw. */
  getPdf(clinicId: string, consentId: string, version: number): Promise<StoredPdf | undefined>;
  /** A drawn signature's PNG (written with the signing); undefined when there is none. */
  getSignatureImage(clinicId: string, consentId: string, role: SignerRole): Promise<Uint8Array | undefined>;
  findPdfByHash(
    sha256: string,
  ): Promise<{ clinicId: string; consentId: string; ref: PdfVersionRef } | undefined>;
}

/** The transactional outbox: e-mails written with a state change, leased and delivered by the mailer. */
export interface Outbox {
  listMails(clinicId: string, consentId: string): Promise<OutboxMail[]>;
  getMail(clinicId: string, consentId: string, kind: MailKind): Promise<OutboxMail | undefined>;
  /** Takes a lease on a pending mail; false when another worker holds it or it was sent. */
  claimMail(mail: OutboxMail, now: string, leaseUntil: string): Promise<boolean>;
  markMailSent(mail: OutboxMail, sentAt: string, messageId: string, event: AuditEvent): Promise<void>;
  markMailFailed(mail: OutboxMail, error: string, nextAttemptAt: string, event?: AuditEvent): Promise<void>;
  listDueMails(now: string, limit: number): Promise<OutboxMail[]>;
  /**
   * Stores the link an invite e-mail carries (write-once) and, in the same transaction, withdraws the link
   * an earlier attempt of the same e-mail carried (`replaces`): one valid link per e-mail, however many
   * attempts. Fails (ConflictError) unless the mail is still pending.
   */
  attachMailLink(mail: OutboxMail, link: IntakeLink, replaces?: string): Promise<void>;
  /** Marks a pending mail as never to be sent (it leaves the pending index and the sweeper's sight). */
  cancelMail(mail: OutboxMail, at: string, reason: string): Promise<void>;
}

/** Clinics and their staff. */
export interface ClinicDirectory {
  getClinic(clinicId: string): Promise<Clinic | undefined>;
  putClinic(clinic: Clinic): Promise<void>;
  getStaff(clinicId: string, email: string): Promise<StaffProfile | undefined>;
  putStaff(staff: StaffProfile): Promise<void>;
}

/** Rate-limit windows (short-lived counters). */
export interface RateCounters {
  /** Adds one hit to a rate-limit window and returns the window's count. */
  countHit(key: string, windowStart: number, expiresAt: number): Promise<number>;
}

/** The one table, as the workflow sees it. */
export type ConsentStore = ConsentRecords & Outbox & ClinicDirectory & RateCounters;

export interface OutgoingEmail {
  from: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  attachments?: Array<{ filename: string; contentType: string; content: Uint8Array }>;
}

export interface EmailSender {
  send(email: OutgoingEmail): Promise<{ messageId: string }>;
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** Renders a consent document to PDF bytes (functions/documents/pdf/render-consent.ts). */
export type RenderPdf = (doc: ConsentDocument) => Promise<Uint8Array>;

/**
 * Seals a finished PDF (PAdES): the last step before its hash is taken, because the seal covers every
 * byte. Built from the configuration in functions/adapters/runtime.ts; null when sealing is off.
 */
export type SealPdf = (
  bytes: Uint8Array,
  details: { reason: string; location: string; signingTime: Date },
) => Promise<Uint8Array>;

/**
 * The one thing the seal needs from a key: sign a SHA-256 digest. Locally the key is a PEM under .data/;
 * in AWS it never leaves KMS (functions/adapters/kms-seal-signer.ts). The CMS around the signature is
 * built once, the same for both (functions/documents/seal/cms.ts).
 */
export interface PdfSealSigner {
  /** The signing certificate (PEM), optionally followed by its CA chain. */
  readonly certificatePem: string;
  /**
   * Signs a SHA-256 digest: RSASSA-PKCS1-v1_5 for an RSA certificate, ECDSA (DER-encoded) for an EC one.
   * Returns the raw signature value.
   */
  signDigest(digest: Uint8Array): Promise<Uint8Array>;
}
