import { describe, expect, it } from 'vitest';
import { PDF_PART_BYTES } from '../../functions/adapters/dynamo-consents';
import { itemSize, MAX_ITEM_BYTES } from '../../functions/adapters/dynamo-item-size';
import { SIGNATURE_MAX_BYTES } from '../../functions/workflow/signature';
import { maxSignaturePng, WORST_CASE_FINDINGS, worstCaseRecord } from '../fixtures/worst-case';

/**
 * The size bound of the consent record (docs/design.md, "Size bounds"), on the record the use cases write
 * for the worst valid input (test/fixtures/worst-case.ts: `worstCaseRecord`).
 */
describe('the worst-case consent record', () => {
  it('is under a quarter of DynamoDB’s 400 KB item limit', async () => {
    const { record, bytes } = await worstCaseRecord();
    expect(record.status).toBe('countersigned');
    expect(record.findingNotes && Object.keys(record.findingNotes)).toEqual([...WORST_CASE_FINDINGS]);
    expect(bytes).toBeGreaterThan(42_000); // the notes alone are 7 × 6,000 bytes: the bound is not vacuous
    expect(bytes).toBeLessThan(MAX_ITEM_BYTES / 4);
  });

  it('the items beside it are bounded by construction: a signature image, a PDF part', () => {
    const png = new Uint8Array(Buffer.from(maxSignaturePng(), 'base64'));
    expect(png.length).toBeLessThanOrEqual(SIGNATURE_MAX_BYTES);
    const keysAndFacts = {
      pk: `CLINIC#${'c'.repeat(64)}`,
      sk: `SIG#${'0'.repeat(26)}#patient`,
      entity: 'signature',
    };
    expect(
      itemSize({
        ...keysAndFacts,
        clinicId: 'c'.repeat(64),
        consentId: '0'.repeat(26),
        role: 'patient',
        sha256: 'f'.repeat(64),
        bytes: png.length,
        png,
      }),
    ).toBeLessThan(MAX_ITEM_BYTES);
    expect(PDF_PART_BYTES + 2048).toBeLessThan(MAX_ITEM_BYTES);
  });
});
