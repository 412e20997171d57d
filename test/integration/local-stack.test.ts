import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECURITY_HEADERS } from '../../functions/http/api';
import { lockDown, writePrivateFile } from '../../infra/local/private-files';
import { Api } from '../support/client';
import { startTestStack, type TestStack } from '../support/stack';

/**
 * The local stack as an outsider on the same machine or network sees it (issue 11, item 11 and 12): it
 * listens on 127.0.0.1 only, and its data folder (database, signing keys, demo tokens) is its owner's alone.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'consents-local-'));
let stack: TestStack;
let api: Api;

beforeAll(async () => {
  // Data left by an older version, world-readable: the start tightens it.
  chmodSync(dataDir, 0o755);
  writeFileSync(join(dataDir, 'old-notes.json'), '{}', { mode: 0o644 });
  mkdirSync(join(dataDir, 'old-folder'), { mode: 0o755 });
  writeFileSync(join(dataDir, 'old-folder', 'inner.txt'), 'x', { mode: 0o666 });
  chmodSync(join(dataDir, 'old-folder', 'inner.txt'), 0o666);
  stack = await startTestStack({ dataDir, sweepIntervalMs: 60_000 });
  api = new Api(stack.appUrl, stack.sesUrl);
  // Something in the table and through the stream, so DynamoDB Local and the poller write their files.
  const token = await api.login('coordinator');
  await api.invite(token, { email: 'local-stack@example.test' }, { sendEmail: true });
  await api.waitForEmails((e) => e.destination.to.includes('local-stack@example.test'));
});

afterAll(async () => {
  api?.close();
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Listening TCP sockets from /proc/net/tcp and tcp6: port → local addresses (hex, as the kernel prints them). */
function listeners(): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue; // no IPv6 on this machine
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 4 || cols[3] !== '0A') continue; // 0A = LISTEN
      const [address, portHex] = (cols[1] as string).split(':') as [string, string];
      const port = Number.parseInt(portHex, 16);
      out.set(port, [...(out.get(port) ?? []), address]);
    }
  }
  return out;
}

/** 127.0.0.1 as /proc/net/tcp prints it, and as an IPv4-mapped address in /proc/net/tcp6. */
const LOOPBACK = new Set(['0100007F', '0000000000000000FFFF00000100007F']);

function walk(dir: string): Array<{ path: string; mode: number; dir: boolean }> {
  const entries = [{ path: dir, mode: lstatSync(dir).mode & 0o777, dir: true }];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const stat = lstatSync(path);
    if (stat.isDirectory()) entries.push(...walk(path));
    else entries.push({ path, mode: stat.mode & 0o777, dir: false });
  }
  return entries;
}

const octal = (mode: number) => `0${mode.toString(8)}`;

describe('the local stack listens on 127.0.0.1 only', () => {
  it('binds the API, DynamoDB Local and SES to the loopback address, never to all interfaces', () => {
    const sockets = listeners();
    for (const [name, port] of Object.entries(stack.ports)) {
      const addresses = sockets.get(port);
      expect(addresses, `${name} (${port}) is not listening`).toBeDefined();
      for (const address of addresses ?? []) {
        expect(LOOPBACK.has(address), `${name} (${port}) listens on ${address}`).toBe(true);
      }
    }
  });

  it('refuses connections to the machine’s other addresses', async () => {
    const others = Object.values(networkInterfaces())
      .flat()
      .filter((a) => a && a.family === 'IPv4' && !a.internal)
      .map((a) => a?.address as string);
    for (const host of others) {
      for (const [name, port] of Object.entries(stack.ports)) {
        const outcome = await new Promise<string>((resolve) => {
          const socket = connect({ host, port });
          socket.setTimeout(5_000, () => {
            socket.destroy();
            resolve('timeout');
          });
          socket.once('connect', () => {
            socket.destroy();
            resolve('connected');
          });
          socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
        });
        expect(outcome, `${name} reachable at ${host}:${port}`).not.toBe('connected');
      }
    }
  });
});

describe('the data folder is its owner’s alone', () => {
  it('holds the database, the keys and the stream checkpoint, all 0600 in 0700 folders', () => {
    const entries = walk(dataDir);
    const names = entries.map((e) => e.path.slice(dataDir.length + 1));
    expect(names).toEqual(
      expect.arrayContaining(['dynamodb', 'local-jwt-key.json', 'seal-key.json', 'stream-checkpoint.json']),
    );
    expect(entries.some((e) => e.path.startsWith(join(dataDir, 'dynamodb')) && !e.dir)).toBe(true);
    for (const e of entries) expect(octal(e.mode), e.path).toBe(e.dir ? '0700' : '0600');
  });

  it('writes private files 0600 even over a wider file, and narrows an existing tree', () => {
    const dir = mkdtempSync(join(tmpdir(), 'consents-private-'));
    try {
      const file = join(dir, 'demo.json');
      writeFileSync(file, 'old', { mode: 0o644 });
      chmodSync(file, 0o644);
      writePrivateFile(file, '{"token":"x"}');
      expect(octal(lstatSync(file).mode & 0o777)).toBe('0600');
      expect(readFileSync(file, 'utf8')).toBe('{"token":"x"}');
      mkdirSync(join(dir, 'sub'), { mode: 0o777 });
      chmodSync(join(dir, 'sub'), 0o777);
      lockDown(dir);
      for (const e of walk(dir)) expect(octal(e.mode), e.path).toBe(e.dir ? '0700' : '0600');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('responses of the local server itself', () => {
  it('carry the security headers on a 404, a wrong method and the redirect', async () => {
    const cases = [
      { method: 'GET', path: '/no/such/route', status: 404 },
      { method: 'DELETE', path: '/verify', status: 404 },
      { method: 'GET', path: '/verify', status: 404 },
      { method: 'GET', path: '/', status: 302 },
    ] as const;
    for (const c of cases) {
      const reply = await api.call(c.method, c.path);
      expect(reply.status, `${c.method} ${c.path}`).toBe(c.status);
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
        expect(reply.headers.get(name), `${c.method} ${c.path}: ${name}`).toBe(value);
      }
    }
  });
});
