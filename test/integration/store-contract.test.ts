import { randomBytes } from 'node:crypto';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, inject } from 'vitest';
import { DynamoConsentStore } from '../../functions/adapters/dynamo-store';
import { ensureTable } from '../../infra/local/dynamodb-local';
import { storeContract } from '../unit/store-contract';

/**
 * The store contract (test/unit/store-contract.ts) against the real adapter on the integration stack's
 * DynamoDB Local. Each case gets its own table built from infra/table.ts on that endpoint: the stack's own
 * table has a mailer and a sweeper working on it, which would claim the outbox items these cases queue
 * (and listDueMails reads across every clinic).
 */
const db = new DynamoDBClient({
  endpoint: inject('dynamoEndpoint'),
  region: 'me-central-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});
// The document client as the product builds it (functions/adapters/clients.ts).
const doc = DynamoDBDocumentClient.from(db, {
  marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
});
const tables: string[] = [];
const run = randomBytes(3).toString('hex');

afterAll(async () => {
  for (const TableName of tables) await db.send(new DeleteTableCommand({ TableName })).catch(() => undefined);
  db.destroy();
});

describe(`DynamoConsentStore on DynamoDB Local (store contract; stack table ${inject('tableName')} untouched)`, () => {
  storeContract(async () => {
    const name = `contract-${run}-${tables.length}`;
    tables.push(name);
    await ensureTable(db, name);
    return new DynamoConsentStore(doc, name);
  });
});
