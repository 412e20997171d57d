import { createServer } from 'node:net';
import type { LocalStack, LocalStackOptions } from '../../infra/local/stack';

/**
 * The one way a test (or the benchmark) starts a local stack: in this process, in memory unless told
 * otherwise, on ports the OS says are free — so suites, helpers and a running `npm start` never collide.
 */
export interface StackPorts {
  port: number;
  dynamoPort: number;
  sesPort: number;
}

export interface TestStack extends LocalStack {
  ports: StackPorts;
}

/** A port nothing listens on now: listen on port 0 on 127.0.0.1, read the port the OS chose, close. */
export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => (port ? ok(port) : fail(new Error('the OS gave no port'))));
    });
  });
}

/** Three distinct free ports for the API, DynamoDB Local and SES. */
export async function freePorts(): Promise<StackPorts> {
  const taken = new Set<number>();
  const next = async () => {
    for (;;) {
      const p = await freePort();
      if (!taken.has(p)) {
        taken.add(p);
        return p;
      }
    }
  };
  return { port: await next(), dynamoPort: await next(), sesPort: await next() };
}

const ATTEMPTS = 5;

/**
 * Starts `startLocalStack` on free ports (or on `ports`, e.g. to restart on the same ones). A port taken
 * between asking and starting (another process was quicker) fails before anything runs: then it asks again.
 */
export async function startTestStack(
  opts: Partial<Omit<LocalStackOptions, keyof StackPorts>> & { ports?: StackPorts } = {},
): Promise<TestStack> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  process.env.LOG_LEVEL ??= 'SILENT';
  const { startLocalStack } = await import('../../infra/local/stack');
  const { ports: fixed, ...rest } = opts;
  for (let attempt = 1; ; attempt++) {
    const ports = fixed ?? (await freePorts());
    try {
      const stack = await startLocalStack({ dataDir: null, sweepIntervalMs: 1_000, ...rest, ...ports });
      return { ...stack, ports };
    } catch (err) {
      const inUse = /already in use|EADDRINUSE/i.test(String((err as Error).message));
      if (fixed || !inUse || attempt >= ATTEMPTS) throw err;
    }
  }
}
