import type { ConsentDocument } from '../../functions/documents/consent-document';
import type { RenderPdf, SealPdf } from '../../functions/workflow/ports';

/**
 * A RenderPdf that records what it was asked to render and returns small fixed bytes that still differ
 * per document (id, kind, signing times), so every issued version has its own hash. For the real
 * renderer use functions/documents/pdf/render-consent.ts (slower: ~1 s cold, ~50 ms warm).
 */
export function fakeRenderer() {
  const rendered: ConsentDocument[] = [];
  const renderPdf: RenderPdf = async (doc) => {
    rendered.push(doc);
    return new TextEncoder().encode(
      `%PDF-fake ${doc.kind} ${doc.documentId} ${doc.patientSignature.signedAt} ${
        doc.countersignature?.signedAt ?? ''
      }`,
    );
  };
  return { renderPdf, rendered };
}

export const SEAL_MARK = new TextEncoder().encode('\n%sealed');

/** A SealPdf that appends a marker and records the details it was given. */
export function fakeSealer() {
  const calls: Array<{ bytes: Uint8Array; details: Parameters<SealPdf>[1] }> = [];
  const sealPdf: SealPdf = async (bytes, details) => {
    calls.push({ bytes, details });
    const out = new Uint8Array(bytes.length + SEAL_MARK.length);
    out.set(bytes);
    out.set(SEAL_MARK, bytes.length);
    return out;
  };
  return { sealPdf, calls };
}
