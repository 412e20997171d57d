import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../domain/audit';
import type { Clinic, SignerRole } from '../domain/model';
import type {
  ConsentQuery,
  ConsentStore,
  ConsentWrite,
  IntakeLink,
  MailKind,
  OutboxMail,
  StaffProfile,
} from '../workflow/ports';
import { DynamoConsentRecords } from './dynamo-consents';
import { DynamoClinicDirectory, DynamoRateCounters } from './dynamo-directory';
import { DynamoOutbox } from './dynamo-outbox';
import { DynamoTable } from './dynamo-table';

/**
 * DynamoDB implementation of the ConsentStore port: one table, items keyed by clinic so tenant
 * isolation is structural (every clinic read names the caller's own partition). The key layout is in
 * table-keys.ts; each seam of the port has its own part: consent records (dynamo-consents.ts), the
 * outbox (dynamo-outbox.ts), the clinic directory and the rate counters (dynamo-directory.ts).
 */
export class DynamoConsentStore implements ConsentStore {
  private readonly records: DynamoConsentRecords;
  private readonly outbox: DynamoOutbox;
  private readonly directory: DynamoClinicDirectory;
  private readonly counters: DynamoRateCounters;

  constructor(db: DynamoDBDocumentClient, tableName: string) {
    const table = new DynamoTable(db, tableName);
    this.records = new DynamoConsentRecords(table);
    this.outbox = new DynamoOutbox(table);
    this.directory = new DynamoClinicDirectory(table);
    this.counters = new DynamoRateCounters(table);
  }

  // ConsentRecords
  getLink(tokenHash: string) {
    return this.records.getLink(tokenHash);
  }
  putLink(link: IntakeLink) {
    return this.records.putLink(link);
  }
  getConsent(clinicId: string, consentId: string) {
    return this.records.getConsent(clinicId, consentId);
  }
  writeConsent(write: ConsentWrite) {
    return this.records.writeConsent(write);
  }
  appendEvent(clinicId: string, event: AuditEvent) {
    return this.records.appendEvent(clinicId, event);
  }
  listEvents(clinicId: string, consentId: string) {
    return this.records.listEvents(clinicId, consentId);
  }
  listConsents(clinicId: string, query: ConsentQuery) {
    return this.records.listConsents(clinicId, query);
  }
  getPdf(clinicId: string, consentId: string, version: number) {
    return this.records.getPdf(clinicId, consentId, version);
  }
  getSignatureImage(clinicId: string, consentId: string, role: SignerRole) {
    return this.records.getSignatureImage(clinicId, consentId, role);
  }
  findPdfByHash(sha256: string) {
    return this.records.findPdfByHash(sha256);
  }

  // Outbox
  listMails(clinicId: string, consentId: string) {
    return this.outbox.listMails(clinicId, consentId);
  }
  getMail(clinicId: string, consentId: string, kind: MailKind) {
    return this.outbox.getMail(clinicId, consentId, kind);
  }
  claimMail(mail: OutboxMail, now: string, leaseUntil: string) {
    return this.outbox.claimMail(mail, now, leaseUntil);
  }
  markMailSent(mail: OutboxMail, sentAt: string, messageId: string, event: AuditEvent) {
    return this.outbox.markMailSent(mail, sentAt, messageId, event);
  }
  markMailFailed(mail: OutboxMail, error: string, nextAttemptAt: string, event?: AuditEvent) {
    return this.outbox.markMailFailed(mail, error, nextAttemptAt, event);
  }
  listDueMails(now: string, limit: number) {
    return this.outbox.listDueMails(now, limit);
  }
  attachMailLink(mail: OutboxMail, link: IntakeLink, replaces?: string) {
    return this.outbox.attachMailLink(mail, link, replaces);
  }
  cancelMail(mail: OutboxMail, at: string, reason: string) {
    return this.outbox.cancelMail(mail, at, reason);
  }

  // ClinicDirectory
  getClinic(clinicId: string) {
    return this.directory.getClinic(clinicId);
  }
  putClinic(clinic: Clinic) {
    return this.directory.putClinic(clinic);
  }
  getStaff(clinicId: string, email: string) {
    return this.directory.getStaff(clinicId, email);
  }
  putStaff(staff: StaffProfile) {
    return this.directory.putStaff(staff);
  }

  // RateCounters
  countHit(key: string, windowStart: number, expiresAt: number) {
    return this.counters.countHit(key, windowStart, expiresAt);
  }
}
