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

export function resetRuntime(): void {
  store = undefined;
  sender = undefined;
  sealer = undefined;
}
