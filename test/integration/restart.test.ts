import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../infra/local/stack';
import { cleanAnswers } from '../fixtures/answers';

/** Data lives under the data folder: stopping and starting the stack loses nothing. */
const ports = { port: 3210, dynamoPort: 8210, sesPort: 8215 };
const dataDir = mkdtempSync(join(tmpdir(), 'consents-restart-'));
let stack: LocalStack | undefined;

async function start() {
  const { startLocalStack } = await import('../../infra/local/stack');
  stack = await startLocalStack({ ...ports, dataDir, sweepIntervalMs: 60_000 });
  return stack;
}

async function post(path: string, body: unknown, token?: string) {
  const res = await fetch(`http://127.0.0.1:${ports.port}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

afterAll(async () => {
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('restarting the local stack', () => {
  it('keeps every record, the link and the staff sign-in key', async () => {
    await start();
    const login = await post('/local/login', { email: 'doctor@demo-clinic.example.test', role: 'doctor' });
    const token = login.body.token as string;
    const inv = await post(
      '/clinic/invites',
      {
        patient: { fullName: 'Restart Patient', email: 'restart@example.test', locale: 'en' },
        treatmentId: 'mesotherapy',
      },
      token,
    );
    expect(inv.status).toBe(201);
    const link = String(inv.body.intakeUrl).split('/').pop();
    expect(
      (
        await post(`/intake/${link}/answers`, {
          answers: cleanAnswers({ allergies: true, allergyDetails: 'Lidocaine' }),
        })
      ).status,
    ).toBe(200);

    await stack?.stop();
    stack = undefined;
    await start();

    // The token issued before the restart still verifies (the key is kept under the data folder).
    const res = await fetch(`http://127.0.0.1:${ports.port}/clinic/consents/${inv.body.inviteId}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    const detail = (await res.json()) as {
      status: string;
      outcome: string;
      answers: { allergyDetails: string };
    };
    expect(detail).toMatchObject({ status: 'answered', outcome: 'needs_review' });
    expect(detail.answers.allergyDetails).toBe('Lidocaine');
    const page = await fetch(`http://127.0.0.1:${ports.port}/intake/${link}`, {
      headers: { accept: 'application/json' },
    });
    expect(page.status).toBe(200);
  });
});
