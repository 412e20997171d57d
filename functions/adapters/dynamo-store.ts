import { randomBytes } from 'node:crypto';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { type AuditEvent, parseAuditEvent } from '../domain/audit';
import { ConflictError, UnavailableError, ValidationFailedError } from '../domain/errors';
import { ulidBound } from '../domain/ids';
import type { Clinic, ConsentRecord, PdfVersionRef } from '../domain/model';
import type {
  ConsentQuery,
  ConsentStore,
  ConsentWrite,
  IntakeLink,
  MailKind,
  OutboxMail,
  StaffProfile,
  StoredPdf,
} from '../workflow/ports';

/**
 * DynamoDB implementation of the ConsentStore port: one table, items keyed by clinic so tenant
 * isolation is structural (every clinic read names the caller's own partition).
 *
 *   CLINIC#<c> / PROFILE                 clinic profile (branches, archive address)
 *   CLINIC#<c> / STAFF#<email>           staff profile (name, licence) for local sign-in
 *   CLINIC#<c> / CONSENT#<ulid>          the consent record (gsi1: CLINIC#<c>#STATUS#<s> / <ulid>)
 *   CLINIC#<c> / EVENT#<ulid>#<at>#<pos>#<seq>#<r>   audit events, append-only
 *   CLINIC#<c> / PDF#<ulid>#<nnnn>       each issued PDF version, write-once (bytes + sha256)
 *   CLINIC#<c> / MAIL#<ulid>#<kind>      outbox (gsi2: MAIL#PENDING / <nextAttemptAt>… while unsent)
 *   LINK#<sha256(token)> / LINK          intake-link lookup (the token itself is never stored)
 *   PDFHASH#<sha256> / PDFHASH           issued-PDF lookup for /verify
 */
const clinicPk = (clinicId: string) => `CLINIC#${clinicId}`;
const consentSk = (consentId: string) => `CONSENT#${consentId}`;
const pdfSk = (consentId: string, version: number) => `PDF#${consentId}#${String(version).padStart(4, '0')}`;
const mailSk = (consentId: string, kind: MailKind) => `MAIL#${consentId}#${kind}`;
const PENDING_MAIL = 'MAIL#PENDING';
const KEY_ATTRS = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'entity', 'ttl', 'searchText'];

function strip<T>(item: Record<string, unknown> | undefined): T | undefined {
  if (!item) return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(item)) if (!KEY_ATTRS.includes(k)) out[k] = v;
  return out as T;
}

function consentItem(c: ConsentRecord) {
  return {
    pk: clinicPk(c.clinicId),
    sk: consentSk(c.consentId),
    gsi1pk: `${clinicPk(c.clinicId)}#STATUS#${c.status}`,
    gsi1sk: c.consentId,
    entity: 'consent',
    searchText: `${c.patient.fullName} ${c.patient.email}`.normalize('NFKC').toLowerCase(),
    ...c,
  };
}

function mailItem(m: OutboxMail) {
  return {
    pk: clinicPk(m.clinicId),
    sk: mailSk(m.consentId, m.kind),
    entity: 'mail',
    ...(m.status === 'pending'
      ? { gsi2pk: PENDING_MAIL, gsi2sk: `${m.nextAttemptAt}#${m.clinicId}#${m.consentId}#${m.kind}` }
      : {}),
    ...m,
  };
}

/**
 * Events sort by time, then by their position within one write (answers_submitted before the
 * screening_result written at the same instant), then by this process's monotonic clock (two writes in
 * the same millisecond from one container keep their order), then by a random suffix that keeps keys
 * unique across containers.
 */
function eventItem(clinicId: string, e: AuditEvent, position = 0) {
  const seq = process.hrtime.bigint().toString().padStart(20, '0');
  return {
    pk: clinicPk(clinicId),
    sk: `EVENT#${e.consentId}#${e.at}#${String(position).padStart(2, '0')}#${seq}#${randomBytes(3).toString('hex')}`,
    entity: 'event',
    ...e,
  };
}

const RETRYABLE = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'LimitExceededException',
]);

/** Maps store failures to domain errors: lost races → 409, throttling/outage → 503. */
function translate(err: unknown): never {
  const e = err as { name?: string; CancellationReasons?: Array<{ Code?: string }> };
  if (e.name === 'ConditionalCheckFailedException')
    throw new ConflictError('The record changed; reload and try again.');
  if (e.name === 'TransactionCanceledException') {
    const codes = (e.CancellationReasons ?? []).map((r) => r.Code);
    if (codes.some((c) => c === 'ConditionalCheckFailed' || c === 'TransactionConflict')) {
      throw new ConflictError('This record was changed by another request.');
    }
    if (codes.some((c) => c === 'ThrottlingError' || c === 'ProvisionedThroughputExceeded'))
      throw new UnavailableError();
  }
  if (e.name && RETRYABLE.has(e.name)) throw new UnavailableError();
  throw err;
}

export class DynamoConsentStore implements ConsentStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private async get<T>(pk: string, sk: string): Promise<T | undefined> {
    try {
      const out = await this.db.send(
        new GetCommand({ TableName: this.tableName, Key: { pk, sk }, ConsistentRead: true }),
      );
      return strip<T>(out.Item);
    } catch (err) {
      translate(err);
    }
  }

  private async put(item: Record<string, unknown>, condition?: string): Promise<void> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ...(condition ? { ConditionExpression: condition } : {}),
        }),
      );
    } catch (err) {
      translate(err);
    }
  }

  private async queryAll<T>(input: Omit<QueryCommandInput, 'TableName'>): Promise<T[]> {
    const items: T[] = [];
    let startKey: Record<string, unknown> | undefined;
    try {
      do {
        const out = await this.db.send(
          new QueryCommand({
            TableName: this.tableName,
            ...input,
            ...(startKey ? { ExclusiveStartKey: startKey } : {}),
          }),
        );
        for (const it of out.Items ?? []) items.push(strip<T>(it) as T);
        startKey = out.LastEvaluatedKey;
      } while (startKey);
    } catch (err) {
      translate(err);
    }
    return items;
  }

  getClinic(clinicId: string) {
    return this.get<Clinic>(clinicPk(clinicId), 'PROFILE');
  }
  putClinic(clinic: Clinic) {
    return this.put({ pk: clinicPk(clinic.clinicId), sk: 'PROFILE', entity: 'clinic', ...clinic });
  }
  getStaff(clinicId: string, email: string) {
    return this.get<StaffProfile>(clinicPk(clinicId), `STAFF#${email.toLowerCase()}`);
  }
  putStaff(staff: StaffProfile) {
    return this.put({
      pk: clinicPk(staff.clinicId),
      sk: `STAFF#${staff.email.toLowerCase()}`,
      entity: 'staff',
      ...staff,
    });
  }
  getLink(tokenHash: string) {
    return this.get<IntakeLink>(`LINK#${tokenHash}`, 'LINK');
  }
  putLink(link: IntakeLink) {
    return this.put(
      { pk: `LINK#${link.tokenHash}`, sk: 'LINK', entity: 'link', ...link },
      'attribute_not_exists(pk)',
    );
  }
  getConsent(clinicId: string, consentId: string) {
    return this.get<ConsentRecord>(clinicPk(clinicId), consentSk(consentId));
  }

  async writeConsent(w: ConsentWrite): Promise<void> {
    const { consent } = w;
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    let condition = 'attribute_not_exists(pk)';
    if (w.expectedRev !== null) {
      condition = '#rev = :rev';
      names['#rev'] = 'rev';
      values[':rev'] = w.expectedRev;
      if (w.expectedStatus?.length) {
        names['#status'] = 'status';
        const keys = w.expectedStatus.map((s, i) => {
          values[`:s${i}`] = s;
          return `:s${i}`;
        });
        condition += ` AND #status IN (${keys.join(', ')})`;
      }
    }
    const T = this.tableName;
    const items: NonNullable<TransactWriteCommandInput['TransactItems']> = [
      {
        Put: {
          TableName: T,
          Item: consentItem(consent),
          ConditionExpression: condition,
          ...(Object.keys(names).length
            ? { ExpressionAttributeNames: names, ExpressionAttributeValues: values }
            : {}),
        },
      },
    ];
    const writeOnce = 'attribute_not_exists(pk)';
    if (w.link) {
      items.push({
        Put: {
          TableName: T,
          Item: { pk: `LINK#${w.link.tokenHash}`, sk: 'LINK', entity: 'link', ...w.link },
          ConditionExpression: writeOnce,
        },
      });
    }
    for (const [i, e] of w.events.entries()) {
      items.push({
        Put: { TableName: T, Item: eventItem(consent.clinicId, e, i), ConditionExpression: writeOnce },
      });
    }
    if (w.pdf) {
      const { ref, bytes } = w.pdf;
      items.push({
        Put: {
          TableName: T,
          Item: {
            pk: clinicPk(consent.clinicId),
            sk: pdfSk(consent.consentId, ref.version),
            entity: 'pdf',
            clinicId: consent.clinicId,
            consentId: consent.consentId,
            ref,
            bytes,
          },
          ConditionExpression: writeOnce,
        },
      });
      items.push({
        Put: {
          TableName: T,
          Item: {
            pk: `PDFHASH#${ref.sha256}`,
            sk: 'PDFHASH',
            entity: 'pdfhash',
            clinicId: consent.clinicId,
            consentId: consent.consentId,
            ref,
          },
          ConditionExpression: writeOnce,
        },
      });
    }
    for (const m of w.mails ?? []) {
      items.push({ Put: { TableName: T, Item: mailItem(m), ConditionExpression: writeOnce } });
    }
    try {
      await this.db.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (err) {
      translate(err);
    }
  }

  appendEvent(clinicId: string, event: AuditEvent) {
    return this.put(eventItem(clinicId, event), 'attribute_not_exists(pk)');
  }

  async listEvents(clinicId: string, consentId: string): Promise<AuditEvent[]> {
    const items = await this.queryAll<Record<string, unknown>>({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
      ExpressionAttributeValues: { ':pk': clinicPk(clinicId), ':p': `EVENT#${consentId}#` },
    });
    return items.map(parseAuditEvent).sort((a, b) => a.at.localeCompare(b.at));
  }

  async listConsents(
    clinicId: string,
    query: ConsentQuery,
  ): Promise<{ items: ConsentRecord[]; nextCursor?: string }> {
    const lo = query.from ? ulidBound(Date.parse(query.from), 'min') : '0';
    const hi = query.to ? ulidBound(Date.parse(query.to), 'max') : 'Z';
    const filters: string[] = [];
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    if (query.q) {
      filters.push('contains(#st, :q)');
      names['#st'] = 'searchText';
      values[':q'] = query.q.normalize('NFKC').toLowerCase();
    }
    if (query.branchId) {
      filters.push('#b = :b');
      names['#b'] = 'branchId';
      values[':b'] = query.branchId;
    }
    const partition = query.status ? `${clinicPk(clinicId)}#STATUS#${query.status}` : clinicPk(clinicId);
    const base: Omit<QueryCommandInput, 'TableName'> = query.status
      ? {
          IndexName: 'byStatus',
          KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk BETWEEN :lo AND :hi',
          ExpressionAttributeValues: { ':pk': partition, ':lo': lo, ':hi': hi, ...values },
        }
      : {
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :lo AND :hi',
          ExpressionAttributeValues: {
            ':pk': partition,
            ':lo': `CONSENT#${lo}`,
            ':hi': `CONSENT#${hi}`,
            ...values,
          },
        };
    if (filters.length) {
      base.FilterExpression = filters.join(' AND ');
      base.ExpressionAttributeNames = names;
    }
    let startKey = query.cursor
      ? decodeCursor(query.cursor, clinicPk(clinicId), query.status ? partition : undefined)
      : undefined;
    const items: ConsentRecord[] = [];
    try {
      // Bounded: a page is at most `limit` items; at most 20 reads however selective the filter is.
      for (let i = 0; i < 20 && items.length < query.limit; i++) {
        const out = await this.db.send(
          new QueryCommand({
            TableName: this.tableName,
            ...base,
            ScanIndexForward: false,
            Limit: query.limit - items.length,
            ...(startKey ? { ExclusiveStartKey: startKey } : {}),
          }),
        );
        for (const it of out.Items ?? []) items.push(strip<ConsentRecord>(it) as ConsentRecord);
        startKey = out.LastEvaluatedKey;
        if (!startKey) break;
      }
    } catch (err) {
      // A well-formed cursor can still lie outside this query's key range (e.g. from another date filter).
      if (query.cursor && (err as { name?: string }).name === 'ValidationException') throw invalidCursor();
      translate(err);
    }
    return { items, ...(startKey ? { nextCursor: encodeCursor(startKey) } : {}) };
  }

  async getPdf(clinicId: string, consentId: string, version: number): Promise<StoredPdf | undefined> {
    const item = await this.get<{
      clinicId: string;
      consentId: string;
      ref: PdfVersionRef;
      bytes: Uint8Array;
    }>(clinicPk(clinicId), pdfSk(consentId, version));
    return item
      ? {
          clinicId: item.clinicId,
          consentId: item.consentId,
          ref: item.ref,
          bytes: new Uint8Array(item.bytes),
        }
      : undefined;
  }

  findPdfByHash(sha256: string) {
    return this.get<{ clinicId: string; consentId: string; ref: PdfVersionRef }>(
      `PDFHASH#${sha256}`,
      'PDFHASH',
    );
  }

  listMails(clinicId: string, consentId: string) {
    return this.queryAll<OutboxMail>({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
      ExpressionAttributeValues: { ':pk': clinicPk(clinicId), ':p': `MAIL#${consentId}#` },
    });
  }

  getMail(clinicId: string, consentId: string, kind: MailKind) {
    return this.get<OutboxMail>(clinicPk(clinicId), mailSk(consentId, kind));
  }

  async claimMail(mail: OutboxMail, now: string, leaseUntil: string): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: clinicPk(mail.clinicId), sk: mailSk(mail.consentId, mail.kind) },
          UpdateExpression: 'SET leaseUntil = :lease ADD attempts :one',
          ConditionExpression: '#s = :pending AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':lease': leaseUntil, ':one': 1, ':pending': 'pending', ':now': now },
        }),
      );
      return true;
    } catch (err) {
      if ((err as { name?: string }).name === 'ConditionalCheckFailedException') return false;
      translate(err);
    }
  }

  async markMailSent(mail: OutboxMail, sentAt: string, messageId: string, event: AuditEvent): Promise<void> {
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tableName,
                Key: { pk: clinicPk(mail.clinicId), sk: mailSk(mail.consentId, mail.kind) },
                UpdateExpression:
                  'SET #s = :sent, sentAt = :at, messageId = :mid REMOVE gsi2pk, gsi2sk, leaseUntil',
                ConditionExpression: '#s = :pending',
                ExpressionAttributeNames: { '#s': 'status' },
                ExpressionAttributeValues: {
                  ':sent': 'sent',
                  ':at': sentAt,
                  ':mid': messageId,
                  ':pending': 'pending',
                },
              },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: eventItem(mail.clinicId, event),
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ],
        }),
      );
    } catch (err) {
      translate(err);
    }
  }

  async markMailFailed(
    mail: OutboxMail,
    error: string,
    nextAttemptAt: string,
    event?: AuditEvent,
  ): Promise<void> {
    const update = new UpdateCommand({
      TableName: this.tableName,
      Key: { pk: clinicPk(mail.clinicId), sk: mailSk(mail.consentId, mail.kind) },
      UpdateExpression: 'SET lastError = :e, nextAttemptAt = :n, gsi2sk = :g REMOVE leaseUntil',
      ConditionExpression: '#s = :pending',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: {
        ':e': error.slice(0, 200),
        ':n': nextAttemptAt,
        ':g': `${nextAttemptAt}#${mail.clinicId}#${mail.consentId}#${mail.kind}`,
        ':pending': 'pending',
      },
    });
    try {
      await this.db.send(update);
      if (event) await this.appendEvent(mail.clinicId, event);
    } catch (err) {
      translate(err);
    }
  }

  async countHit(key: string, windowStart: number, expiresAt: number): Promise<number> {
    try {
      const out = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: `RATE#${key}`, sk: `W#${windowStart}` },
          UpdateExpression: 'ADD hits :one SET #ttl = :ttl',
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          ExpressionAttributeValues: { ':one': 1, ':ttl': expiresAt },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return Number(out.Attributes?.hits ?? 1);
    } catch (err) {
      translate(err);
    }
  }

  async listDueMails(now: string, limit: number): Promise<OutboxMail[]> {
    try {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'pendingMail',
          KeyConditionExpression: 'gsi2pk = :p AND gsi2sk <= :now',
          ExpressionAttributeValues: { ':p': PENDING_MAIL, ':now': `${now}~` },
          Limit: limit,
        }),
      );
      return (out.Items ?? []).map((it) => strip<OutboxMail>(it) as OutboxMail);
    } catch (err) {
      translate(err);
    }
  }
}

function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

const CONSENT_KEY = /^CONSENT#[0-9A-HJKMNP-TV-Z]{26}$/;

/**
 * A cursor is only ever valid within the caller's own partition, and must be exactly the key DynamoDB
 * returned (the table key, plus the index key for a status list): anything else is a bad request, never
 * an ExclusiveStartKey DynamoDB would reject with a 500.
 */
function decodeCursor(
  cursor: string,
  clinicPartition: string,
  statusPartition?: string,
): Record<string, unknown> {
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
