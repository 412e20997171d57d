/**
 * Makes the certificate for the PDF seal key in KMS (docs/deploy.md, "The PDF seal"):
 *
 *   npx tsx infra/admin/seal-certificate.ts --key <SealKeyArn> --name "Example Clinic consent seal" \
 *     [--org "Example Clinic LLC"] [--country AE] [--years 10] [--region me-central-1] [--csr] [--out file]
 *
 * Self-signed by default (KMS signs the certificate with the key it certifies); with --csr, a PKCS#10
 * request to give the clinic's CA instead. The private key never leaves KMS: this asks KMS for the public
 * key (kms:GetPublicKey) and for one signature (kms:Sign), with the administrator's credentials.
 */
import { X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { GetPublicKeyCommand, KMSClient, SignCommand } from '@aws-sdk/client-kms';
import {
  certificateRequest,
  type SealSubject,
  selfSignedCertificate,
  spkiDerToPem,
} from '../../functions/documents/seal/certificate';

const { values } = parseArgs({
  options: {
    key: { type: 'string' },
    name: { type: 'string' },
    org: { type: 'string' },
    country: { type: 'string' },
    years: { type: 'string', default: '10' },
    region: { type: 'string', default: process.env.AWS_REGION ?? 'me-central-1' },
    csr: { type: 'boolean', default: false },
    out: { type: 'string' },
  },
});
if (!values.key || !values.name) {
  console.error(
    'usage: npx tsx infra/admin/seal-certificate.ts --key <SealKeyArn> --name "<clinic> consent seal" [--org …] [--country AE] [--years 10] [--csr] [--out seal.pem]',
  );
  process.exit(2);
}
const years = Number(values.years);
if (!Number.isInteger(years) || years < 1 || years > 30) throw new Error('--years must be 1 to 30');
if (values.country !== undefined && !/^[A-Z]{2}$/.test(values.country))
  throw new Error('--country must be two capitals, e.g. AE');

const kms = new KMSClient({ region: values.region });
const key = await kms.send(new GetPublicKeyCommand({ KeyId: values.key }));
if (key.KeyUsage !== 'SIGN_VERIFY' || !key.KeySpec?.startsWith('RSA_') || !key.PublicKey) {
  throw new Error(
    `${values.key} is not an RSA signing key (KeySpec ${key.KeySpec}, KeyUsage ${key.KeyUsage})`,
  );
}
const publicKeyPem = spkiDerToPem(key.PublicKey);
const signDigest = async (digest: Uint8Array) => {
  const out = await kms.send(
    new SignCommand({
      KeyId: values.key,
      Message: digest,
      MessageType: 'DIGEST',
      SigningAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_256',
    }),
  );
  if (!out.Signature) throw new Error('KMS returned no signature');
  return out.Signature;
};
const subject: SealSubject = {
  commonName: values.name,
  ...(values.org ? { organization: values.org } : {}),
  ...(values.country ? { country: values.country } : {}),
};

let pem: string;
if (values.csr) {
  pem = await certificateRequest({ publicKeyPem, subject, signDigest });
} else {
  pem = await selfSignedCertificate({
    publicKeyPem,
    subject,
    signDigest,
    notBefore: new Date(),
    validYears: years,
  });
  const cert = new X509Certificate(pem);
  if (!cert.verify(cert.publicKey)) throw new Error('The new certificate does not verify with the KMS key');
  console.error(`Certificate for ${cert.subject.replace(/\n/g, ', ')}, valid until ${cert.validTo}`);
}
if (values.out) {
  writeFileSync(values.out, pem);
  console.error(`Wrote ${values.out}`);
} else {
  process.stdout.write(pem);
}
