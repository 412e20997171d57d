import { createHash, X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { type Asn1, asn1, children, der, isContext, OID, parseDer, toBinary } from './der';

/**
 * The seal's certificate: parsed from PEM (the signing certificate first, then any chain certificates
 * from the clinic's CA), and built — self-signed or as a request for a CA — around a key that may live
 * elsewhere (KMS), through a `signDigest` function.
 */
export interface SealCertificate {
  /** DER of the signing certificate. */
  der: Buffer;
  /** DER of the certificates after it in the PEM (intermediates), embedded in the CMS as well. */
  chain: Buffer[];
  /** The certificate's issuer Name and serial number (CMS IssuerAndSerialNumber), as DER elements. */
  issuer: Asn1;
  serial: Asn1;
  keyType: 'rsa' | 'ec';
  /** RSA modulus size (the signature is that long). */
  modulusBits?: number;
  /** Subject common name (what viewers show as the signer). */
  commonName: string;
  notAfter: Date;
  /** SHA-256 of `der` (ESSCertIDv2). */
  sha256: Buffer;
}

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----/g;

/** Environment values often carry PEM with literal "\n"; accept both. */
export function normalisePem(pem: string): string {
  return pem.replace(/\\n/g, '\n').trim();
}

export function parseCertificateChain(pem: string): SealCertificate {
  const blocks = [...normalisePem(pem).matchAll(PEM_BLOCK)].map((m) =>
    Buffer.from((m[1] ?? '').replace(/\s+/g, ''), 'base64'),
  );
  const [leaf, ...chain] = blocks;
  if (!leaf) throw new Error('The seal certificate is not a PEM certificate (-----BEGIN CERTIFICATE-----).');
  const x509 = new X509Certificate(leaf);
  const parsed = parseDer(leaf);
  // Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signature }
  const tbs = children(parsed)[0];
  const fields = children(tbs);
  const offset = isContext(fields[0], 0) ? 1 : 0; // [0] version is optional (v1 certificates)
  const serial = fields[offset];
  const issuer = fields[offset + 2];
  if (!serial || !issuer) throw new Error('The seal certificate could not be read.');
  const keyType = x509.publicKey.asymmetricKeyType;
  if (keyType !== 'rsa' && keyType !== 'ec') {
    throw new Error(`The seal certificate's key must be RSA or EC (P-256), not ${keyType}.`);
  }
  return {
    der: leaf,
    chain,
    issuer,
    serial,
    keyType,
    ...(keyType === 'rsa' ? { modulusBits: x509.publicKey.asymmetricKeyDetails?.modulusLength } : {}),
    commonName: commonNameOf(x509.subject),
    notAfter: new Date(x509.validTo),
    sha256: createHash('sha256').update(leaf).digest(),
  };
}

/** "CN=Demo clinic seal\nO=…" → "Demo clinic seal". */
export function commonNameOf(subject: string): string {
  const line = subject.split('\n').find((l) => l.startsWith('CN='));
  return line ? line.slice(3) : subject.replace(/\n/g, ', ');
}

/** Compares an IssuerAndSerialNumber found in a CMS with a certificate's. */
export function sameIssuerAndSerial(
  cert: SealCertificate,
  issuer: Asn1 | undefined,
  serial: Asn1 | undefined,
): boolean {
  if (!issuer || !serial) return false;
  return der(cert.issuer).equals(der(issuer)) && der(cert.serial).equals(der(serial));
}

export interface SealSubject {
  /** Shown by viewers as the signer, e.g. "Demo Aesthetics Clinic — consent seal". */
  commonName: string;
  organization?: string;
  /** Two-letter country code, e.g. AE. */
  country?: string;
}

/** Signs a SHA-256 digest with the seal key (RSASSA-PKCS1-v1_5); the key itself may never leave KMS. */
export type SignDigest = (digest: Uint8Array) => Promise<Uint8Array>;

/** Most significant first (C, O, CN), as CAs issue them; viewers show the CN as the signer. */
function distinguishedName(subject: SealSubject) {
  return [
    ...(subject.country ? [{ shortName: 'C', value: subject.country }] : []),
    ...(subject.organization
      ? [{ shortName: 'O', value: subject.organization, valueTagClass: asn1.Type.UTF8 }]
      : []),
    { type: OID.commonName, value: subject.commonName, valueTagClass: asn1.Type.UTF8 },
  ] as forge.pki.CertificateField[];
}

function forgeRsaPublicKey(spkiPem: string): forge.pki.rsa.PublicKey {
  try {
    return forge.pki.publicKeyFromPem(spkiPem) as forge.pki.rsa.PublicKey;
  } catch {
    throw new Error('Certificates can be built here for RSA keys only (the seal key is RSA_2048).');
  }
}

type ForgeInternals = typeof forge.pki & {
  getTBSCertificate(cert: forge.pki.Certificate): Asn1;
  getCertificationRequestInfo(csr: forge.pki.CertificateSigningRequest): Asn1;
};
const pki = forge.pki as ForgeInternals;

/**
 * A self-signed seal certificate for a public key whose private half signs through `signDigest`: used for
 * the local stack's key and to bootstrap a KMS key (docs/deploy.md). Document-signing profile: end entity,
 * key usage digitalSignature + nonRepudiation (content commitment).
 */
export async function selfSignedCertificate(args: {
  publicKeyPem: string;
  subject: SealSubject;
  signDigest: SignDigest;
  notBefore: Date;
  validYears: number;
}): Promise<string> {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forgeRsaPublicKey(args.publicKeyPem);
  // 16 random bytes, high bit clear: a positive serial (RFC 5280 4.1.2.2).
  const serial = forge.random.getBytesSync(16);
  cert.serialNumber = forge.util.bytesToHex(
    String.fromCharCode(serial.charCodeAt(0) & 0x7f) + serial.slice(1),
  );
  cert.validity.notBefore = args.notBefore;
  const notAfter = new Date(args.notBefore);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + args.validYears);
  cert.validity.notAfter = notAfter;
  const name = distinguishedName(args.subject);
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, nonRepudiation: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.signatureOid = OID.sha256WithRSAEncryption;
  cert.siginfo.algorithmOid = OID.sha256WithRSAEncryption;
  const tbs = pki.getTBSCertificate(cert);
  const digest = createHash('sha256').update(der(tbs)).digest();
  (cert as unknown as { tbsCertificate: Asn1 }).tbsCertificate = tbs;
  cert.signature = toBinary(await args.signDigest(digest));
  return forge.pki.certificateToPem(cert);
}

/** A PKCS#10 certificate request for the seal key, for a clinic that has its certificate issued by a CA. */
export async function certificateRequest(args: {
  publicKeyPem: string;
  subject: SealSubject;
  signDigest: SignDigest;
}): Promise<string> {
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = forgeRsaPublicKey(args.publicKeyPem);
  csr.setSubject(distinguishedName(args.subject));
  csr.signatureOid = OID.sha256WithRSAEncryption;
  csr.siginfo.algorithmOid = OID.sha256WithRSAEncryption;
  const info = pki.getCertificationRequestInfo(csr);
  const digest = createHash('sha256').update(der(info)).digest();
  (csr as unknown as { certificationRequestInfo: Asn1 }).certificationRequestInfo = info;
  csr.signature = toBinary(await args.signDigest(digest));
  return forge.pki.certificationRequestToPem(csr);
}

/** The public key (SPKI PEM) a certificate carries. */
export function publicKeyPemOf(certificatePem: string): string {
  return new X509Certificate(normalisePem(certificatePem)).publicKey
    .export({ type: 'spki', format: 'pem' })
    .toString();
}

/** SPKI DER (what KMS GetPublicKey returns) → PEM. */
export function spkiDerToPem(spki: Uint8Array): string {
  const b64 = Buffer.from(spki)
    .toString('base64')
    .replace(/.{1,64}/g, '$&\n');
  return `-----BEGIN PUBLIC KEY-----\n${b64}-----END PUBLIC KEY-----\n`;
}
