import { afterEach, describe, expect, it } from 'vitest';
import { resetClients, sesClient } from '../../functions/adapters/clients';
import { loadConfig, resetConfig } from '../../functions/config';
import { deliverMail, sweepMail } from '../../functions/workflow/mail';
import {
  DEFAULT_MAIL_LEASE_SECONDS,
  LEASE_MARGIN_MS,
  mailTiming,
  SDK_MAX_RETRY_DELAY_MS,
} from '../../functions/workflow/mail-timing';
import { workers } from '../../infra/routes';
import { newWorld } from '../fakes/world';

/**
 * The mail timing argument (docs/design.md), checked on the numbers the code runs with: one send, every
 * retry and backoff included, ends inside the lease; the workers' timeouts sit in between.
 */
const ENV = {
  TABLE_NAME: 'consents',
  APP_URL: 'https://consents.example.test',
  MAIL_FROM: 'consents@example.test',
  JWT_ISSUER: 'https://issuer.example.test',
  JWT_AUDIENCE: 'aud',
  JWT_PUBLIC_JWK: '{"kty":"EC"}',
};

afterEach(() => {
  resetConfig();
  resetClients();
});

describe('the mail timing argument', () => {
  it('the default lease is the configuration default, and covers the worst-case send with margin', () => {
    expect(loadConfig(ENV).MAIL_LEASE_SECONDS).toBe(DEFAULT_MAIL_LEASE_SECONDS);
    const t = mailTiming(loadConfig(ENV).MAIL_LEASE_SECONDS);
    const { connectionTimeoutMs, requestTimeoutMs, maxAttempts } = t.ses;
    const worst =
      maxAttempts * (connectionTimeoutMs + requestTimeoutMs) + (maxAttempts - 1) * SDK_MAX_RETRY_DELAY_MS;
    expect(t.worstCaseSendMs).toBe(worst);
    expect(worst + LEASE_MARGIN_MS).toBeLessThanOrEqual(t.leaseMs);
    // Client timeouts well under the lease: one attempt is a small part of it.
    expect((connectionTimeoutMs + requestTimeoutMs) * 4).toBeLessThanOrEqual(t.leaseMs);
  });

  it("the workers' function timeouts lie between one worst-case send and the lease", () => {
    const t = mailTiming(DEFAULT_MAIL_LEASE_SECONDS);
    for (const w of [workers.mailer, workers.mailSweeper]) {
      expect(w.timeoutSeconds * 1000, w.id).toBeGreaterThan(t.worstCaseSendMs + LEASE_MARGIN_MS);
      expect(w.timeoutSeconds * 1000, w.id).toBeLessThan(t.leaseMs);
    }
  });

  it('every lease the configuration accepts satisfies the inequality (or the function refuses to start)', () => {
    for (let s = 10; s <= 900; s++) {
      const t = mailTiming(s);
      expect(t.worstCaseSendMs + LEASE_MARGIN_MS, `lease ${s}`).toBeLessThanOrEqual(t.leaseMs);
    }
    expect(() => loadConfig({ ...ENV, MAIL_LEASE_SECONDS: '5' })).toThrow(/MAIL_LEASE_SECONDS/);
  });

  it('the SES client is built with exactly those timeouts and attempts', async () => {
    Object.assign(process.env, ENV, { MAIL_LEASE_SECONDS: '60' });
    resetConfig();
    const client = sesClient();
    const t = mailTiming(60);
    expect(await client.config.maxAttempts()).toBe(t.ses.maxAttempts);
    const handlerConfig = await (
      client.config.requestHandler as unknown as { configProvider: Promise<Record<string, unknown>> }
    ).configProvider;
    expect(handlerConfig).toMatchObject({
      connectionTimeout: t.ses.connectionTimeoutMs,
      requestTimeout: t.ses.requestTimeoutMs,
      throwOnRequestTimeout: true,
    });
    delete process.env.MAIL_LEASE_SECONDS;
  });

  it('a worker whose lease no longer covers a worst-case send does not send; the next attempt sends once', async () => {
    const w = await newWorld();
    const s = await w.signed();
    const mail = await w.store.getMail('demo', s.consentId, 'signed_notice');
    if (!mail) throw new Error('no notice');
    const timing = mailTiming(60);
    // The reads after the claim were slow: by the time the e-mail is ready, the lease is nearly over.
    const slowStore = Object.create(w.store) as typeof w.store;
    slowStore.getClinic = async (id) => {
      w.clock.advance(timing.leaseMs - timing.worstCaseSendMs);
      return w.store.getClinic(id);
    };
    expect(await deliverMail({ ...w.mailDeps, store: slowStore, timing }, mail)).toBe('failed');
    expect(w.sender.sent).toHaveLength(0);
    expect(await w.store.getMail('demo', s.consentId, 'signed_notice')).toMatchObject({
      status: 'pending',
      lastError: 'LeaseExpiring',
    });
    w.clock.advance(15 * 60_000);
    expect(await deliverMail({ ...w.mailDeps, timing }, mail)).toBe('sent');
    expect(w.sender.sent).toHaveLength(1);
  });

  it('the sweeper stops starting sends once its own time could not cover one', async () => {
    const w = await newWorld();
    await w.signed();
    await w.signed();
    w.clock.advance(1000);
    let calls = 0;
    const results = await sweepMail(w.mailDeps, 50, undefined, () => calls++ < 1);
    expect(results).toEqual({ sent: 1, failed: 0, skipped: 0 });
    expect(w.sender.sent).toHaveLength(1);
  });
});
