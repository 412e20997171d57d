import * as z from 'zod';

/**
 * Runtime configuration, parsed once from the environment at cold start. A missing or malformed
 * value fails the init with a message naming the variable, never a request halfway through.
 * The CDK stack sets these on every function; the local stack sets them for its own process.
 */
const envSchema = z.object({
  TABLE_NAME: z.string().min(3),
  /** Public base URL of the API (intake links are `${APP_URL}/intake/<token>`). */
  APP_URL: z.url(),
  /** Verified SES sender, e.g. "Clinic consents <consents@clinic.example>". */
  MAIL_FROM: z.string().min(3),
  /** SES configuration set (TLS required, bounce/complaint events); optional locally. */
  SES_CONFIGURATION_SET: z.string().optional(),
  LINK_TTL_DAYS: z.coerce.number().positive().max(90).default(7),
  /**
   * How long a mail worker holds an outbox e-mail (functions/workflow/mail-timing.ts derives the SES
   * client's timeouts from it). 60 s in AWS; the fault tests shorten it.
   */
  MAIL_LEASE_SECONDS: z.coerce.number().int().min(10).max(900).default(60),
  /** Staff JWTs: issuer and audience are always checked; keys from a JWKS URL or a local public JWK. */
  JWT_ISSUER: z.string().min(1),
  JWT_AUDIENCE: z.string().min(1),
  JWKS_URL: z.url().optional(),
  JWT_PUBLIC_JWK: z.string().optional(),
  /** Endpoint overrides: set only on the local stack. */
  DYNAMODB_ENDPOINT: z.url().optional(),
  SES_ENDPOINT: z.url().optional(),
  AWS_REGION: z.string().default('me-central-1'),
  /**
   * The seal on countersigned PDFs (PAdES): `kms` in AWS (key in KMS, certificate from the stack's
   * context), `local` on the local stack (key and self-signed certificate under .data/), `off` only when
   * set explicitly (no seal; the exact-hash check of /verify still works). Required by the countersign
   * function only: see sealSettings().
   */
  SEAL_MODE: z.enum(['kms', 'local', 'off']).optional(),
  /** KMS key id or ARN of the asymmetric RSA_2048 SIGN_VERIFY key (SEAL_MODE=kms). */
  SEAL_KMS_KEY_ID: z.string().min(1).optional(),
  /** The seal certificate (PEM; chain certificates may follow), for `kms` and `local`. */
  SEAL_CERT_PEM: z.string().min(1).optional(),
  /** Local only: the private key (PKCS#8 PEM), or SEAL_KEY_FILE, the JSON the local stack writes. */
  SEAL_KEY_PEM: z.string().min(1).optional(),
  SEAL_KEY_FILE: z.string().min(1).optional(),
  /**
   * Folders a function reads at run time, copied into its bundle by the CDK stack (infra/routes.ts,
   * `needs`): the PDF fonts and the page assets. Unset, each is found beside the source (local stack).
   */
  FONT_DIR: z.string().min(1).optional(),
  ASSET_DIR: z.string().min(1).optional(),
  /**
   * Staff sign-in on the dashboard: with both set (the Cognito hosted-UI base URL and the app client id),
   * the hosted UI; otherwise the local stack's /local/login form (functions/handlers/clinic-page.ts).
   */
  COGNITO_DOMAIN: z.string().optional(),
  COGNITO_CLIENT_ID: z.string().optional(),
  /** Local stack only: the private JWK /local/login signs staff tokens with. */
  LOCAL_JWT_PRIVATE_JWK: z.string().min(1).optional(),
});

/** The name of every variable this module parses (infra/function-env.ts sets them, each named once). */
export type ConfigVariable = keyof z.input<typeof envSchema>;

export type Config = z.infer<typeof envSchema> & { linkTtlMs: number };

let cached: Config | undefined;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const names = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid configuration: ${names}`);
  }
  if (!parsed.data.JWKS_URL && !parsed.data.JWT_PUBLIC_JWK) {
    throw new Error('Invalid configuration: set JWKS_URL (Cognito) or JWT_PUBLIC_JWK (local stack)');
  }
  return { ...parsed.data, linkTtlMs: parsed.data.LINK_TTL_DAYS * 24 * 3600 * 1000 };
}

export type SealSettings =
  | { mode: 'off' }
  | { mode: 'kms'; keyId: string; certificatePem: string }
  | { mode: 'local'; keyPem: string; certificatePem: string }
  | { mode: 'local'; keyFile: string };

/**
 * What the countersign function seals with. Checked at its cold start: a missing value stops it with a
 * message naming the variable, rather than issuing unsealed PDFs by accident (`off` must be explicit).
 */
export function sealSettings(cfg: Config): SealSettings {
  const missing = (name: string, why: string) =>
    new Error(`Invalid configuration: ${name} is required when ${why} (see docs/deploy.md, "The PDF seal")`);
  switch (cfg.SEAL_MODE) {
    case undefined:
      throw new Error(
        'Invalid configuration: SEAL_MODE must be set to kms, local or off (see docs/deploy.md, "The PDF seal")',
      );
    case 'off':
      return { mode: 'off' };
    case 'kms':
      if (!cfg.SEAL_KMS_KEY_ID) throw missing('SEAL_KMS_KEY_ID', 'SEAL_MODE=kms');
      if (!cfg.SEAL_CERT_PEM) throw missing('SEAL_CERT_PEM', 'SEAL_MODE=kms (context value sealCertificate)');
      return { mode: 'kms', keyId: cfg.SEAL_KMS_KEY_ID, certificatePem: cfg.SEAL_CERT_PEM };
    case 'local':
      if (cfg.SEAL_KEY_PEM && cfg.SEAL_CERT_PEM) {
        return { mode: 'local', keyPem: cfg.SEAL_KEY_PEM, certificatePem: cfg.SEAL_CERT_PEM };
      }
      if (cfg.SEAL_KEY_FILE) return { mode: 'local', keyFile: cfg.SEAL_KEY_FILE };
      throw missing('SEAL_KEY_PEM and SEAL_CERT_PEM (or SEAL_KEY_FILE)', 'SEAL_MODE=local');
  }
}

/** The process-wide configuration (parsed on first use; handlers call this at module load). */
export function config(): Config {
  cached ??= loadConfig();
  return cached;
}

/** Tests and the local stack reset it after changing the environment. */
export function resetConfig(): void {
  cached = undefined;
}
