import {
  type KMSClient,
  SignCommand,
  type SignCommandOutput,
  type SigningAlgorithmSpec,
} from '@aws-sdk/client-kms';
import { normalisePem, parseCertificateChain } from '../documents/seal/certificate';
import { UnavailableError } from '../domain/errors';
import type { PdfSealSigner } from '../workflow/ports';
import { isUnavailable } from './aws-errors';

/**
 * The seal key in AWS: an asymmetric KMS key (RSA_2048, SIGN_VERIFY) that never leaves KMS. We send
 * KMS the SHA-256 digest of the CMS signed attributes (MessageType DIGEST) and get the signature back;
 * the certificate for the key comes from the stack's configuration (SEAL_CERT_PEM, docs/deploy.md).
 */
export class KmsSealSigner implements PdfSealSigner {
  readonly certificatePem: string;
  private readonly algorithm: SigningAlgorithmSpec;

  constructor(
    private readonly kms: Pick<KMSClient, 'send'>,
    private readonly keyId: string,
    certificatePem: string,
  ) {
    this.certificatePem = normalisePem(certificatePem);
    // The certificate says which kind of key it certifies; KMS must sign with the matching scheme.
    this.algorithm =
      parseCertificateChain(this.certificatePem).keyType === 'rsa'
        ? 'RSASSA_PKCS1_V1_5_SHA_256'
        : 'ECDSA_SHA_256';
  }

  async signDigest(digest: Uint8Array): Promise<Uint8Array> {
    let out: SignCommandOutput;
    try {
      out = await this.kms.send(
        new SignCommand({
          KeyId: this.keyId,
          Message: digest,
          MessageType: 'DIGEST',
          SigningAlgorithm: this.algorithm,
        }),
      );
    } catch (err) {
      // KMS saying "not now" (throttling, KMSInternalException, a timeout …): the countersign can simply
      // be tried again (503), nothing was written.
      if (isUnavailable(err)) throw new UnavailableError();
      throw err;
    }
    if (!out.Signature)
      throw Object.assign(new Error('KMS returned no signature'), { name: 'SealSignFailed' });
    return out.Signature;
  }
}
