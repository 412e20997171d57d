import {
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { type AuditEvent, parseAuditEvent } from '../domain/audit';
import { ValidationFailedError } from '../domain/errors';
import { sha256Hex, ulidRange } from '../domain/ids';
import type { ConsentRecord, PdfVersionRef, SignerRole } from '../domain/model';
import { consentSearchText, searchTerm } from '../domain/search';
import type { ConsentQuery, ConsentRecords, ConsentWrite, IntakeLink, StoredPdf } from '../workflow/ports';
import { mailItem } from './dynamo-outbox';
import { type DynamoTable, eventItem, linkItem, strip, translate, WRITE_ONCE } from './dynamo-table';
import { ATTR, INDEX, keys, PREFIX } from './table-keys';

/** The consent record as its item (keys, status index, search text). */
export function consentItem(c: ConsentRecord) {
  return {
    [ATTR.pk]: keys.clinicPk(c.clinicId),
    [ATTR.sk]: keys.consentSk(c.consentId),
    [ATTR.gsi1pk]: keys.statusPk(c.clinicId, c.status),
    [ATTR.gsi1sk]: c.consentId,
    entity: 'consent',
    searchText: consentSearchText(c),
    ...c,
  };
}

/**
 * A PDF version is stored in parts of at most this many bytes (the version's item holds part 1 and the part
 * count): an item is at most 400 KB, and a final PDF with two full-size drawn signatures can pass that
 * (docs/design.md, "Size bounds").
 */
export const PDF_PART_BYTES = 300 * 1024;

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
      const pk = keys.clinicPk(consent.clinicId);
      const parts = Math.max(1, Math.ceil(bytes.length / PDF_PART_BYTES));
      const part = (k: number) => bytes.subarray((k - 1) * PDF_PART_BYTES, k * PDF_PART_BYTES);
      items.push({
        Put: {
          TableName: T,
          Item: {
            [ATTR.pk]: pk,
            [ATTR.sk]: keys.pdfSk(consent.consentId, ref.version),
            entity: 'pdf',
            ...owner,
            ref,
            parts,
            bytes: part(1),
          },
          ConditionExpression: WRITE_ONCE,
        },
      });
      for (let k = 2; k <= parts; k++) {
        items.push({
          Put: {
            TableName: T,
            Item: {
              [ATTR.pk]: pk,
              [ATTR.sk]: keys.pdfPartSk(consent.consentId, ref.version, k),
              entity: 'pdfpart',
              ...owner,
              version: ref.version,
              part: k,
              bytes: part(k),
            },
            ConditionExpression: WRITE_ONCE,
          },
        });
      }
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
    for (const img of w.signatureImages ?? []) {
      items.push({
        Put: {
          TableName: T,
          Item: {
            [ATTR.pk]: keys.clinicPk(consent.clinicId),
            [ATTR.sk]: keys.signatureSk(consent.consentId, img.role),
            entity: 'signature',
            clinicId: consent.clinicId,
            consentId: consent.consentId,
            role: img.role,
            sha256: img.sha256,
            bytes: img.png.length,
            png: img.png,
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
      values[':q'] = searchTerm(query.q);
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
    const pk = keys.clinicPk(clinicId);
    const item = await this.table.get<{
      clinicId: string;
      consentId: string;
      ref: PdfVersionRef;
      /** Absent on versions written before PDFs were split: one part. */
      parts?: number;
      bytes: Uint8Array;
    }>(pk, keys.pdfSk(consentId, version));
    if (!item) return undefined;
    const rest = await Promise.all(
      Array.from({ length: Math.max(0, (item.parts ?? 1) - 1) }, (_, i) =>
        this.table.get<{ bytes: Uint8Array }>(pk, keys.pdfPartSk(consentId, version, i + 2)),
      ),
    );
    const bytes = new Uint8Array(
      Buffer.concat([item.bytes, ...rest.map((p) => p?.bytes ?? new Uint8Array())]),
    );
    // Write-once parts of one transaction: a missing part or a changed byte is corruption, never served.
    if (rest.some((p) => !p) || bytes.length !== item.ref.bytes || sha256Hex(bytes) !== item.ref.sha256) {
      throw new Error(`PDF version ${version} of ${consentId} does not match its hash`);
    }
    return { clinicId: item.clinicId, consentId: item.consentId, ref: item.ref, bytes };
  }

  async getSignatureImage(clinicId: string, consentId: string, role: SignerRole) {
    const item = await this.table.get<{ sha256: string; png: Uint8Array }>(
      keys.clinicPk(clinicId),
      keys.signatureSk(consentId, role),
    );
    if (!item) return undefined;
    const png = new Uint8Array(item.png);
    if (sha256Hex(png) !== item.sha256)
      throw new Error(`The ${role} signature of ${consentId} does not match its hash`);
    return png;
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
