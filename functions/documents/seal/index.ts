/** The PDF seal (PAdES): build it once after the last signature, check it on /verify. */

export type { PdfSealSigner } from '../../workflow/ports';
export {
  certificateRequest,
  normalisePem,
  parseCertificateChain,
  publicKeyPemOf,
  type SealSubject,
  selfSignedCertificate,
  spkiDerToPem,
} from './certificate';
export { detachedCms, parseCms } from './cms';
export { generateLocalSealIdentity, type LocalSealIdentity, LocalSealSigner } from './local-signer';
export { dictionaryText, type SealDetails, sealPdf } from './seal-pdf';
export { type SealCheck, verifySeal } from './verify-seal';
