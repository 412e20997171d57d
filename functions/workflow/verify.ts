import type { SealCheck } from '../documents/seal/verify-seal';
import { sha256Hex } from '../domain/ids';
import type { ConsentStore } from './ports';

/**
 * The seal part of a /verify answer: about the file's signature only, never about the patient. `trusted`
 * only when the seal is intact and its signing certificate holds this deployment's key (by the SHA-256 of
 * its public key): a forger can seal an altered file with a certificate of the same name, and then it is intact but
 * not trusted.
 */
function sealView(check: SealCheck, ownKeySha256: string | undefined) {
  const trusted = check.intact && ownKeySha256 !== undefined && check.signerKeySha256 === ownKeySha256;
  return {
    present: check.present,
    intact: check.intact,
    trusted,
    ...(check.signer ? { signer: check.signer } : {}),
    ...(check.signedAt ? { signedAt: check.signedAt } : {}),
  };
}

/**
 * Anyone may ask whether bytes are exactly an issued version (their SHA-256 is in the archive) and
 * whether the embedded seal is intact (its signature verifies over every byte it covers). The answer
 * carries ids, status and times, never patient data. Nothing is written: however often a PDF is checked,
 * the consent's record and its audit trail stay as they are (anonymous traffic must not grow a record
 * that the final PDF prints; the per-address rate limit is the only count kept).
 */
export async function verifyPdf(
  deps: {
    store: ConsentStore;
    checkSeal: (bytes: Uint8Array) => SealCheck | Promise<SealCheck>;
    /** SHA-256 of this deployment's seal key (SPKI DER); undefined when none is configured (never trusted). */
    sealKeySha256?: string | undefined;
  },
  bytes: Uint8Array,
) {
  const sha256 = sha256Hex(bytes);
  const seal = sealView(await deps.checkSeal(bytes), deps.sealKeySha256);
  const hit = await deps.store.findPdfByHash(sha256);
  if (!hit) return { valid: false as const, sha256, seal };
  const consent = await deps.store.getConsent(hit.clinicId, hit.consentId);
  const latest = consent?.pdfVersions.at(-1);
  return {
    valid: true as const,
    sha256,
    consentId: hit.consentId,
    version: hit.ref.version,
    kind: hit.ref.kind,
    issuedAt: hit.ref.createdAt,
    isLatestVersion: latest?.sha256 === sha256,
    status: consent?.status,
    countersignedAt: consent?.countersignedAt ?? null,
    seal,
  };
}
