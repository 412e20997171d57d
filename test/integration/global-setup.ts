import type { TestProject } from 'vitest/node';
import { startTestStack, type TestStack } from '../support/stack';

/**
 * One real local stack (DynamoDB Local in memory, aws-ses-v2-local, the local API server, the
 * stream poller and sweeper) on free ports for the integration project; tests reach it only over HTTP,
 * at the urls provided here (`inject('appUrl')` …).
 */
let stack: TestStack | undefined;

export default async function setup(project: TestProject) {
  process.env.LOG_LEVEL = 'WARN';
  stack = await startTestStack({ sweepIntervalMs: 1000 });
  project.provide('appUrl', stack.appUrl);
  project.provide('sesUrl', stack.sesUrl);
  project.provide('dynamoEndpoint', stack.dynamoEndpoint);
  project.provide('tableName', stack.tableName);
  // The local sign-in key, so security tests can mint tokens /local/login never issues.
  project.provide('localJwtPrivateJwk', process.env.LOCAL_JWT_PRIVATE_JWK ?? '');
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
    localJwtPrivateJwk: string;
  }
}
