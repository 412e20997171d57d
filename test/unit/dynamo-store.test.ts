import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoConsentStore } from '../../functions/adapters/dynamo-store';
import { ConflictError, UnavailableError, ValidationFailedError } from '../../functions/domain/errors';
import type { ConsentRecord } from '../../functions/domain/model';
import type { OutboxMail } from '../../functions/workflow/ports';

const ddb = mockClient(DynamoDBDocumentClient);
const store = new DynamoConsentStore(
  DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'me-central-1' })),
  'consents',
);

const consent: ConsentRecord = {
  clinicId: 'demo',
  consentId: '01JABCDEFGHJKMNPQRSTVWXYZ0',
  status: 'answered',
  treatmentId: 'mesotherapy',
  templateVersion: '1',
  templateSha256: 'x',
  branchId: 'jumeirah',
  patient: { fullName: 'Layla Haddad', email: 'layla@example.test', locale: 'en' },
  locale: 'en',
  linkExpiresAt: '2030-01-01T00:00:00.000Z',
  createdAt: '2026-11-21T00:00:00.000Z',
  createdBy: 'sub',
  updatedAt: '2026-11-21T00:00:00.000Z',
  pdfVersions: [],
  rev: 3,
};

beforeEach(() => ddb.reset());

describe('DynamoConsentStore', () => {
  it('writes a state change as one transaction conditioned on the revision and status', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    await store.writeConsent({
      consent: { ...consent, status: 'awaiting_countersign', rev: 4 },
      expectedRev: 3,
      expectedStatus: ['answered'],
      events: [
        {
          schemaVersion: 1,
          consentId: consent.consentId,
          type: 'signed',
          at: '2026-11-21T00:00:01.000Z',
          actor: { kind: 'patient', id: 'p' },
          data: { signature: 'typed', pdfSha256: 'a'.repeat(64), locale: 'en' },
        },
      ],
      pdf: {
        ref: { version: 1, kind: 'patient_signed', sha256: 'abc', createdAt: 'now', bytes: 3 },
        bytes: new Uint8Array([1, 2, 3]),
      },
    });
    const input = ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input;
    const items = input?.TransactItems ?? [];
    expect(items).toHaveLength(4); // consent, event, pdf, pdf-hash lookup
    expect(items[0]?.Put?.ConditionExpression).toBe('#rev = :rev AND #status IN (:s0)');
    expect(items[0]?.Put?.ExpressionAttributeValues).toMatchObject({ ':rev': 3, ':s0': 'answered' });
    expect(items[0]?.Put?.Item).toMatchObject({
      pk: 'CLINIC#demo',
      sk: `CONSENT#${consent.consentId}`,
      gsi1pk: 'CLINIC#demo#STATUS#awaiting_countersign',
    });
    for (const it of items.slice(1)) expect(it.Put?.ConditionExpression).toBe('attribute_not_exists(pk)');
    expect(items[3]?.Put?.Item).toMatchObject({ pk: 'PDFHASH#abc' });
  });

  it('a lost race (condition failed) is a ConflictError', async () => {
    ddb.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: 'cancelled',
        $metadata: {},
        CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }],
      }),
    );
    await expect(store.writeConsent({ consent, expectedRev: 2, events: [] })).rejects.toBeInstanceOf(
      ConflictError,
    );
  });

  it('throttling surfaces as a retryable UnavailableError (503), not a crash', async () => {
    ddb
      .on(GetCommand)
      .rejects(Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException' }));
    await expect(store.getConsent('demo', consent.consentId)).rejects.toBeInstanceOf(UnavailableError);
  });

  it('reads are strongly consistent and strip key attributes', async () => {
    ddb
      .on(GetCommand)
      .resolves({ Item: { pk: 'CLINIC#demo', sk: 'CONSENT#x', gsi1pk: 'g', searchText: 's', ...consent } });
    const got = await store.getConsent('demo', consent.consentId);
    expect(got).toEqual(consent);
    expect(ddb.commandCalls(GetCommand)[0]?.args[0].input.ConsistentRead).toBe(true);
  });

  it('refuses a cursor from another partition', async () => {
    const foreign = Buffer.from(JSON.stringify({ pk: 'CLINIC#other', sk: 'CONSENT#1' })).toString(
      'base64url',
    );
    await expect(store.listConsents('demo', { limit: 10, cursor: foreign })).rejects.toBeInstanceOf(
      ValidationFailedError,
    );
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(0);
  });

  it('lists by status through the byStatus index, newest first', async () => {
    ddb.on(QueryCommand).resolves({ Items: [] });
    await store.listConsents('demo', { limit: 10, status: 'awaiting_countersign', q: 'Layla' });
    const input = ddb.commandCalls(QueryCommand)[0]?.args[0].input;
    expect(input).toMatchObject({ IndexName: 'byStatus', ScanIndexForward: false, Limit: 10 });
    expect(input?.ExpressionAttributeValues?.[':pk']).toBe('CLINIC#demo#STATUS#awaiting_countersign');
    expect(input?.ExpressionAttributeValues?.[':q']).toBe('layla');
  });
  describe('outbox writes', () => {
    const mail: OutboxMail = {
      clinicId: 'demo',
      consentId: consent.consentId,
      kind: 'signed_notice',
      to: 'archive@example.test',
      locale: 'en',
      status: 'pending',
      attempts: 1,
      createdAt: '2026-11-21T00:00:00.000Z',
      nextAttemptAt: '2026-11-21T00:00:00.000Z',
    };
    const key = { pk: 'CLINIC#demo', sk: `MAIL#${consent.consentId}#signed_notice` };

    it('a claim is a conditional update: pending and unleased (or the lease ran out); a lost claim is false', async () => {
      ddb.on(UpdateCommand).resolves({});
      expect(await store.claimMail(mail, '2026-11-21T00:00:01.000Z', '2026-11-21T00:01:01.000Z')).toBe(true);
      const input = ddb.commandCalls(UpdateCommand)[0]?.args[0].input;
      expect(input?.Key).toEqual(key);
      expect(input?.ConditionExpression).toBe(
        '#s = :pending AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)',
      );
      expect(input?.ExpressionAttributeValues).toMatchObject({
        ':lease': '2026-11-21T00:01:01.000Z',
        ':one': 1,
      });
      ddb
        .on(UpdateCommand)
        .rejects(Object.assign(new Error('no'), { name: 'ConditionalCheckFailedException' }));
      expect(await store.claimMail(mail, 'a', 'b')).toBe(false);
    });

    it('markMailSent updates the item out of the pending index and appends the event in one transaction', async () => {
      ddb.on(TransactWriteCommand).resolves({});
      await store.markMailSent(mail, '2026-11-21T00:00:02.000Z', 'm-1', {
        schemaVersion: 1,
        consentId: consent.consentId,
        type: 'emailed',
        at: '2026-11-21T00:00:02.000Z',
        actor: { kind: 'system', id: 'mailer' },
        data: { mail: 'invite', recipient: 'patient' },
      });
      const items = ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
      expect(items).toHaveLength(2);
      expect(items[0]?.Update?.Key).toEqual(key);
      expect(items[0]?.Update?.UpdateExpression).toContain('REMOVE gsi2pk, gsi2sk, leaseUntil');
      expect(items[0]?.Update?.ExpressionAttributeValues).toMatchObject({ ':sent': 'sent', ':mid': 'm-1' });
      expect(items[1]?.Put?.Item).toMatchObject({ pk: 'CLINIC#demo', entity: 'event', type: 'emailed' });
    });

    it('markMailFailed records the error class and moves the pending-index key to the next attempt', async () => {
      ddb.on(UpdateCommand).resolves({});
      await store.markMailFailed(mail, 'T'.repeat(250), '2026-11-21T00:00:20.000Z');
      const input = ddb.commandCalls(UpdateCommand)[0]?.args[0].input;
      expect(input?.ExpressionAttributeValues).toMatchObject({
        ':e': 'T'.repeat(200),
        ':n': '2026-11-21T00:00:20.000Z',
        ':g': `2026-11-21T00:00:20.000Z#demo#${consent.consentId}#signed_notice`,
      });
      expect(ddb.commandCalls(PutCommand)).toHaveLength(0); // no event given, none written
    });
  });
});
