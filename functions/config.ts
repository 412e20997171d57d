import { z } from 'zod';

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
  /** Staff JWTs: issuer and audience are always checked; keys from a JWKS URL or a local public JWK. */
  JWT_ISSUER: z.string().min(1),
  JWT_AUDIENCE: z.string().min(1),
  JWKS_URL: z.url().optional(),
  JWT_PUBLIC_JWK: z.string().optional(),
  /** Endpoint overrides: set only on the local stack. */
  DYNAMODB_ENDPOINT: z.url().optional(),
  SES_ENDPOINT: z.url().optional(),
  AWS_REGION: z.string().default('me-central-1'),
});

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

/** The process-wide configuration (parsed on first use; handlers call this at module load). */
export function config(): Config {
  cached ??= loadConfig();
  return cached;
}

/** Tests and the local stack reset it after changing the environment. */
export function resetConfig(): void {
  cached = undefined;
}
