import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { config } from '../config';

/**
 * The one module that builds AWS SDK clients, once per container. Locally the endpoints point at
 * DynamoDB Local and aws-ses-v2-local; on Lambda they are unset and the SDK uses the real services.
 */
let documentClient: DynamoDBDocumentClient | undefined;
let sesClient: SESv2Client | undefined;

export function dynamoDocumentClient(): DynamoDBDocumentClient {
  if (!documentClient) {
    const { DYNAMODB_ENDPOINT, AWS_REGION } = config();
    const base = new DynamoDBClient({
      region: AWS_REGION,
      ...(DYNAMODB_ENDPOINT ? { endpoint: DYNAMODB_ENDPOINT } : {}),
      maxAttempts: 3,
    });
    documentClient = DynamoDBDocumentClient.from(base, {
      marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    });
  }
  return documentClient;
}

export function sesV2Client(): SESv2Client {
  if (!sesClient) {
    const { SES_ENDPOINT, AWS_REGION } = config();
    sesClient = new SESv2Client({ region: AWS_REGION, ...(SES_ENDPOINT ? { endpoint: SES_ENDPOINT } : {}) });
  }
  return sesClient;
}

/** For tests that swap the environment between stacks. */
export function resetClients(): void {
  documentClient = undefined;
  sesClient = undefined;
}
