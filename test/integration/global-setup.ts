import type { TestProject } from 'vitest/node';
import type { LocalStack } from '../../infra/local/stack';

/**
 * One real local stack (DynamoDB Local in memory, aws-ses-v2-local, the local API server, the
 * stream poller and sweeper) for the integration project; tests reach it only over HTTP.
 */
export const INTEGRATION_PORTS = { port: 3200, dynamoPort: 8200, sesPort: 8205 };

let stack: LocalStack | undefined;

export default async function setup(project: TestProject) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  process.env.LOG_LEVEL = 'WARN';
  const { startLocalStack } = await import('../../infra/local/stack');
  stack = await startLocalStack({ ...INTEGRATION_PORTS, dataDir: null, sweepIntervalMs: 1000 });
  project.provide('appUrl', stack.appUrl);
  project.provide('sesUrl', stack.sesUrl);
  project.provide('dynamoEndpoint', stack.dynamoEndpoint);
  project.provide('tableName', stack.tableName);
  return async () => {
    await stack?.stop();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    appUrl: string;
    sesUrl: string;
    dynamoEndpoint: string;
    tableName: string;
  }
}
