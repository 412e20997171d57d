import { PDF_PART_BYTES } from '../functions/adapters/dynamo-consents';
import { MAX_ITEM_BYTES } from '../functions/adapters/dynamo-item-size';
import { SIGNATURE_MAX_BYTES } from '../functions/workflow/signature';
import { worstCaseDocument, worstCaseRecord } from '../test/fixtures/worst-case';

/**
 * The size bounds of issue 11, item 2 (docs/design.md, "Size bounds"): the worst-case consent record's
 * DynamoDB item size, and the worst-case final PDF (renderer output and sealed, as issued) with the number
 * of 300 KB items it is stored in. The worst case is test/fixtures/worst-case.ts; the integration test
 * test/integration/worst-case.test.ts countersigns, stores and e-mails the same consent on DynamoDB Local.
 */
export interface SizeResult {
  recordBytes: number;
  itemLimitBytes: number;
  signatureImageMaxBytes: number;
  pdfBytes: number;
  sealedPdfBytes?: number;
  pdfParts: number;
  pdfPartBytes: number;
}

export async function benchSizes(): Promise<SizeResult> {
  const { renderConsentPdf } = await import('../functions/documents/pdf/render-consent');
  const { bytes: recordBytes } = await worstCaseRecord();
  const pdf = await renderConsentPdf(worstCaseDocument());
  let sealedPdfBytes: number | undefined;
  try {
    const seal = (await import('../functions/documents/seal/index')) as unknown as {
      generateLocalSealIdentity(): Promise<{ keyPem: string; certificatePem: string }>;
      LocalSealSigner: new (keyPem: string, certPem: string) => unknown;
      sealPdf(bytes: Uint8Array, signer: unknown, details: Record<string, unknown>): Promise<Uint8Array>;
    };
    const id = await seal.generateLocalSealIdentity();
    const signer = new seal.LocalSealSigner(id.keyPem, id.certificatePem);
    sealedPdfBytes = (
      await seal.sealPdf(pdf, signer, {
        reason: 'Countersigned consent',
        location: 'Dubai',
        contactInfo: 'https://consents.example.test/verify',
      })
    ).length;
  } catch (err) {
    process.stderr.write(`worst-case PDF not sealed: ${(err as Error).message.split('\n')[0]}\n`);
  }
  const issued = sealedPdfBytes ?? pdf.length;
  return {
    recordBytes,
    itemLimitBytes: MAX_ITEM_BYTES,
    signatureImageMaxBytes: SIGNATURE_MAX_BYTES,
    pdfBytes: pdf.length,
    ...(sealedPdfBytes !== undefined ? { sealedPdfBytes } : {}),
    pdfParts: Math.ceil(issued / PDF_PART_BYTES),
    pdfPartBytes: PDF_PART_BYTES,
  };
}

/** One line for the terminal and docs/bench.md. */
export function sizeLine(s: SizeResult, kb: (n: number) => number | string): string {
  return `worst-case consent: record ${kb(s.recordBytes)} KB (item limit ${kb(s.itemLimitBytes)} KB; each drawn signature its own item of ≤ ${kb(s.signatureImageMaxBytes)} KB); final PDF ${kb(s.pdfBytes)} KB${s.sealedPdfBytes ? `, sealed ${kb(s.sealedPdfBytes)} KB` : ''}, stored in ${s.pdfParts} items of ≤ ${kb(s.pdfPartBytes)} KB`;
}
