import { describe, expect, it } from 'vitest';
import { loadConfig, sealSettings } from '../../functions/config';
import {
  ENV,
  type FunctionSettings,
  functionEnvironment,
  type sealEnvironment,
} from '../../infra/function-env';
import { route, routes } from '../../infra/routes';

const base: FunctionSettings = {
  tableName: 'consents-test',
  appUrl: 'https://consents.example.test',
  mailFrom: 'Clinic <consents@clinic.example.test>',
  linkTtlDays: 5,
  jwt: {
    issuer: 'https://issuer.example.test',
    audience: 'client',
    jwksUrl: 'https://issuer.example.test/jwks',
  },
  serviceName: 'consents-test',
};

/** The one declaration of the function environment (infra/function-env.ts) against its one reader. */
describe('function environment', () => {
  it('is what functions/config.ts parses, variable for variable', () => {
    const env = functionEnvironment({
      ...base,
      sesConfigurationSet: 'tls-only',
      staffSignIn: { cognitoDomain: 'https://x.auth.me-central-1.amazoncognito.com', clientId: 'client' },
      region: 'me-central-1',
      endpoints: { dynamodb: 'http://127.0.0.1:8000', ses: 'http://127.0.0.1:8005' },
      localJwtPrivateJwk: '{"kty":"EC"}',
      folders: { fontDir: '/var/task/fonts', assetDir: '/var/task/assets' },
    });
    const cfg = loadConfig(env);
    expect(cfg).toMatchObject({
      TABLE_NAME: 'consents-test',
      APP_URL: 'https://consents.example.test',
      MAIL_FROM: 'Clinic <consents@clinic.example.test>',
      SES_CONFIGURATION_SET: 'tls-only',
      LINK_TTL_DAYS: 5,
      JWT_ISSUER: 'https://issuer.example.test',
      JWT_AUDIENCE: 'client',
      JWKS_URL: 'https://issuer.example.test/jwks',
      DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000',
      SES_ENDPOINT: 'http://127.0.0.1:8005',
      AWS_REGION: 'me-central-1',
      FONT_DIR: '/var/task/fonts',
      ASSET_DIR: '/var/task/assets',
      COGNITO_DOMAIN: 'https://x.auth.me-central-1.amazoncognito.com',
      COGNITO_CLIENT_ID: 'client',
      LOCAL_JWT_PRIVATE_JWK: '{"kty":"EC"}',
    });
    expect(env.POWERTOOLS_SERVICE_NAME).toBe('consents-test');
    // Every variable it sets is one the configuration reads (or Powertools' service name).
    const named = new Set<string>([...Object.values(ENV), 'POWERTOOLS_SERVICE_NAME']);
    expect(Object.keys(env).filter((k) => !named.has(k))).toEqual([]);
  });

  it('leaves unset settings out rather than setting them to "undefined"', () => {
    const env = functionEnvironment(base);
    expect(Object.values(env)).not.toContain('undefined');
    expect(Object.keys(env).sort()).toEqual(
      [
        'APP_URL',
        'JWKS_URL',
        'JWT_AUDIENCE',
        'JWT_ISSUER',
        'LINK_TTL_DAYS',
        'MAIL_FROM',
        'POWERTOOLS_SERVICE_NAME',
        'TABLE_NAME',
      ].sort(),
    );
  });

  it('writes each seal mode so that sealSettings() reads it back', () => {
    const env = (seal: Parameters<typeof sealEnvironment>[0]) =>
      sealSettings(loadConfig(functionEnvironment({ ...base, seal })));
    expect(env({ mode: 'off' })).toEqual({ mode: 'off' });
    expect(env({ mode: 'kms', keyId: 'arn:key', certificatePem: 'PEM' })).toEqual({
      mode: 'kms',
      keyId: 'arn:key',
      certificatePem: 'PEM',
    });
    expect(() => env({ mode: 'kms', keyId: 'arn:key' })).toThrow(/SEAL_CERT_PEM/);
    expect(env({ mode: 'local', keyPem: 'K', certificatePem: 'C' })).toEqual({
      mode: 'local',
      keyPem: 'K',
      certificatePem: 'C',
    });
    expect(env({ mode: 'local', keyFile: '/tmp/seal.json' })).toEqual({
      mode: 'local',
      keyFile: '/tmp/seal.json',
    });
  });
});

describe('route table', () => {
  it('hands a handler its route by id, with the settings the boundary applies', () => {
    expect(route('verify')).toBe(routes.find((r) => r.id === 'verify'));
    expect(route('verify').maxBodyBytes).toBe(4 * 1024 * 1024);
    expect(route('intake-signature').maxBodyBytes).toBe(320 * 1024);
    expect(route('consents-list').maxBodyBytes).toBeUndefined();
    // @ts-expect-error: not a route id of infra/routes.ts, so not a valid argument
    expect(() => route('verfy')).toThrow(/No route verfy/);
  });

  it('declares the seal on exactly one route, and the fonts on the routes that render PDFs', () => {
    expect(routes.filter((r) => r.needs?.seal === 'sign').map((r) => r.id)).toEqual(['consent-countersign']);
    expect(routes.filter((r) => r.needs?.fonts).map((r) => r.id)).toEqual([
      'intake-signature',
      'consent-countersign',
    ]);
  });
});
