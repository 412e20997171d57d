import type { AuditEvent } from '../domain/audit';
import type { Clinic, ConsentRecord, ConsentStatus, PdfVersionRef } from '../domain/model';
import type { Locale } from '../domain/template';

/**
 * Ports: what the workflow needs from the outside world. DynamoDB and SES implement them in
 * functions/adapters/; unit tests pass in-memory fakes. Nothing here imports the AWS SDK.
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

export type MailKind = 'invite' | 'signed_notice' | 'ineligible_notice' | 'final_patient' | 'final_archive';

/** Transactional outbox: written with the state change, delivered by the mailer, never lost. */
export interface OutboxMail {
  clinicId: string;
  consentId: string;
  kind: MailKind;
  to: string;
  locale: Locale;
  status: 'pending' | 'sent';
  attempts: number;
  createdAt: string;
  nextAttemptAt: string;
  leaseUntil?: string;
  lastError?: string;
  sentAt?: string;
  messageId?: string;
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
  pdf?: { ref: PdfVersionRef; bytes: Uint8Array };
  mails?: OutboxMail[];
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

export interface ConsentStore {
  getClinic(clinicId: string): Promise<Clinic | undefined>;
  putClinic(clinic: Clinic): Promise<void>;
  getStaff(clinicId: string, email: string): Promise<StaffProfile | undefined>;
  putStaff(staff: StaffProfile): Promise<void>;
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
  getPdf(clinicId: string, consentId: string, version: number): Promise<StoredPdf | undefined>;
  findPdfByHash(
    sha256: string,
  ): Promise<{ clinicId: string; consentId: string; ref: PdfVersionRef } | undefined>;
  listMails(clinicId: string, consentId: string): Promise<OutboxMail[]>;
  getMail(clinicId: string, consentId: string, kind: MailKind): Promise<OutboxMail | undefined>;
  /** Takes a lease on a pending mail; false when another worker holds it or it was sent. */
  claimMail(mail: OutboxMail, now: string, leaseUntil: string): Promise<boolean>;
  markMailSent(mail: OutboxMail, sentAt: string, messageId: string, event: AuditEvent): Promise<void>;
  markMailFailed(mail: OutboxMail, error: string, nextAttemptAt: string, event?: AuditEvent): Promise<void>;
  listDueMails(now: string, limit: number): Promise<OutboxMail[]>;
  /** Adds one hit to a rate-limit window and returns the window's count. */
  countHit(key: string, windowStart: number, expiresAt: number): Promise<number>;
}

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
