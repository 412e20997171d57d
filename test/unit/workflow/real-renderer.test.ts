import { describe, expect, it } from 'vitest';
import { renderConsentPdf } from '../../../functions/documents/pdf/render-consent';
import { sha256Hex } from '../../../functions/domain/ids';
import { signConsent } from '../../../functions/workflow/intake';
import { countersignConsent } from '../../../functions/workflow/review';
import { doctor, meta, newWorld } from '../../fakes/world';
import { cleanAnswers } from '../../fixtures/answers';

/**
 * Once with the real renderer: the record the use cases build is a document the renderer accepts, and
 * the stored versions are real PDFs whose hashes are the recorded ones. (The other use-case tests use the
 * fake renderer; this one costs about a second cold.)
 */
describe('sign and countersign with the real renderer', () => {
  it('stores two real PDF versions, hashed as recorded', async () => {
    const w = await newWorld();
    const a = await w.answered(cleanAnswers({ allergies: true, allergyDetails: 'penicillin' }));
    const ctx = await w.open(a.token);
    const signed = await signConsent(
      { ...w.deps, renderPdf: renderConsentPdf },
      ctx,
      {
        signature: { kind: 'typed', name: 'Layla Haddad' },
        acknowledgedRiskIds: ctx.consent.applicableRiskIds ?? [],
        agreeToTreatment: true,
        agreeToElectronicRecords: true,
      },
      meta,
    );
    const findings = ctx.consent.screening?.findings.filter((f) => f.severity === 'review') ?? [];
    const final = await countersignConsent(
      { ...w.deps, renderPdf: renderConsentPdf, sealPdf: null },
      doctor,
      a.consentId,
      {
        signature: { kind: 'typed', name: 'Sara Nasser' },
        findingNotes: Object.fromEntries(findings.map((f) => [f.ruleId, 'Patch test negative'])),
      },
      meta,
    );
    for (const [version, sha256] of [
      [1, signed.pdfSha256],
      [2, final.pdfSha256],
    ] as const) {
      const pdf = await w.store.getPdf('demo', a.consentId, version);
      const bytes = pdf?.bytes as Uint8Array;
      expect(Buffer.from(bytes.subarray(0, 5)).toString()).toBe('%PDF-');
      expect(sha256Hex(bytes)).toBe(sha256);
      expect(pdf?.ref.bytes).toBe(bytes.length);
    }
  });
});
