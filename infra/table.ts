/**
 * The one table definition. The CDK stateful stack and the local bootstrap (CreateTable against
 * DynamoDB Local) both build the table from this object, so keys, indexes and the stream can
 * never drift between AWS and a laptop. No aws-cdk-lib import here: the local path stays light.
 */
export const tableDefinition = {
  /** Default physical name locally; CDK lets CloudFormation name it. */
  localName: 'consents',
  partitionKey: 'pk',
  sortKey: 'sk',
  indexes: [
    /** A clinic's consents by status, newest first (the doctor's queue, the archive filter). */
    { name: 'byStatus', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    /** Sparse: e-mails not yet delivered, for the sweeper that guarantees none is lost. */
    { name: 'pendingMail', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
  ],
  /** Both images: the mailer needs to see an outbox item's transition into `pending`. */
  streamViewType: 'NEW_AND_OLD_IMAGES',
  /** Short-lived items (rate-limit counters) carry this epoch-seconds attribute. */
  ttlAttribute: 'ttl',
} as const;

export type TableDefinition = typeof tableDefinition;

/** The CreateTable input for DynamoDB Local (plain object, same shape as the SDK's). */
export function createTableInput(tableName: string) {
  const keyAttrs = new Set<string>([tableDefinition.partitionKey, tableDefinition.sortKey]);
  for (const ix of tableDefinition.indexes) {
    keyAttrs.add(ix.partitionKey);
    keyAttrs.add(ix.sortKey);
  }
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: [...keyAttrs].map((name) => ({ AttributeName: name, AttributeType: 'S' as const })),
    KeySchema: [
      { AttributeName: tableDefinition.partitionKey, KeyType: 'HASH' as const },
      { AttributeName: tableDefinition.sortKey, KeyType: 'RANGE' as const },
    ],
    GlobalSecondaryIndexes: tableDefinition.indexes.map((ix) => ({
      IndexName: ix.name,
      KeySchema: [
        { AttributeName: ix.partitionKey, KeyType: 'HASH' as const },
        { AttributeName: ix.sortKey, KeyType: 'RANGE' as const },
      ],
      Projection: { ProjectionType: 'ALL' as const },
    })),
    StreamSpecification: { StreamEnabled: true, StreamViewType: tableDefinition.streamViewType },
  };
}
