import type { AuditEvent } from '../../functions/domain/audit';
import { ConflictError, ValidationFailedError } from '../../functions/domain/errors';
import { sha256Hex, ulidRange } from '../../functions/domain/ids';
import type { Clinic, ConsentRecord, PdfVersionRef, SignerRole } from '../../functions/domain/model';
import { consentSearchText, searchTerm } from '../../functions/domain/search';
import type {
  ConsentQuery,
  ConsentStore,
  ConsentWrite,
  IntakeLink,
  MailKind,
  OutboxMail,
  StaffProfile,
  StoredPdf,
} from '../../functions/workflow/ports';

/**
 * The ConsentStore port in memory, for fast use-case tests. It keeps the DynamoDB adapter's semantics
 * (functions/adapters/dynamo-store.ts), checked by the shared contract (test/unit/store-contract.ts), which
 * runs against both:
 *
 *  - writeConsent is all or nothing: the consent conditioned on its revision (and status), the link, PDF,
 *    PDF-hash lookup, signature images and outbox items write-once;
 *  - getPdf and getSignatureImage check the bytes against their hash, as the adapter does on reassembly; any failed condition → ConflictError, nothing written.
 *  - values are copied in and out (undefined fields dropped, as the document client does), so a caller
 *    mutating what it passed or got back never changes the store;
 *  - listConsents pages exactly as the adapter's bounded Query loop does (newest first, `limit` items
 *    evaluated per read, filters after, at most 20 reads, the same opaque cursor format and checks);
 *  - listDueMails reads the pending-mail index order (nextAttemptAt, clinic, consent, kind);
 *  - listEvents is ordered by `at` (ties: insertion order here; DynamoDB orders ties at random).
 *
 * What it does not model: the pending-mail index is eventually consistent in DynamoDB (here it is
 * exact), TTL expiry of rate counters, the 100-item transaction limit and throttling, the 400 KB item
 * limit (the adapter splits large PDFs; test/integration/worst-case.test.ts proves the rest fits).
 */
export class MemoryConsentStore implements ConsentStore {
  private readonly clinics = new Map<string, Clinic>();
  private readonly staff = new Map<string, StaffProfile>();
  private readonly links = new Map<string, IntakeLink>();
  private readonly consents = new Map<string, ConsentRecord>();
  private readonly events: Array<{ clinicId: string; event: AuditEvent }> = [];
  private readonly pdfs = new Map<string, StoredPdf>();
  private readonly signatures = new Map<string, { sha256: string; png: Uint8Array }>();
  private readonly pdfHashes = new Map<string, { clinicId: string; consentId: string; ref: PdfVersionRef }>();
  private readonly mails = new Map<string, OutboxMail>();
  private readonly counters = new Map<string, { hits: number; expiresAt: number }>();

  async getClinic(clinicId: string) {
    return copy(this.clinics.get(clinicId));
  }
  async putClinic(clinic: Clinic) {
    this.clinics.set(clinic.clinicId, copy(clinic));
  }
  async getStaff(clinicId: string, email: string) {
    return copy(this.staff.get(staffKey(clinicId, email)));
  }
  async putStaff(staff: StaffProfile) {
    this.staff.set(staffKey(staff.clinicId, staff.email), copy(staff));
  }
  async getLink(tokenHash: string) {
    return copy(this.links.get(tokenHash));
  }
  async putLink(link: IntakeLink) {
    if (this.links.has(link.tokenHash)) throw new ConflictError('The record changed; reload and try again.');
    this.links.set(link.tokenHash, copy(link));
  }
  async getConsent(clinicId: string, consentId: string) {
    return copy(this.consents.get(consentKey(clinicId, consentId)));
  }

  async writeConsent(w: ConsentWrite): Promise<void> {
    const { consent } = w;
    const cKey = consentKey(consent.clinicId, consent.consentId);
    const pdfKey = w.pdf ? pdfItemKey(consent.clinicId, consent.consentId, w.pdf.ref.version) : undefined;
    const mailKeys = (w.mails ?? []).map((m) => mailItemKey(m.clinicId, m.consentId, m.kind));
    const sigKeys = (w.signatureImages ?? []).map((i) =>
      signatureKey(consent.clinicId, consent.consentId, i.role),
    );
    // DynamoDB refuses a transaction naming one item twice (a ValidationException, not a conflict).
    const itemKeys = [
      `consent:${cKey}`,
      ...(w.link ? [`link:${w.link.tokenHash}`] : []),
      ...(w.pdf ? [`pdf:${pdfKey}`, `pdfhash:${w.pdf.ref.sha256}`] : []),
      ...mailKeys.map((k) => `mail:${k}`),
      ...sigKeys.map((k) => `sig:${k}`),
    ];
    if (new Set(itemKeys).size !== itemKeys.length) {
      throw Object.assign(new Error('Transaction request cannot include multiple operations on one item'), {
        name: 'ValidationException',
      });
    }
    // Every condition first, then every write: all or nothing, as TransactWriteItems is.
    const stored = this.consents.get(cKey);
    const consentOk =
      w.expectedRev === null
        ? !stored
        : stored !== undefined &&
          stored.rev === w.expectedRev &&
          (!w.expectedStatus?.length || w.expectedStatus.includes(stored.status));
    const writeOnceOk =
      (!w.link || !this.links.has(w.link.tokenHash)) &&
      (!w.pdf || (!this.pdfs.has(pdfKey as string) && !this.pdfHashes.has(w.pdf.ref.sha256))) &&
      mailKeys.every((k) => !this.mails.has(k)) &&
      sigKeys.every((k) => !this.signatures.has(k));
    if (!consentOk || !writeOnceOk) throw new ConflictError('This record was changed by another request.');

    this.consents.set(cKey, copy(consent));
    if (w.link) this.links.set(w.link.tokenHash, copy(w.link));
    for (const e of w.events) this.events.push({ clinicId: consent.clinicId, event: copy(e) });
    if (w.pdf && pdfKey) {
      const { ref, bytes } = w.pdf;
      this.pdfs.set(pdfKey, {
        clinicId: consent.clinicId,
        consentId: consent.consentId,
        ref: copy(ref),
        bytes: new Uint8Array(bytes),
      });
      this.pdfHashes.set(ref.sha256, {
        clinicId: consent.clinicId,
        consentId: consent.consentId,
        ref: copy(ref),
      });
    }
    (w.signatureImages ?? []).forEach((img, i) => {
      this.signatures.set(sigKeys[i] as string, { sha256: img.sha256, png: new Uint8Array(img.png) });
    });
    (w.mails ?? []).forEach((m, i) => {
      this.mails.set(mailKeys[i] as string, copy(m));
    });
  }

  async appendEvent(clinicId: string, event: AuditEvent) {
    this.events.push({ clinicId, event: copy(event) });
  }

  async listEvents(clinicId: string, consentId: string): Promise<AuditEvent[]> {
    return this.events
      .filter((e) => e.clinicId === clinicId && e.event.consentId === consentId)
      .map((e) => copy(e.event))
      .sort((a, b) => a.at.localeCompare(b.at));
  }

  async listConsents(
    clinicId: string,
    query: ConsentQuery,
  ): Promise<{ items: ConsentRecord[]; nextCursor?: string }> {
    const range = ulidRange(query.from, query.to);
    if (!range) return { items: [] };
    const { lo, hi } = range;
    const pk = `CLINIC#${clinicId}`;
    const statusPk = query.status ? `${pk}#STATUS#${query.status}` : undefined;
    const start = query.cursor ? decodeCursor(query.cursor, pk, statusPk) : undefined;
    // The key range, newest first: the table's sort key, or the status index's (the bare id).
    const inRange = [...this.consents.values()]
      .filter((c) => c.clinicId === clinicId && (!query.status || c.status === query.status))
      .filter((c) => byteCompare(c.consentId, lo) >= 0 && byteCompare(c.consentId, hi) <= 0)
      .sort((a, b) => byteCompare(b.consentId, a.consentId));
    let position = 0;
    if (start) {
      const startId = String(start.sk).slice('CONSENT#'.length);
      // DynamoDB rejects a start key outside the query's key range (a ValidationException → 400).
      if (byteCompare(startId, lo) < 0 || byteCompare(startId, hi) > 0) throw invalidCursor();
      position = inRange.findIndex((c) => byteCompare(c.consentId, startId) < 0);
      if (position < 0) position = inRange.length;
    }
    const q = query.q ? searchTerm(query.q) : undefined;
    const matches = (c: ConsentRecord) =>
      (!q || consentSearchText(c).includes(q)) && (!query.branchId || c.branchId === query.branchId);
    const items: ConsentRecord[] = [];
    let lastEvaluated: ConsentRecord | undefined;
    // The adapter's loop: each read evaluates up to the remaining page size, filters apply after it.
    for (let i = 0; i < 20 && items.length < query.limit; i++) {
      const want = query.limit - items.length;
      const evaluated = inRange.slice(position, position + want);
      position += evaluated.length;
      for (const c of evaluated) if (matches(c)) items.push(copy(c));
      // A read that stopped at its Limit reports where it stopped, even when nothing follows.
      lastEvaluated = evaluated.length === want ? evaluated.at(-1) : undefined;
      if (!lastEvaluated) break;
    }
    if (!lastEvaluated) return { items };
    const key: Record<string, string> = { pk, sk: `CONSENT#${lastEvaluated.consentId}` };
    if (statusPk) Object.assign(key, { gsi1pk: statusPk, gsi1sk: lastEvaluated.consentId });
    return { items, nextCursor: Buffer.from(JSON.stringify(key)).toString('base64url') };
  }

  async getPdf(clinicId: string, consentId: string, version: number): Promise<StoredPdf | undefined> {
    const pdf = this.pdfs.get(pdfItemKey(clinicId, consentId, version));
    if (!pdf) return undefined;
    // As the adapter: bytes that do not match the version's hash are never served.
    if (pdf.bytes.length !== pdf.ref.bytes || sha256Hex(pdf.bytes) !== pdf.ref.sha256) {
      throw new Error(`PDF version ${version} of ${consentId} does not match its hash`);
    }
    return {
      clinicId: pdf.clinicId,
      consentId: pdf.consentId,
      ref: copy(pdf.ref),
      bytes: new Uint8Array(pdf.bytes),
    };
  }

  async getSignatureImage(clinicId: string, consentId: string, role: SignerRole) {
    const img = this.signatures.get(signatureKey(clinicId, consentId, role));
    if (!img) return undefined;
    if (sha256Hex(img.png) !== img.sha256)
      throw new Error(`The ${role} signature of ${consentId} does not match its hash`);
    return new Uint8Array(img.png);
  }

  async findPdfByHash(sha256: string) {
    return copy(this.pdfHashes.get(sha256));
  }

  async listMails(clinicId: string, consentId: string) {
    return [...this.mails.entries()]
      .filter(([, m]) => m.clinicId === clinicId && m.consentId === consentId)
      .sort(([a], [b]) => byteCompare(a, b))
      .map(([, m]) => copy(m));
  }

  async getMail(clinicId: string, consentId: string, kind: MailKind) {
    return copy(this.mails.get(mailItemKey(clinicId, consentId, kind)));
  }

  async claimMail(mail: OutboxMail, now: string, leaseUntil: string): Promise<boolean> {
    const stored = this.mails.get(mailItemKey(mail.clinicId, mail.consentId, mail.kind));
    if (stored?.status !== 'pending') return false;
    if (stored.leaseUntil !== undefined && !(stored.leaseUntil < now)) return false;
    stored.leaseUntil = leaseUntil;
    stored.attempts += 1;
    return true;
  }

  async markMailSent(mail: OutboxMail, sentAt: string, messageId: string, event: AuditEvent): Promise<void> {
    const stored = this.mails.get(mailItemKey(mail.clinicId, mail.consentId, mail.kind));
    if (stored?.status !== 'pending') throw new ConflictError('This record was changed by another request.');
    stored.status = 'sent';
    stored.sentAt = sentAt;
    stored.messageId = messageId;
    delete stored.leaseUntil;
    this.events.push({ clinicId: mail.clinicId, event: copy(event) });
  }

  async markMailFailed(
    mail: OutboxMail,
    error: string,
    nextAttemptAt: string,
    event?: AuditEvent,
  ): Promise<void> {
    const stored = this.mails.get(mailItemKey(mail.clinicId, mail.consentId, mail.kind));
    if (stored?.status !== 'pending') throw new ConflictError('The record changed; reload and try again.');
    stored.lastError = error.slice(0, 200);
    stored.nextAttemptAt = nextAttemptAt;
    delete stored.leaseUntil;
    if (event) this.events.push({ clinicId: mail.clinicId, event: copy(event) });
  }

  async attachMailLink(mail: OutboxMail, link: IntakeLink, replaces?: string): Promise<void> {
    const stored = this.mails.get(mailItemKey(mail.clinicId, mail.consentId, mail.kind));
    if (stored?.status !== 'pending' || this.links.has(link.tokenHash))
      throw new ConflictError('The record changed; reload and try again.');
    this.links.set(link.tokenHash, copy(link));
    if (replaces) this.links.delete(replaces);
    stored.linkTokenHash = link.tokenHash;
  }

  async cancelMail(mail: OutboxMail, at: string, reason: string): Promise<void> {
    const stored = this.mails.get(mailItemKey(mail.clinicId, mail.consentId, mail.kind));
    if (stored?.status !== 'pending') throw new ConflictError('The record changed; reload and try again.');
    stored.status = 'cancelled';
    stored.cancelledAt = at;
    stored.cancelReason = reason;
    delete stored.leaseUntil;
  }

  /** Every intake link of a consent (tests count them: one per channel and e-mail). */
  linksOf(clinicId: string, consentId: string): IntakeLink[] {
    return [...this.links.values()]
      .filter((l) => l.clinicId === clinicId && l.consentId === consentId)
      .map(copy);
  }

  async countHit(key: string, windowStart: number, expiresAt: number): Promise<number> {
    const k = `${key}#${windowStart}`;
    const hits = (this.counters.get(k)?.hits ?? 0) + 1;
    this.counters.set(k, { hits, expiresAt });
    return hits;
  }

  async listDueMails(now: string, limit: number): Promise<OutboxMail[]> {
    const bound = `${now}~`;
    return [...this.mails.values()]
      .filter((m) => m.status === 'pending')
      .map((m) => ({ m, sk: `${m.nextAttemptAt}#${m.clinicId}#${m.consentId}#${m.kind}` }))
      .filter(({ sk }) => byteCompare(sk, bound) <= 0)
      .sort((a, b) => byteCompare(a.sk, b.sk))
      .slice(0, limit)
      .map(({ m }) => copy(m));
  }
}

const staffKey = (clinicId: string, email: string) => `${clinicId}#${email.toLowerCase()}`;
const consentKey = (clinicId: string, consentId: string) => `${clinicId}#${consentId}`;
const pdfItemKey = (clinicId: string, consentId: string, version: number) =>
  `${clinicId}#${consentId}#${String(version).padStart(4, '0')}`;
const signatureKey = (clinicId: string, consentId: string, role: SignerRole) =>
  `${clinicId}#${consentId}#${role}`;
const mailItemKey = (clinicId: string, consentId: string, kind: MailKind) =>
  `${clinicId}#${consentId}#${kind}`;

/** DynamoDB orders string keys by their UTF-8 bytes. */
function byteCompare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** A deep copy as a DynamoDB round trip makes it: plain data, undefined fields dropped. */
export function copy<T>(value: T): T {
  if (value === undefined || value === null) return value;
  if (value instanceof Uint8Array) return new Uint8Array(value) as T;
  if (Array.isArray(value)) return value.filter((v) => v !== undefined).map((v) => copy(v)) as T;
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = copy(v);
    return out as T;
  }
  return value;
}

const CONSENT_KEY = /^CONSENT#[0-9A-HJKMNP-TV-Z]{26}$/;

/** The adapter's cursor checks (functions/adapters/dynamo-store.ts decodeCursor), the same answers. */
function decodeCursor(cursor: string, clinicPartition: string, statusPartition?: string) {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  if (!key || typeof key !== 'object' || Array.isArray(key)) throw invalidCursor();
  const k = key as Record<string, unknown>;
  const names = Object.keys(k).sort().join(',');
  const tableKeyOk = k.pk === clinicPartition && typeof k.sk === 'string' && CONSENT_KEY.test(k.sk);
  if (!statusPartition) {
    if (names === 'pk,sk' && tableKeyOk) return k;
  } else if (
    names === 'gsi1pk,gsi1sk,pk,sk' &&
    tableKeyOk &&
    k.gsi1pk === statusPartition &&
    k.sk === `CONSENT#${String(k.gsi1sk)}`
  ) {
    return k;
  }
  throw invalidCursor();
}

function invalidCursor(): ValidationFailedError {
  return new ValidationFailedError('The cursor is not valid for this list.', [
    { path: 'cursor', message: 'Invalid cursor' },
  ]);
}
