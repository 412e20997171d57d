import { PDFDocument } from 'pdf-lib';
import { PNG } from 'pngjs';
import type { ConsentDocument } from '../functions/documents/consent-document';
import { sampleConsentDocument } from '../test/fixtures/consent-document';
import { type Spread, spread } from './stats';

/**
 * Warm render time and size of the final bilingual consent PDF (two drawn signatures, the doctor's note,
 * the audit-trail page), in this process after warm-up — as a warm Lambda container renders it. Variants
 * show where the bytes go (signature images, audit page) and what a full-size phone signature costs.
 */
export interface RenderVariant {
  name: string;
  pages: number;
  bytes: number;
  ms: Spread;
}

export interface RenderResult {
  coldFirstRenderMs: number;
  final: RenderVariant;
  variants: RenderVariant[];
  sealed?: { bytes: number; sealMs: Spread } | { error: string };
}

/** A phone-canvas signature at device resolution (a stroke on a transparent canvas, like signature_pad's PNG). */
function phoneSignaturePng(width = 1050, height = 360): string {
  const png = new PNG({ width, height });
  png.data.fill(0);
  for (let s = 0; s <= 1; s += 0.00008) {
    const x = 40 + s * (width - 80);
    const y = height / 2 + Math.sin(s * Math.PI * 7) * height * 0.3 * (1 - s * 0.4) + Math.cos(s * 90) * 10;
    for (let dx = -3; dx <= 3; dx++) {
      for (let dy = -3; dy <= 3; dy++) {
        const xi = Math.round(x + dx);
        const yi = Math.round(y + dy);
        if (xi < 0 || yi < 0 || xi >= width || yi >= height || dx * dx + dy * dy > 9) continue;
        const i = (yi * width + xi) * 4;
        png.data[i] = 17;
        png.data[i + 1] = 24;
        png.data[i + 2] = 39;
        png.data[i + 3] = 255 - (dx * dx + dy * dy) * 20;
      }
    }
  }
  return PNG.sync.write(png).toString('base64');
}

async function pages(bytes: Uint8Array): Promise<number> {
  return (await PDFDocument.load(bytes, { updateMetadata: false })).getPageCount();
}

export async function benchRender(runs: number): Promise<RenderResult> {
  const { renderConsentPdf } = await import('../functions/documents/pdf/render-consent');
  const final = sampleConsentDocument();
  if (
    final.kind !== 'countersigned' ||
    !final.audit ||
    final.countersignature?.kind !== 'drawn' ||
    final.patientSignature.kind !== 'drawn'
  ) {
    throw new Error(
      'sampleConsentDocument() is no longer the final version with two drawn signatures and the audit page',
    );
  }
  const t0 = performance.now();
  await renderConsentPdf(final);
  const coldFirstRenderMs = Math.round(performance.now() - t0);

  const measure = async (name: string, doc: ConsentDocument, n: number): Promise<RenderVariant> => {
    for (let i = 0; i < 3; i++) await renderConsentPdf(doc);
    const times: number[] = [];
    let bytes: Uint8Array = new Uint8Array();
    for (let i = 0; i < n; i++) {
      const s = performance.now();
      bytes = await renderConsentPdf(doc);
      times.push(performance.now() - s);
    }
    return { name, pages: await pages(bytes), bytes: bytes.length, ms: spread(times) };
  };

  const finalVariant = await measure('final: bilingual, two drawn signatures, audit page', final, runs);
  const typed = {
    ...final,
    patientSignature: {
      ...final.patientSignature,
      kind: 'typed' as const,
      pngBase64: undefined,
      typedName: 'Layla Haddad',
    },
    countersignature: final.countersignature
      ? {
          ...final.countersignature,
          kind: 'typed' as const,
          pngBase64: undefined,
          typedName: 'Dr. Samir Nasser',
        }
      : undefined,
  } as ConsentDocument;
  const phone = phoneSignaturePng();
  const big = {
    ...final,
    patientSignature: { ...final.patientSignature, pngBase64: phone },
    countersignature: final.countersignature
      ? { ...final.countersignature, pngBase64: phoneSignaturePng(1200, 400) }
      : undefined,
  } as ConsentDocument;
  const variants = [
    await measure('final, typed signatures (no images)', typed, Math.ceil(runs / 2)),
    await measure(
      'patient-signed version (no countersignature, no audit page)',
      sampleConsentDocument({ kind: 'patient_signed' }),
      Math.ceil(runs / 2),
    ),
    await measure(
      `final, phone-size drawn signatures (${Math.round((phone.length * 3) / 4 / 1024)} KB PNG each)`,
      big,
      Math.ceil(runs / 4),
    ),
  ];

  let sealed: RenderResult['sealed'];
  try {
    const seal = (await import('../functions/documents/seal/index')) as unknown as {
      generateLocalSealIdentity(): Promise<{ keyPem: string; certificatePem: string }>;
      LocalSealSigner: new (keyPem: string, certPem: string) => unknown;
      sealPdf(bytes: Uint8Array, signer: unknown, details: Record<string, unknown>): Promise<Uint8Array>;
    };
    const id = await seal.generateLocalSealIdentity();
    const signer = new seal.LocalSealSigner(id.keyPem, id.certificatePem);
    const pdf = await renderConsentPdf(final);
    const details = {
      reason: 'Countersigned consent',
      location: 'Dubai',
      contactInfo: 'https://consents.example.test/verify',
    };
    await seal.sealPdf(pdf, signer, details);
    const times: number[] = [];
    let out: Uint8Array = new Uint8Array();
    for (let i = 0; i < Math.ceil(runs / 2); i++) {
      const s = performance.now();
      out = await seal.sealPdf(pdf, signer, details);
      times.push(performance.now() - s);
    }
    sealed = { bytes: out.length, sealMs: spread(times) };
  } catch (err) {
    sealed = { error: `seal not measured: ${(err as Error).message.split('\n')[0]}` };
  }
  return { coldFirstRenderMs, final: finalVariant, variants, sealed };
}
