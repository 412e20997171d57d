import {
  constants,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  privateEncrypt,
} from 'node:crypto';
import type { PdfSealSigner } from '../../workflow/ports';
import { normalisePem, publicKeyPemOf, type SealSubject, selfSignedCertificate } from './certificate';

/** DigestInfo prefix for SHA-256 (RFC 8017 9.2, note 1): PKCS#1 v1.5 signs DigestInfo, not the bare digest. */
const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');

/** Signs a precomputed SHA-256 digest (RSASSA-PKCS1-v1_5) with an RSA key held in this process. */
export function signDigestWith(key: KeyObject, digest: Uint8Array): Buffer {
  if (digest.length !== 32) throw new Error('Expected a SHA-256 digest');
  if (key.asymmetricKeyType === 'rsa') {
    return privateEncrypt(
      { key, padding: constants.RSA_PKCS1_PADDING },
      Buffer.concat([SHA256_DIGEST_INFO, digest]),
    );
  }
  throw new Error(`The local seal key must be RSA, not ${key.asymmetricKeyType}`);
}

/** The local stack's seal: a key and certificate kept under .data/ (or in memory). */
export class LocalSealSigner implements PdfSealSigner {
  private readonly key: KeyObject;
  readonly certificatePem: string;

  constructor(keyPem: string, certificatePem: string) {
    this.key = createPrivateKey(normalisePem(keyPem));
    this.certificatePem = normalisePem(certificatePem);
  }

  async signDigest(digest: Uint8Array): Promise<Uint8Array> {
    return signDigestWith(this.key, digest);
  }
}

export interface LocalSealIdentity {
  keyPem: string;
  certificatePem: string;
}

/**
 * A fresh RSA-2048 key and a self-signed certificate for it: what the local stack creates on first start.
 * Nobody trusts it but this installation, which is the point locally; in AWS the key is in KMS.
 */
export async function generateLocalSealIdentity(
  subject: SealSubject = {
    commonName: 'meso-consent local seal (not trusted)',
    organization: 'Local development',
  },
  now: Date = new Date(),
): Promise<LocalSealIdentity> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const publicKeyPem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
  const certificatePem = await selfSignedCertificate({
    publicKeyPem,
    subject,
    signDigest: async (digest) => signDigestWith(privateKey, digest),
    notBefore: new Date(now.getTime() - 60_000),
    validYears: 10,
  });
  // Sanity: the certificate carries this key.
  if (publicKeyPemOf(certificatePem) !== publicKeyPem) throw new Error('Local seal certificate mismatch');
  return { keyPem, certificatePem };
}
