import {
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { type AuditEvent, parseAuditEvent } from '../domain/audit';
import { ValidationFailedError } from '../domain/errors';
import { ulidRange } from '../domain/ids';
import type { ConsentRecord, PdfVersionRef } from '../domain/model';
import type { ConsentQuery, ConsentRecords, ConsentWrite, IntakeLink, StoredPdf } from '../workflow/ports';
import { mailItem } from './dynamo-outbox';
import { type DynamoTable, eventItem, strip, translate, WRITE_ONCE } from './dynamo-table';
import { ATTR, INDEX, keys, PREFIX } from './table-keys';

function consentItem(c: ConsentRecord) {
  return {
    [ATTR.pk]: keys.clinicPk(c.clinicId),
    [ATTR.sk]: keys.consentSk(c.consentId),
    [ATTR.gsi1pk]: keys.statusPk(c.clinicId, c.status),
    [ATTR.gsi1sk]: c.consentId,
    entity: 'consent',
    searchText: `${c.patient.fullName} ${c.patient.email}`.normalize('NFKC').toLowerCase(),
    ...c,
  };
}

function linkItem(link: IntakeLink) {
  return { [ATTR.pk]: keys.linkPk(link.tokenHash), [ATTR.sk]: keys.linkSk, entity: 'link', ...link };
}

/**
 * Consent records with their audit events, PDF versions and intake links. A state change is one
 * transaction: the record (guarded by its revision), its events, a new PDF version and the outbox mails.
 */
export class DynamoConsentRecords implements ConsentRecords {
  constructor(private readonly table: DynamoTable) {}

  getLink(tokenHash: string) {
    return this.table.get<IntakeLink>(keys.linkPk(tokenHash), keys.linkSk);
  }
  putLink(link: IntakeLink) {
    return this.table.put(linkItem(link), WRITE_ONCE);
  }
  getConsent(clinicId: string, consentId: string) {
    return this.table.get<ConsentRecord>(keys.clinicPk(clinicId), keys.consentSk(consentId));
  }

  async writeConsent(w: ConsentWrite): Promise<void> {
    const { consent } = w;
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    let condition = WRITE_ONCE;
    if (w.expectedRev !== null) {
      condition = '#rev = :rev';
      names['#rev'] = 'rev';
      values[':rev'] = w.expectedRev;
      if (w.expectedStatus?.length) {
        names['#status'] = 'status';
        const placeholders = w.expectedStatus.map((s, i) => {
          values[`:s${i}`] = s;
          return `:s${i}`;
        });
        condition += ` AND #status IN (${placeholders.join(', ')})`;
      }
    }
    const T = this.table.tableName;
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
    if (w.link) {
      items.push({ Put: { TableName: T, Item: linkItem(w.link), ConditionExpression: WRITE_ONCE } });
    }
    for (const [i, e] of w.events.entries()) {
      items.push({
        Put: { TableName: T, Item: eventItem(consent.clinicId, e, i), ConditionExpression: WRITE_ONCE },
      });
    }
    if (w.pdf) {
      const { ref, bytes } = w.pdf;
      const owner = { clinicId: consent.clinicId, consentId: consent.consentId };
      items.push({
        Put: {
          TableName: T,
          Item: {
            [ATTR.pk]: keys.clinicPk(consent.clinicId),
            [ATTR.sk]: keys.pdfSk(consent.consentId, ref.version),
            entity: 'pdf',
            ...owner,
            ref,
            bytes,
          },
          ConditionExpression: WRITE_ONCE,
        },
      });
      items.push({
        Put: {
          TableName: T,
          Item: {
            [ATTR.pk]: keys.pdfHashPk(ref.sha256),
            [ATTR.sk]: keys.pdfHashSk,
            entity: 'pdfhash',
            ...owner,
            ref,
          },
          ConditionExpression: WRITE_ONCE,
        },
      });
    }
    for (const m of w.mails ?? []) {
      items.push({ Put: { TableName: T, Item: mailItem(m), ConditionExpression: WRITE_ONCE } });
    }
    try {
      await this.table.db.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (err) {
      translate(err);
    }
  }

  appendEvent(clinicId: string, event: AuditEvent) {
    return this.table.put(eventItem(clinicId, event), WRITE_ONCE);
  }

  async listEvents(clinicId: string, consentId: string): Promise<AuditEvent[]> {
    const items = await this.table.queryPrefix<Record<string, unknown>>(
      keys.clinicPk(clinicId),
      keys.eventPrefix(consentId),
    );
    return items.map(parseAuditEvent).sort((a, b) => a.at.localeCompare(b.at));
  }

  async listConsents(
    clinicId: string,
    query: ConsentQuery,
  ): Promise<{ items: ConsentRecord[]; nextCursor?: string }> {
    const range = ulidRange(query.from, query.to);
    if (!range) return { items: [] };
    const { lo, hi } = range;
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
    const clinicPartition = keys.clinicPk(clinicId);
    const partition = query.status ? keys.statusPk(clinicId, query.status) : clinicPartition;
    const base: Omit<QueryCommandInput, 'TableName'> = query.status
      ? {
          IndexName: INDEX.byStatus,
          KeyConditionExpression: `${ATTR.gsi1pk} = :pk AND ${ATTR.gsi1sk} BETWEEN :lo AND :hi`,
          ExpressionAttributeValues: { ':pk': partition, ':lo': lo, ':hi': hi, ...values },
        }
      : {
          KeyConditionExpression: `${ATTR.pk} = :pk AND ${ATTR.sk} BETWEEN :lo AND :hi`,
          ExpressionAttributeValues: {
            ':pk': partition,
            ':lo': keys.consentSk(lo),
            ':hi': keys.consentSk(hi),
            ...values,
          },
        };
    if (filters.length) {
      base.FilterExpression = filters.join(' AND ');
      base.ExpressionAttributeNames = names;
    }
    let startKey = query.cursor
      ? decodeCursor(query.cursor, clinicPartition, query.status ? partition : undefined)
      : undefined;
    const items: ConsentRecord[] = [];
    try {
      // Bounded: a page is at most `limit` items; at most 20 reads however selective the filter is.
      for (let i = 0; i < 20 && items.length < query.limit; i++) {
        const out = await this.table.db.send(
          new QueryCommand({
            TableName: this.table.tableName,
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
    const item = await this.table.get<{
      clinicId: string;
      consentId: string;
      ref: PdfVersionRef;
      bytes: Uint8Array;
    }>(keys.clinicPk(clinicId), keys.pdfSk(consentId, version));
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
    return this.table.get<{ clinicId: string; consentId: string; ref: PdfVersionRef }>(
      keys.pdfHashPk(sha256),
      keys.pdfHashSk,
    );
  }
}

function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

const CONSENT_KEY = new RegExp(`^${PREFIX.consent}[0-9A-HJKMNP-TV-Z]{26}$`);
const TABLE_KEY_NAMES = [ATTR.pk, ATTR.sk].sort().join(',');
const INDEX_KEY_NAMES = [ATTR.pk, ATTR.sk, ATTR.gsi1pk, ATTR.gsi1sk].sort().join(',');

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
  const sk = k[ATTR.sk];
  const tableKeyOk = k[ATTR.pk] === clinicPartition && typeof sk === 'string' && CONSENT_KEY.test(sk);
  if (!statusPartition) {
    if (names === TABLE_KEY_NAMES && tableKeyOk) return k;
  } else if (
    names === INDEX_KEY_NAMES &&
    tableKeyOk &&
    k[ATTR.gsi1pk] === statusPartition &&
    sk === keys.consentSk(String(k[ATTR.gsi1sk]))
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
