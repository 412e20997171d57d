import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanAnswers } from '../fixtures/answers';
import { Api } from '../support/client';
import { type StackPorts, startTestStack, type TestStack } from '../support/stack';

/** Data lives under the data folder: stopping and starting the stack loses nothing. */
const dataDir = mkdtempSync(join(tmpdir(), 'consents-restart-'));
let stack: TestStack | undefined;
let api: Api | undefined;

/** Free ports the first time; the same ones after the restart (the token's issuer is the app url). */
async function start(ports?: StackPorts) {
  stack = await startTestStack({ dataDir, sweepIntervalMs: 60_000, ...(ports ? { ports } : {}) });
  api?.close();
  api = new Api(stack.appUrl);
  return api;
}

afterAll(async () => {
  api?.close();
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('restarting the local stack', () => {
  it('keeps every record, the link and the staff sign-in key', async () => {
    let client = await start();
    const ports = stack?.ports;
    const login = await client.call<{ token: string }>('POST', '/local/login', {
      json: { email: 'doctor@demo-clinic.example.test', role: 'doctor' },
    });
    const token = login.body.token;
    const inv = await client.call<{ inviteId: string; intakeUrl: string }>('POST', '/clinic/invites', {
      token,
      json: {
        patient: { fullName: 'Restart Patient', email: 'restart@example.test', locale: 'en' },
        treatmentId: 'mesotherapy',
      },
    });
    expect(inv.status).toBe(201);
    const link = String(inv.body.intakeUrl).split('/').pop();
    expect(
      (
        await client.call('POST', `/intake/${link}/answers`, {
          json: { answers: cleanAnswers({ allergies: true, allergyDetails: 'Lidocaine' }) },
        })
      ).status,
    ).toBe(200);

    await stack?.stop();
    stack = undefined;
    client = await start(ports);

    // The token issued before the restart still verifies (the key is kept under the data folder).
    const res = await client.call<{
      status: string;
      outcome: string;
      answers: { allergyDetails: string };
    }>('GET', `/clinic/consents/${inv.body.inviteId}`, { token });
    expect(res.status).toBe(200);
    const detail = res.body;
    expect(detail).toMatchObject({ status: 'answered', outcome: 'needs_review' });
    expect(detail.answers.allergyDetails).toBe('Lidocaine');
    const page = await client.call('GET', `/intake/${link}`, { headers: { accept: 'application/json' } });
    expect(page.status).toBe(200);
  });
});
