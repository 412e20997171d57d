import { randomBytes } from 'node:crypto';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../domain/audit';
import { ConflictError, UnavailableError } from '../domain/errors';
import type { IntakeLink } from '../workflow/ports';
import { isUnavailable } from './aws-errors';
import { ATTR, keys, STORE_ATTRS } from './table-keys';

/**
 * The one table as the store's parts use it (functions/adapters/dynamo-store.ts): typed reads and writes
 * with store failures mapped to domain errors, and the items several parts write (audit events).
 */
export class DynamoTable {
  constructor(
    readonly db: DynamoDBDocumentClient,
    readonly tableName: string,
  ) {}

  async get<T>(pk: string, sk: string): Promise<T | undefined> {
    try {
      const out = await this.db.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { [ATTR.pk]: pk, [ATTR.sk]: sk },
          ConsistentRead: true,
        }),
      );
      return strip<T>(out.Item);
    } catch (err) {
      translate(err);
    }
  }

  async put(item: Record<string, unknown>, condition?: string): Promise<void> {
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

  /** Every item of a key condition, page by page. */
  async queryAll<T>(input: Omit<QueryCommandInput, 'TableName'>): Promise<T[]> {
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

  /** Items of one partition whose sort key starts with `prefix`. */
  queryPrefix<T>(pk: string, prefix: string): Promise<T[]> {
    return this.queryAll<T>({
      KeyConditionExpression: `${ATTR.pk} = :pk AND begins_with(${ATTR.sk}, :p)`,
      ExpressionAttributeValues: { ':pk': pk, ':p': prefix },
    });
  }
}

/** The condition of every write-once item (links, events, PDF versions, outbox mails). */
export const WRITE_ONCE = `attribute_not_exists(${ATTR.pk})`;

/** An item as the store returns it: without its key and search attributes. */
export function strip<T>(item: Record<string, unknown> | undefined): T | undefined {
  if (!item) return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(item)) if (!STORE_ATTRS.includes(k)) out[k] = v;
  return out as T;
}

/**
 * Events sort by time, then by their position within one write (answers_submitted before the
 * screening_result written at the same instant), then by this process's monotonic clock (two writes in
 * the same millisecond from one container keep their order), then by a random suffix that keeps keys
 * unique across containers.
 */
export function eventItem(clinicId: string, e: AuditEvent, position = 0) {
  const seq = process.hrtime.bigint().toString().padStart(20, '0');
  return {
    [ATTR.pk]: keys.clinicPk(clinicId),
    [ATTR.sk]: keys.eventSk(e.consentId, e.at, position, seq, randomBytes(3).toString('hex')),
    entity: 'event',
    ...e,
  };
}

/**
 * Maps store failures to domain errors: lost races → 409; a DynamoDB that is throttling, failing,
 * unreachable or timing out (after the SDK's own retries) → 503 (functions/adapters/aws-errors.ts).
 */
export function translate(err: unknown): never {
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
  if (isUnavailable(err)) throw new UnavailableError();
  throw err;
}

/** A link-token lookup item: the only way from a token (as its hash) to a consent. */
export function linkItem(link: IntakeLink) {
  return { [ATTR.pk]: keys.linkPk(link.tokenHash), [ATTR.sk]: keys.linkSk, entity: 'link', ...link };
}
