/** The PDF seal (PAdES): build it once after the last signature, check it on /verify. */
export {
  certificateRequest,
  normalisePem,
  parseCertificateChain,
  publicKeyPemOf,
  type SealSubject,
  selfSignedCertificate,
  spkiDerToPem,
} from './certificate';
export { detachedCms, type PdfSealSigner, parseCms } from './cms';
export { generateLocalSealIdentity, type LocalSealIdentity, LocalSealSigner } from './local-signer';
export { dictionaryText, type SealDetails, sealPdf } from './seal-pdf';
export { type SealCheck, verifySeal } from './verify-seal';
