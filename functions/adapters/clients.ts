import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESClient } from '@aws-sdk/client-ses';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { config } from '../config';
import { mailTiming } from '../workflow/mail-timing';

/**
 * DynamoDB: a refused connection fails at once; a hung one is cut off (connect 2 s, answer 5 s, three
 * attempts) so the request ends as a 503 rather than running into the function's timeout.
 */
export const DYNAMODB_HTTP = { connectionTimeoutMs: 2_000, requestTimeoutMs: 5_000, maxAttempts: 3 } as const;

/** KMS (the seal's Sign call, ~50 ms): cut off well inside the countersign function's 20 s. */
export const KMS_HTTP = { connectionTimeoutMs: 2_000, requestTimeoutMs: 3_000, maxAttempts: 3 } as const;

/** The SDK client options for those settings. */
export function httpOptions(s: {
  connectionTimeoutMs: number;
  requestTimeoutMs: number;
  maxAttempts: number;
}) {
  return {
    maxAttempts: s.maxAttempts,
    requestHandler: {
      connectionTimeout: s.connectionTimeoutMs,
      requestTimeout: s.requestTimeoutMs,
      throwOnRequestTimeout: true,
    },
  };
}

/**
 * The one module that builds AWS SDK clients, once per container. Locally the endpoints point at
 * DynamoDB Local and aws-ses-v2-local; on Lambda they are unset and the SDK uses the real services.
 */
let documentClient: DynamoDBDocumentClient | undefined;
let sesInstance: SESClient | undefined;

export function dynamoDocumentClient(): DynamoDBDocumentClient {
  if (!documentClient) {
    const { DYNAMODB_ENDPOINT, AWS_REGION } = config();
    const base = new DynamoDBClient({
      region: AWS_REGION,
      ...(DYNAMODB_ENDPOINT ? { endpoint: DYNAMODB_ENDPOINT } : {}),
      ...httpOptions(DYNAMODB_HTTP),
    });
    documentClient = DynamoDBDocumentClient.from(base, {
      marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    });
  }
  return documentClient;
}

export function sesClient(): SESClient {
  if (!sesInstance) {
    const { SES_ENDPOINT, AWS_REGION, MAIL_LEASE_SECONDS } = config();
    // Bounded so that one send, retries included, always ends inside the mail lease (mail-timing.ts).
    const { ses } = mailTiming(MAIL_LEASE_SECONDS);
    sesInstance = new SESClient({
      region: AWS_REGION,
      ...(SES_ENDPOINT ? { endpoint: SES_ENDPOINT } : {}),
      ...httpOptions(ses),
    });
  }
  return sesInstance;
}

/** For tests that swap the environment between stacks. */
export function resetClients(): void {
  documentClient = undefined;
  sesInstance = undefined;
}
