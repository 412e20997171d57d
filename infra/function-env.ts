import type { ConfigVariable } from '../functions/config';

/**
 * The function environment, declared once: every variable functions/config.ts parses is named here and
 * nowhere else. The CDK stack (infra/stacks/stateless-stack.ts and the ConsentFunction construct), the
 * local stack (infra/local/stack.ts) and the benchmark (bench/bundles.ts) all build a function's
 * environment from these builders. No aws-cdk-lib import: the local path stays light.
 */
export const ENV = {
  tableName: 'TABLE_NAME',
  appUrl: 'APP_URL',
  mailFrom: 'MAIL_FROM',
  sesConfigurationSet: 'SES_CONFIGURATION_SET',
  linkTtlDays: 'LINK_TTL_DAYS',
  /** Unset everywhere by default (60 s, functions/config.ts); the fault tests set it. */
  mailLeaseSeconds: 'MAIL_LEASE_SECONDS',
  jwtIssuer: 'JWT_ISSUER',
  jwtAudience: 'JWT_AUDIENCE',
  jwksUrl: 'JWKS_URL',
  jwtPublicJwk: 'JWT_PUBLIC_JWK',
  dynamodbEndpoint: 'DYNAMODB_ENDPOINT',
  sesEndpoint: 'SES_ENDPOINT',
  region: 'AWS_REGION',
  sealMode: 'SEAL_MODE',
  sealKmsKeyId: 'SEAL_KMS_KEY_ID',
  sealCertPem: 'SEAL_CERT_PEM',
  sealKeyPem: 'SEAL_KEY_PEM',
  sealKeyFile: 'SEAL_KEY_FILE',
  fontDir: 'FONT_DIR',
  assetDir: 'ASSET_DIR',
  cognitoDomain: 'COGNITO_DOMAIN',
  cognitoClientId: 'COGNITO_CLIENT_ID',
  localJwtPrivateJwk: 'LOCAL_JWT_PRIVATE_JWK',
} as const satisfies Record<string, ConfigVariable>;

/** Fails to compile when functions/config.ts parses a variable this module does not name. */
type Unnamed = Exclude<ConfigVariable, (typeof ENV)[keyof typeof ENV]>;
const everyVariableNamed: [Unnamed] extends [never] ? true : Unnamed = true;
void everyVariableNamed;

/** Read by Powertools itself (functions/http/logger.ts), not by functions/config.ts. */
export const POWERTOOLS_SERVICE_NAME = 'POWERTOOLS_SERVICE_NAME';

type Env = Record<string, string>;

/** Drops unset values, so a variable is either set or absent (never the string "undefined"). */
function defined(env: Record<string, string | undefined>): Env {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}

/** What every function of a stack shares: the API's URL, the sender, the links, staff tokens, logs. */
export interface SharedSettings {
  appUrl: string;
  mailFrom: string;
  linkTtlDays: number;
  /** Staff tokens: keys from a JWKS URL (Cognito) or a public JWK (local stack); config.ts wants one. */
  jwt: { issuer: string; audience: string; jwksUrl?: string; publicJwk?: string };
  /** The Cognito hosted UI the dashboard signs staff in with; unset locally (/local/login instead). */
  staffSignIn?: { cognitoDomain: string; clientId: string };
  /** Powertools' service name in every log line. */
  serviceName: string;
  /** Set by Lambda itself in AWS; the local stack and the benchmark set it. */
  region?: string;
  /** Local stack only: DynamoDB Local and the SES stand-in. */
  endpoints?: { dynamodb: string; ses: string };
  /** Local stack only: the key /local/login signs staff tokens with. */
  localJwtPrivateJwk?: string;
}

export function sharedEnvironment(s: SharedSettings): Env {
  return defined({
    [ENV.appUrl]: s.appUrl,
    [ENV.mailFrom]: s.mailFrom,
    [ENV.linkTtlDays]: String(s.linkTtlDays),
    [ENV.jwtIssuer]: s.jwt.issuer,
    [ENV.jwtAudience]: s.jwt.audience,
    [ENV.jwksUrl]: s.jwt.jwksUrl,
    [ENV.jwtPublicJwk]: s.jwt.publicJwk,
    [ENV.cognitoDomain]: s.staffSignIn?.cognitoDomain,
    [ENV.cognitoClientId]: s.staffSignIn?.clientId,
    [POWERTOOLS_SERVICE_NAME]: s.serviceName,
    [ENV.region]: s.region,
    [ENV.dynamodbEndpoint]: s.endpoints?.dynamodb,
    [ENV.sesEndpoint]: s.endpoints?.ses,
    [ENV.localJwtPrivateJwk]: s.localJwtPrivateJwk,
  });
}

/** The table a function reads and writes (the CDK construct binds it with the grant: useTable). */
export function tableEnvironment(tableName: string): Env {
  return { [ENV.tableName]: tableName };
}

/** The SES configuration set a function sends through (the CDK construct binds it with the grant). */
export function mailEnvironment(configurationSetName: string): Env {
  return { [ENV.sesConfigurationSet]: configurationSetName };
}

/**
 * The PDF seal of the function that declares it (infra/routes.ts, `needs.seal`). `kms` may come without
 * a certificate yet (first deploy): the function then refuses to start (functions/config.ts).
 */
export type SealEnvironment =
  | { mode: 'off' }
  | { mode: 'kms'; keyId: string; certificatePem?: string }
  | { mode: 'local'; keyPem: string; certificatePem: string }
  | { mode: 'local'; keyFile: string };

export function sealEnvironment(seal: SealEnvironment): Env {
  return defined({
    [ENV.sealMode]: seal.mode,
    [ENV.sealKmsKeyId]: seal.mode === 'kms' ? seal.keyId : undefined,
    [ENV.sealCertPem]: 'certificatePem' in seal ? seal.certificatePem : undefined,
    [ENV.sealKeyPem]: 'keyPem' in seal ? seal.keyPem : undefined,
    [ENV.sealKeyFile]: 'keyFile' in seal ? seal.keyFile : undefined,
  });
}

/**
 * The seal certificate alone (infra/routes.ts, `needs.seal: 'verify'`): what /verify calls trusted. No mode,
 * no key: the function never signs. Absent (seal off, or no certificate yet) nothing is trusted.
 */
export function sealCertificateEnvironment(certificatePem: string | undefined): Env {
  return defined({ [ENV.sealCertPem]: certificatePem });
}

/** Folders a function reads at run time (infra/routes.ts, `needs.fonts` / `needs.pageAssets`). */
export interface RuntimeFolders {
  fontDir?: string;
  assetDir?: string;
}

export function folderEnvironment(folders: RuntimeFolders): Env {
  return defined({ [ENV.fontDir]: folders.fontDir, [ENV.assetDir]: folders.assetDir });
}

/** A whole function environment: the local stack (one process serves every function) and the benchmark. */
export interface FunctionSettings extends SharedSettings {
  tableName: string;
  sesConfigurationSet?: string;
  seal?: SealEnvironment;
  folders?: RuntimeFolders;
}

export function functionEnvironment(s: FunctionSettings): Env {
  return {
    ...sharedEnvironment(s),
    ...tableEnvironment(s.tableName),
    ...(s.sesConfigurationSet ? mailEnvironment(s.sesConfigurationSet) : {}),
    ...(s.seal ? sealEnvironment(s.seal) : {}),
    ...folderEnvironment(s.folders ?? {}),
  };
}
