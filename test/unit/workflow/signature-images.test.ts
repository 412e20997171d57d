import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../../functions/domain/ids';
import { signConsent } from '../../../functions/workflow/intake';
import { countersignConsent } from '../../../functions/workflow/review';
import { doctor, meta, newWorld } from '../../fakes/world';
import { cleanAnswers } from '../../fixtures/answers';
import { signaturePng } from '../../fixtures/consent-document';

/**
 * Drawn signatures live beside the consent record (issue 11, item 2): the record keeps the image's hash and
 * size, the PNG is its own write-once item, and the use cases that render load it back. Records written
 * before (PNG inline) still render, and countersigning moves their image out.
 */
const review = cleanAnswers({ bloodThinners: true, bloodThinnerDetails: 'Aspirin' });
const notes = { bloodThinners: 'Paused with the prescriber’s agreement.' };

async function signedDrawn(w: Awaited<ReturnType<typeof newWorld>>, png: string) {
  const a = await w.answered(review);
  w.clock.advance(60_000);
  const ctx = await w.open(a.token);
  await signConsent(
    w.signDeps,
    ctx,
    {
      signature: { kind: 'drawn', pngBase64: png },
      acknowledgedRiskIds: ctx.consent.applicableRiskIds ?? [],
      agreeToTreatment: true,
      agreeToElectronicRecords: true,
    },
    meta,
  );
  return a.consentId;
}

describe('drawn signature images', () => {
  it('are stored beside the record, and both are rendered into the final PDF', async () => {
    const w = await newWorld();
    const patientPng = signaturePng(1);
    const doctorPng = signaturePng(2);
    const id = await signedDrawn(w, patientPng);
    const signed = await w.store.getConsent('demo', id);
    const bytes = Buffer.from(patientPng, 'base64');
    expect(signed?.patientSignature).toMatchObject({
      kind: 'drawn',
      image: { sha256: sha256Hex(bytes), bytes: bytes.length },
    });
    expect(signed?.patientSignature?.pngBase64).toBeUndefined();
    expect(Buffer.from((await w.store.getSignatureImage('demo', id, 'patient')) ?? [])).toEqual(bytes);
    expect(w.renderer.rendered.at(-1)?.patientSignature.pngBase64).toBe(patientPng);

    w.clock.advance(3600_000);
    await countersignConsent(
      w.signDeps,
      doctor,
      id,
      { signature: { kind: 'drawn', pngBase64: doctorPng }, findingNotes: notes },
      meta,
    );
    const final = await w.store.getConsent('demo', id);
    expect(final?.countersignature?.image?.sha256).toBe(sha256Hex(Buffer.from(doctorPng, 'base64')));
    expect(JSON.stringify(final)).not.toContain(patientPng.slice(0, 40));
    expect(JSON.stringify(final)).not.toContain(doctorPng.slice(0, 40));
    const doc = w.renderer.rendered.at(-1);
    expect(doc?.patientSignature.pngBase64).toBe(patientPng);
    expect(doc?.countersignature?.pngBase64).toBe(doctorPng);
  });

  it('a record with the patient’s PNG inline (written before) renders, and countersigning moves it out', async () => {
    const w = await newWorld();
    const id = await signedDrawn(w, signaturePng(1));
    // The record as it was stored before images moved out: the PNG inline, no image item.
    const legacyPng = signaturePng(3);
    const current = await w.store.getConsent('demo', id);
    if (!current?.patientSignature) throw new Error('not signed');
    const { image: _image, ...facts } = current.patientSignature;
    const legacy = { ...current, patientSignature: { ...facts, pngBase64: legacyPng }, rev: current.rev + 1 };
    const fresh = await newWorld();
    await fresh.store.writeConsent({ consent: legacy, expectedRev: null, events: [] });

    w.clock.advance(3600_000);
    await countersignConsent(
      { ...fresh.signDeps, clock: w.clock },
      doctor,
      id,
      { signature: { kind: 'typed', name: 'Dr. Samir Nasser' }, findingNotes: notes },
      meta,
    );
    expect(fresh.renderer.rendered.at(-1)?.patientSignature.pngBase64).toBe(legacyPng);
    const final = await fresh.store.getConsent('demo', id);
    const legacyBytes = Buffer.from(legacyPng, 'base64');
    expect(final?.patientSignature?.pngBase64).toBeUndefined();
    expect(final?.patientSignature?.image).toEqual({
      sha256: sha256Hex(legacyBytes),
      bytes: legacyBytes.length,
    });
    expect(Buffer.from((await fresh.store.getSignatureImage('demo', id, 'patient')) ?? [])).toEqual(
      legacyBytes,
    );
  });

  it('an image that is missing beside its record stops the countersignature (nothing is written)', async () => {
    const w = await newWorld();
    const id = await signedDrawn(w, signaturePng(1));
    const stored = await w.store.getConsent('demo', id);
    if (!stored) throw new Error('not signed');
    const fresh = await newWorld();
    await fresh.store.writeConsent({ consent: stored, expectedRev: null, events: [] });
    await expect(
      countersignConsent(
        { ...fresh.signDeps, clock: w.clock },
        doctor,
        id,
        { signature: { kind: 'typed', name: 'Dr. Samir Nasser' }, findingNotes: notes },
        meta,
      ),
    ).rejects.toThrow(/signature image/);
    expect((await fresh.store.getConsent('demo', id))?.status).toBe('awaiting_countersign');
  });
});
