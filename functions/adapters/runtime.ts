import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { config, sealSettings } from '../config';
import { verifyPageUrl } from '../domain/urls';
import { mailTiming } from '../workflow/mail-timing';
import type { Clock, ConsentStore, EmailSender, PdfSealSigner, SealPdf } from '../workflow/ports';
import { systemClock } from '../workflow/ports';
import { dynamoDocumentClient, httpOptions, KMS_HTTP, sesClient } from './clients';
import { DynamoConsentStore } from './dynamo-store';
import { SesEmailSender } from './ses-sender';

/** Composition root: the real adapters, built once per container from the parsed configuration. */
let store: ConsentStore | undefined;
let sender: EmailSender | undefined;

export function consentStore(): ConsentStore {
  store ??= new DynamoConsentStore(dynamoDocumentClient(), config().TABLE_NAME);
  return store;
}

export function emailSender(): EmailSender {
  sender ??= new SesEmailSender(sesClient(), config().SES_CONFIGURATION_SET);
  return sender;
}

export const clock: Clock = systemClock;

/** What every use case takes: the store and the clock. Handlers add what their use case needs beyond it. */
export function runtimeDeps(): { store: ConsentStore; clock: Clock } {
  return { store: consentStore(), clock };
}

/** What the mailer and the outbox sweeper deliver with. */
export function mailDeps() {
  const c = config();
  return {
    ...runtimeDeps(),
    sender: emailSender(),
    appUrl: c.APP_URL,
    from: c.MAIL_FROM,
    timing: mailTiming(c.MAIL_LEASE_SECONDS),
  };
}

let sealer: Promise<SealPdf | null> | undefined;

/**
 * The PDF seal from the configuration (SEAL_MODE): KMS in AWS, the local stack's key locally, or null
 * when explicitly `off`. Rejects on a missing or unreadable setting; the countersign handler awaits it at
 * cold start. The seal code (pdf-lib, node-forge, the KMS client) is imported here, on demand, so the
 * other functions, which share this module, never load it.
 */
export function pdfSealer(): Promise<SealPdf | null> {
  sealer ??= buildSealer();
  return sealer;
}

async function buildSealer(): Promise<SealPdf | null> {
  const cfg = config();
  const settings = sealSettings(cfg);
  if (settings.mode === 'off') return null;
  let signer: PdfSealSigner;
  if (settings.mode === 'kms') {
    const [{ KMSClient }, { KmsSealSigner }] = await Promise.all([
      import('@aws-sdk/client-kms'),
      import('./kms-seal-signer'),
    ]);
    signer = new KmsSealSigner(
      new KMSClient({ region: cfg.AWS_REGION, ...httpOptions(KMS_HTTP) }),
      settings.keyId,
      settings.certificatePem,
    );
  } else {
    const { LocalSealSigner } = await import('../documents/seal/local-signer');
    const pair =
      'keyFile' in settings
        ? (JSON.parse(readFileSync(settings.keyFile, 'utf8')) as { keyPem: string; certificatePem: string })
        : settings;
    signer = new LocalSealSigner(pair.keyPem, pair.certificatePem);
  }
  const { sealPdf } = await import('../documents/seal/seal-pdf');
  const contactInfo = `Check this document at ${verifyPageUrl(cfg.APP_URL)}`;
  return (bytes, details) => sealPdf(bytes, signer, { contactInfo, ...details });
}

let sealKey: { sha256: string | undefined } | undefined;

/**
 * SHA-256 (hex) of the public key (SPKI DER) of this deployment's seal certificate, or undefined when none
 * is configured: the seals /verify calls trusted. The key rather than the certificate's bytes, so PDFs sealed
 * before a certificate renewal (same KMS key) stay trusted. From SEAL_CERT_PEM (AWS: the `seal: 'verify'`
 * need of the route table) or the local stack's key file; no private key and no KMS client are involved.
 */
export function sealKeySha256(): string | undefined {
  sealKey ??= { sha256: readSealKeySha256() };
  return sealKey.sha256;
}

function readSealKeySha256(): string | undefined {
  const cfg = config();
  const pem =
    cfg.SEAL_CERT_PEM ??
    (cfg.SEAL_KEY_FILE
      ? (JSON.parse(readFileSync(cfg.SEAL_KEY_FILE, 'utf8')) as { certificatePem?: string }).certificatePem
      : undefined);
  // The first certificate of the PEM is the seal's own; any that follow are its chain.
  const first = pem?.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/)?.[0];
  if (!first) return undefined;
  const spki = new X509Certificate(first).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('hex');
}

export function resetRuntime(): void {
  store = undefined;
  sender = undefined;
  sealer = undefined;
  sealKey = undefined;
}
