import { existsSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { exportJWK, generateKeyPair } from 'jose';
import {
  generateLocalSealIdentity,
  type LocalSealIdentity,
} from '../../functions/documents/seal/local-signer';
import { functionEnvironment } from '../function-env';
import { workers } from '../routes';
import { tableDefinition } from '../table';
import { ensureTable, StackStartError, startDynamoLocal } from './dynamodb-local';
import { loadHandler } from './handlers';
import { lambdaContext } from './lambda-context';
import { lockDown, privateDir, writePrivateFile } from './private-files';
import { createLocalServer } from './server';
import { StreamPoller } from './stream-poller';

/**
 * The whole product on one machine: DynamoDB Local (Java), aws-ses-v2-local and the local API
 * server, with the stream poller and the outbox sweeper — the same handlers Lambda runs, only the
 * endpoints differ. Used by `npm start`, the integration tests and the benchmark.
 */
export interface LocalStackOptions {
  port: number;
  dynamoPort: number;
  sesPort: number;
  /**
   * Folder for DynamoDB's files, the local signing keys and the stream checkpoint; null = in memory. Made
   * 0700 with every file in it 0600 (infra/local/private-files.ts).
   */
  dataDir: string | null;
  linkTtlDays?: number;
  sweepIntervalMs?: number;
  log?: (line: string) => void;
}

export interface LocalStack {
  appUrl: string;
  sesUrl: string;
  dynamoEndpoint: string;
  tableName: string;
  /** Stops SES only (fault tests); startSes brings it back on the same port. */
  stopSes(): Promise<void>;
  startSes(): Promise<void>;
  sweepNow(): Promise<unknown>;
  stop(): Promise<void>;
}

export const REPO_ROOT = resolve(import.meta.dirname, '../..');

export async function assertPortFree(port: number, name: string, envVar: string): Promise<void> {
  await new Promise<void>((ok, fail) => {
    const srv = createNetServer();
    srv.once('error', (err: NodeJS.ErrnoException) =>
      fail(
        new StackStartError(
          err.code === 'EADDRINUSE'
            ? `Port ${port} (${name}) is already in use: stop whatever uses it, or choose another with ${envVar}=<port>.`
            : `Cannot listen on 127.0.0.1:${port} (${name}): ${err.code}`,
        ),
      ),
    );
    srv.listen(port, '127.0.0.1', () => srv.close(() => ok()));
  });
}

/** ES256 key for /local/login tokens, generated on first start and kept under the data folder. */
async function localSigningKey(dataDir: string | null): Promise<{ privateJwk: string; publicJwk: string }> {
  const file = dataDir ? join(dataDir, 'local-jwt-key.json') : undefined;
  if (file && existsSync(file)) return JSON.parse(readFileSync(file, 'utf8'));
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const pair = {
    privateJwk: JSON.stringify({ ...(await exportJWK(privateKey)), kid: 'local', alg: 'ES256' }),
    publicJwk: JSON.stringify({ ...(await exportJWK(publicKey)), kid: 'local', alg: 'ES256' }),
  };
  if (file) writePrivateFile(file, JSON.stringify(pair));
  return pair;
}

/**
 * The local PDF seal: an RSA-2048 key and a self-signed certificate, generated on first start and kept
 * under the data folder (.data/seal-key.json), or in memory with dataDir null. In AWS the key is in KMS.
 */
async function localSealIdentity(dataDir: string | null): Promise<LocalSealIdentity> {
  const file = dataDir ? join(dataDir, 'seal-key.json') : undefined;
  if (file && existsSync(file)) return JSON.parse(readFileSync(file, 'utf8'));
  const identity = await generateLocalSealIdentity();
  if (file) writePrivateFile(file, JSON.stringify(identity));
  return identity;
}

async function startSesServer(port: number): Promise<Server> {
  const mod = (await import('aws-ses-v2-local')) as unknown as { default: unknown };
  const start = (
    typeof mod.default === 'function' ? mod.default : (mod.default as { default: unknown }).default
  ) as (c: { host: string; port: number }) => Promise<Server>;
  return start({ host: '127.0.0.1', port });
}

export async function startLocalStack(opts: LocalStackOptions): Promise<LocalStack> {
  const log = opts.log ?? (() => undefined);
  await assertPortFree(opts.port, 'API', 'PORT');
  await assertPortFree(opts.dynamoPort, 'DynamoDB Local', 'DYNAMODB_PORT');
  await assertPortFree(opts.sesPort, 'SES', 'SES_PORT');
  // Owner only: the database, the signing keys and demo.json's staff tokens (infra/local/private-files.ts).
  if (opts.dataDir) lockDown(privateDir(opts.dataDir));

  const dynamo = await startDynamoLocal(
    opts.dynamoPort,
    opts.dataDir ? join(opts.dataDir, 'dynamodb') : null,
  );
  let ses: Server | undefined = await startSesServer(opts.sesPort);
  const keys = await localSigningKey(opts.dataDir);
  // SEAL_MODE=off in the environment turns the seal off explicitly; otherwise the local stack seals.
  const seal = process.env.SEAL_MODE === 'off' ? undefined : await localSealIdentity(opts.dataDir);
  const appUrl = `http://127.0.0.1:${opts.port}`;
  const sesUrl = `http://127.0.0.1:${opts.sesPort}`;
  const tableName = tableDefinition.localName;

  // The same variables the CDK stack sets on each function (infra/function-env.ts), pointed at the local
  // stand-ins, plus the SDK's stand-in credentials.
  Object.assign(process.env, {
    ...functionEnvironment({
      tableName,
      appUrl,
      mailFrom: 'Demo Aesthetics Clinic <consents@demo-clinic.example.test>',
      linkTtlDays: opts.linkTtlDays ?? Number(process.env.LINK_TTL_DAYS ?? 7),
      jwt: { issuer: `${appUrl}/local`, audience: 'consents-local', publicJwk: keys.publicJwk },
      localJwtPrivateJwk: keys.privateJwk,
      endpoints: { dynamodb: dynamo.endpoint, ses: sesUrl },
      region: 'me-central-1',
      serviceName: 'consents-local',
      ...(seal ? { seal: { mode: 'local', keyPem: seal.keyPem, certificatePem: seal.certificatePem } } : {}),
    }),
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
  delete process.env.JWKS_URL;
  delete process.env.SEAL_KMS_KEY_ID;
  delete process.env.AWS_PROFILE;

  const admin = new DynamoDBClient({
    endpoint: dynamo.endpoint,
    region: 'me-central-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const streamArn = await ensureTable(admin, tableName);
  admin.destroy();

  const { consentStore } = await import('../../functions/adapters/runtime');
  const { seedDemo } = await import('./seed');
  await seedDemo(consentStore());

  const server = createLocalServer();
  await new Promise<void>((ok) => server.listen(opts.port, '127.0.0.1', () => ok()));
  const poller = new StreamPoller(
    dynamo.endpoint,
    streamArn,
    opts.dataDir ? join(opts.dataDir, 'stream-checkpoint.json') : null,
    log,
  );
  poller.start();

  const sweepNow = async () => {
    const handler = await loadHandler(workers.mailSweeper.entry);
    return handler({}, lambdaContext(workers.mailSweeper.id, workers.mailSweeper.timeoutSeconds));
  };
  let sweeping = false;
  const sweeper = setInterval(() => {
    if (sweeping) return;
    sweeping = true;
    sweepNow()
      .catch((err) => log(`sweeper: ${(err as Error).name}`))
      .finally(() => {
        sweeping = false;
      });
  }, opts.sweepIntervalMs ?? 10_000);

  return {
    appUrl,
    sesUrl,
    dynamoEndpoint: dynamo.endpoint,
    tableName,
    sweepNow,
    stopSes: async () => {
      if (!ses) return;
      const s = ses;
      ses = undefined;
      s.closeAllConnections?.();
      await new Promise<void>((ok) => s.close(() => ok()));
    },
    startSes: async () => {
      if (!ses) ses = await startSesServer(opts.sesPort);
    },
    stop: async () => {
      clearInterval(sweeper);
      await poller.stop();
      server.closeAllConnections?.();
      await new Promise<void>((ok) => server.close(() => ok()));
      if (ses) {
        const s = ses;
        s.closeAllConnections?.();
        await new Promise<void>((ok) => s.close(() => ok()));
      }
      await dynamo.stop();
    },
  };
}
