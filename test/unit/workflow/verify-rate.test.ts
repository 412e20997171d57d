import { describe, expect, it } from 'vitest';
import type { SealCheck } from '../../../functions/documents/seal/verify-seal';
import { NotFoundError, ThrottledError } from '../../../functions/domain/errors';
import { sha256Hex } from '../../../functions/domain/ids';
import { newLinkToken } from '../../../functions/domain/tokens';
import { openIntake } from '../../../functions/workflow/intake';
import { enforceRateLimit, LIMITS } from '../../../functions/workflow/rate-limit';
import { countersignConsent } from '../../../functions/workflow/review';
import { verifyPdf } from '../../../functions/workflow/verify';
import { doctor, meta, newWorld } from '../../fakes/world';

/** The public verify and the rate limits, against the in-memory store. */
const noSeal = (): SealCheck => ({ present: false, intact: false });

describe('verifyPdf', () => {
  it('an issued version is valid; once countersigned the first version is no longer the latest', async () => {
    const w = await newWorld();
    const s = await w.signed();
    const v1 = (await w.store.getPdf('demo', s.consentId, 1))?.bytes as Uint8Array;
    const deps = { ...w.deps, checkSeal: noSeal };
    expect(await verifyPdf(deps, v1)).toEqual({
      valid: true,
      sha256: s.signature.pdfSha256,
      consentId: s.consentId,
      version: 1,
      kind: 'patient_signed',
      issuedAt: w.clock.iso(),
      isLatestVersion: true,
      status: 'awaiting_countersign',
      countersignedAt: null,
      seal: { present: false, intact: false, trusted: false },
    });
    await countersignConsent(
      { ...w.deps, renderPdf: w.renderer.renderPdf },
      doctor,
      s.consentId,
      { signature: { kind: 'typed', name: 'Sara' }, findingNotes: {} },
      meta,
    );
    expect(await verifyPdf(deps, v1)).toMatchObject({
      valid: true,
      isLatestVersion: false,
      status: 'countersigned',
    });
    const v2 = (await w.store.getPdf('demo', s.consentId, 2))?.bytes as Uint8Array;
    expect(await verifyPdf(deps, v2)).toMatchObject({ valid: true, version: 2, isLatestVersion: true });
    // Public checks are never written into the consent's record.
    const verified = (await w.store.listEvents('demo', s.consentId)).filter((e) => e.type === 'verified');
    expect(verified).toEqual([]);
  });

  it('changed bytes are not valid and leave no event; the seal answer is passed through', async () => {
    const w = await newWorld();
    const s = await w.signed();
    const bytes = new Uint8Array((await w.store.getPdf('demo', s.consentId, 1))?.bytes as Uint8Array);
    bytes[0] = 0;
    const res = await verifyPdf(
      {
        ...w.deps,
        checkSeal: () => ({ present: true, intact: false, signer: 'Demo Seal', problem: 'digest' }),
      },
      bytes,
    );
    expect(res).toEqual({
      valid: false,
      sha256: sha256Hex(bytes),
      seal: { present: true, intact: false, trusted: false, signer: 'Demo Seal' },
    });
    expect((await w.store.listEvents('demo', s.consentId)).filter((e) => e.type === 'verified')).toEqual([]);
  });
});

describe('rate limits', () => {
  it('a link is allowed its limit per window, then 429; the next window starts again', async () => {
    const w = await newWorld();
    w.clock.set('2026-11-21T08:00:00.000Z'); // a window boundary (600 s windows)
    const token = newLinkToken();
    for (let i = 0; i < LIMITS.link.limit; i++) await enforceRateLimit(w.deps, 'link', token);
    await expect(enforceRateLimit(w.deps, 'link', token)).rejects.toBeInstanceOf(ThrottledError);
    // Retry-After is the real wait: 250 s into a 600 s window → 350 s, not "2".
    w.clock.advance(250_000);
    await expect(enforceRateLimit(w.deps, 'link', token)).rejects.toMatchObject({ retryAfterSeconds: 350 });
    w.clock.set('2026-11-21T08:00:00.000Z');
    await expect(enforceRateLimit(w.deps, 'link', newLinkToken())).resolves.toBeUndefined();
    await expect(enforceRateLimit(w.deps, 'verifyIp', token)).resolves.toBeUndefined();
    w.clock.advance(LIMITS.link.windowSeconds * 1000);
    await expect(enforceRateLimit(w.deps, 'link', token)).resolves.toBeUndefined();
  });

  it('openIntake counts the link: a hammered link is throttled before the store is read', async () => {
    const w = await newWorld();
    const inv = await w.invited();
    for (let i = 0; i < LIMITS.link.limit; i++) await w.open(inv.token);
    await expect(w.open(inv.token)).rejects.toBeInstanceOf(ThrottledError);
  });

  it('the patient routes count per address too', async () => {
    const w = await newWorld();
    const ip = { ...meta, ip: '192.0.2.9' };
    for (let i = 0; i < LIMITS.patientIp.limit; i++) await enforceRateLimit(w.deps, 'patientIp', ip.ip);
    await expect(w.open(newLinkToken())).rejects.toBeInstanceOf(NotFoundError); // another address: not throttled
    await expect(openIntake(w.deps, newLinkToken(), ip)).rejects.toBeInstanceOf(ThrottledError);
  });
});
