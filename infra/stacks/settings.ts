import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { Node } from 'constructs';

/**
 * Deployment settings, read from CDK context (cdk.json, or `-c key=value` on the command line).
 * Each clinic deploys into its own account, so these are the only knobs a clinic turns; every one has a
 * documented default (docs/deploy.md) and is validated here, at synth, rather than failing mid-deploy.
 */
export interface DeploySettings {
  /** Prefix of stack names and of the Cognito hosted-UI domain. */
  appName: string;
  /** AWS region. UAE health data must stay in the UAE, hence me-central-1. */
  region: string;
  /** Address every e-mail is sent from (must be verified in SES, or belong to `senderDomain`). */
  senderEmail: string;
  /** Display name in the From header. */
  senderName: string;
  /** Optional: verify the whole domain (DKIM) instead of the single sender address. */
  senderDomain?: string;
  /** The clinic's archive mailbox: countersigned PDFs and "awaiting countersignature" notices. */
  archiveEmail: string;
  /** Who receives alarms and SES bounce/complaint notifications. */
  alarmEmail: string;
  /** Lifetime of a patient's intake link, in days (1–90, as functions/config.ts accepts). */
  linkTtlDays: number;
  /**
   * Cognito hosted-UI domain prefix (globally unique per region, and public: it is in every sign-in URL).
   * Defaults to `<appName>-<8 hex digits of the stateful stack's random id>`: unique and stable for the life
   * of the stack, and it says nothing about the account (the account id is not in it).
   */
  authDomainPrefix?: string;
  /**
   * The PDF seal: `kms` (default) signs final PDFs with the stack's KMS key; `off` issues them unsealed and
   * must be chosen explicitly (docs/deploy.md, "The PDF seal").
   */
  sealMode: 'kms' | 'off';
  /**
   * The certificate for the KMS seal key (PEM, compacted), from context `sealCertificate`: the PEM itself or
   * the path of a .pem file. Unset until the clinic has made one (docs/deploy.md); the countersign function
   * refuses to start without it while sealMode is `kms`.
   */
  sealCertificate?: string;
  /**
   * While making the seal's certificate only: the IAM principal ARN (e.g. the administrator's role) that may
   * also call kms:Sign on the seal key (docs/deploy.md, "The PDF seal"). Unset otherwise: then only the
   * countersign function can sign.
   */
  sealCertificateMaker?: string;
}

export const DEFAULT_SETTINGS = {
  appName: 'meso-consent',
  region: 'me-central-1',
  senderEmail: 'consents@clinic.example',
  senderName: 'Clinic consents',
  archiveEmail: 'archive@clinic.example',
  alarmEmail: 'it@clinic.example',
  linkTtlDays: 7,
  sealMode: 'kms',
} as const satisfies Partial<DeploySettings>;

/**
 * Lambda allows 4 KB of environment in total; the certificate travels in SEAL_CERT_PEM beside the shared
 * variables, so the signing certificate and at most a short chain fit, not a long CA bundle.
 */
export const SEAL_CERTIFICATE_MAX_CHARS = 3000;

const PEM_CERT = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----/g;

/** Reads the `sealCertificate` context value (PEM text or a file path) into compact single-line PEM blocks. */
export function readSealCertificate(value: string): string {
  const text = value.includes('-----BEGIN') ? value.replace(/\\n/g, '\n') : readPemFile(value);
  const blocks = [...text.matchAll(PEM_CERT)].map((m) => (m[1] ?? '').replace(/\s+/g, ''));
  if (!blocks.length)
    throw new Error('Context "sealCertificate" holds no PEM certificate (-----BEGIN CERTIFICATE-----)');
  const compact = blocks.map((b) => `-----BEGIN CERTIFICATE-----${b}-----END CERTIFICATE-----`).join('');
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(Buffer.from(blocks[0] as string, 'base64'));
  } catch {
    throw new Error('Context "sealCertificate" is not a readable X.509 certificate');
  }
  if (leaf.publicKey.asymmetricKeyType !== 'rsa') {
    throw new Error('Context "sealCertificate" must certify the RSA_2048 seal key (its key is not RSA)');
  }
  if (Date.parse(leaf.validTo) < Date.now()) {
    throw new Error(`Context "sealCertificate" expired on ${leaf.validTo}`);
  }
  if (compact.length > SEAL_CERTIFICATE_MAX_CHARS) {
    throw new Error(
      `Context "sealCertificate" is ${compact.length} characters; at most ${SEAL_CERTIFICATE_MAX_CHARS} fit in the function's environment (give the signing certificate and at most one intermediate)`,
    );
  }
  return compact;
}

function readPemFile(path: string): string {
  if (!existsSync(path)) throw new Error(`Context "sealCertificate" is neither PEM text nor a file: ${path}`);
  return readFileSync(path, 'utf8');
}

const EMAIL = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const APP_NAME = /^[a-z][a-z0-9-]{1,30}[a-z0-9]$/;

/** Reads and validates the settings from the construct tree's context; throws naming the bad key. */
export function readSettings(node: Node): DeploySettings {
  const str = (key: string, fallback?: string): string | undefined => {
    const value = node.tryGetContext(key);
    if (value === undefined || value === null || value === '') return fallback;
    if (typeof value !== 'string') throw new Error(`Context "${key}" must be a string`);
    return value.trim();
  };

  const appName = str('appName', DEFAULT_SETTINGS.appName) as string;
  if (!APP_NAME.test(appName)) {
    throw new Error(`Context "appName" must be 3–32 lowercase letters, digits or hyphens: ${appName}`);
  }
  const settings: DeploySettings = {
    appName,
    region: str('region', DEFAULT_SETTINGS.region) as string,
    senderEmail: str('senderEmail', DEFAULT_SETTINGS.senderEmail) as string,
    senderName: str('senderName', DEFAULT_SETTINGS.senderName) as string,
    senderDomain: str('senderDomain')?.toLowerCase(),
    archiveEmail: str('archiveEmail', DEFAULT_SETTINGS.archiveEmail) as string,
    alarmEmail: str('alarmEmail', DEFAULT_SETTINGS.alarmEmail) as string,
    linkTtlDays: Number(node.tryGetContext('linkTtlDays') ?? DEFAULT_SETTINGS.linkTtlDays),
    authDomainPrefix: str('authDomainPrefix'),
    sealMode: str('sealMode', DEFAULT_SETTINGS.sealMode) as DeploySettings['sealMode'],
  };
  if (settings.sealMode !== 'kms' && settings.sealMode !== 'off') {
    throw new Error(`Context "sealMode" must be kms or off: ${settings.sealMode}`);
  }
  const maker = str('sealCertificateMaker');
  if (maker !== undefined) {
    if (!/^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[A-Za-z0-9+=,.@_/-]+$/.test(maker)) {
      throw new Error(
        `Context "sealCertificateMaker" must be the ARN of one IAM role or user (not an account root): ${maker}`,
      );
    }
    settings.sealCertificateMaker = maker;
  }
  const sealCertificate = str('sealCertificate');
  if (sealCertificate) settings.sealCertificate = readSealCertificate(sealCertificate);

  for (const key of ['senderEmail', 'archiveEmail', 'alarmEmail'] as const) {
    if (!EMAIL.test(settings[key]))
      throw new Error(`Context "${key}" is not an e-mail address: ${settings[key]}`);
  }
  if (/[<>"\r\n]/.test(settings.senderName)) {
    throw new Error('Context "senderName" must not contain <, >, quotes or line breaks');
  }
  if (settings.senderDomain !== undefined) {
    if (!DOMAIN.test(settings.senderDomain)) {
      throw new Error(`Context "senderDomain" is not a domain name: ${settings.senderDomain}`);
    }
    if (!settings.senderEmail.toLowerCase().endsWith(`@${settings.senderDomain}`)) {
      throw new Error(`Context "senderEmail" (${settings.senderEmail}) must be an address at senderDomain`);
    }
  }
  if (!Number.isInteger(settings.linkTtlDays) || settings.linkTtlDays < 1 || settings.linkTtlDays > 90) {
    throw new Error(
      `Context "linkTtlDays" must be a whole number of days from 1 to 90: ${settings.linkTtlDays}`,
    );
  }
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(settings.region)) {
    throw new Error(`Context "region" is not an AWS region name: ${settings.region}`);
  }
  if (
    settings.authDomainPrefix !== undefined &&
    !/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(settings.authDomainPrefix)
  ) {
    throw new Error(`Context "authDomainPrefix" must be lowercase letters, digits and hyphens`);
  }
  return settings;
}
