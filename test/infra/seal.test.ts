import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, sealSettings } from '../../functions/config';
import { generateLocalSealIdentity } from '../../functions/documents/seal/local-signer';
import { routes } from '../../infra/routes';
import { readSealCertificate, readSettings, SEAL_CERTIFICATE_MAX_CHARS } from '../../infra/stacks/settings';
import { SEAL_SIGNING } from '../../infra/stacks/stateless-stack';
import {
  asArray,
  defaultApp,
  identityPolicies,
  type Json,
  logicalId,
  type SynthesizedApp,
  synthesize,
} from './helpers';

/** The PDF seal's key (stateful) and the one function allowed to sign with it (stateless). */
/** The route that declares the seal in the route table: the countersign route, and only it. */
const SEALING_ROUTE_ID = 'consent-countersign';
/** The route that checks seals against this deployment's certificate (`needs.seal: 'verify'`). */
const VERIFY_ROUTE_ID = 'verify';
const { stateful, stateless, statefulTemplate, statelessTemplate } = defaultApp();
const fnProps = (app: SynthesizedApp, routeId: string): Json =>
  app.statelessTemplate.toJSON().Resources[logicalId(app.stateless.functions.get(routeId) as never)]
    .Properties;

/** Every kms:Sign statement of a template, with the roles it is attached to. */
function signStatements(app: SynthesizedApp) {
  return identityPolicies(app.statelessTemplate).flatMap((p) =>
    p.statements
      .filter((s) => asArray(s.Action).some((a) => a === 'kms:Sign' || a === 'kms:*' || a === 'kms:Sign*'))
      .map((s) => ({ ...s, roles: p.roles })),
  );
}
const roleOf = (app: SynthesizedApp, routeId: string) =>
  fnProps(app, routeId).Role['Fn::GetAtt'][0] as string;

let certificatePem: string;
beforeAll(async () => {
  certificatePem = (await generateLocalSealIdentity({ commonName: 'Example Clinic consent seal' }))
    .certificatePem;
});

describe('seal key (stateful stack)', () => {
  it('is an asymmetric RSA_2048 signing key, retained, with an alias and an output for the certificate step', () => {
    const key = statefulTemplate.toJSON().Resources[logicalId(stateful.sealKey)];
    expect(key.Type).toBe('AWS::KMS::Key');
    expect(key.Properties).toMatchObject({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' });
    expect(key.DeletionPolicy).toBe('Retain');
    expect(key.UpdateReplacePolicy).toBe('Retain');
    statefulTemplate.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/meso-consent/seal' });
    expect(Object.keys(statefulTemplate.toJSON().Outputs)).toContain('SealKeyArn');
  });
});

describe('who may seal (stateless stack)', () => {
  it('lets only the countersign function call kms:Sign — on the seal key only, digests only, PKCS#1 v1.5', () => {
    const app = defaultApp();
    const statements = signStatements(app);
    expect(statements.length).toBeGreaterThan(0);
    const signers = new Set(statements.flatMap((s) => s.roles));
    expect(signers).toEqual(new Set([roleOf(app, SEALING_ROUTE_ID)]));
    for (const s of statements) {
      expect(asArray(s.Action)).toEqual(['kms:Sign']);
      expect(JSON.stringify(s.Resource)).toContain(`ExportsOutputFnGetAtt${logicalId(stateful.sealKey)}Arn`);
      expect(s.Condition).toEqual({
        StringEquals: { 'kms:MessageType': 'DIGEST', 'kms:SigningAlgorithm': SEAL_SIGNING.algorithm },
      });
    }
    // No other function, worker included, has any action on the seal key.
    const sealKeyRef = `ExportsOutputFnGetAtt${logicalId(stateful.sealKey)}Arn`;
    for (const policy of identityPolicies(statelessTemplate)) {
      for (const s of policy.statements) {
        if (!JSON.stringify(s.Resource ?? '').includes(sealKeyRef)) continue;
        expect(policy.roles).toEqual([roleOf(app, SEALING_ROUTE_ID)]);
      }
    }
    // Derived from the route table's declared needs: exactly one route declares the seal.
    expect(routes.filter((r) => r.needs?.seal === 'sign').map((r) => r.id)).toEqual([SEALING_ROUTE_ID]);
    expect(routes.filter((r) => r.needs?.seal === 'verify').map((r) => r.id)).toEqual([VERIFY_ROUTE_ID]);
  });

  it('gives the countersign function SEAL_MODE=kms and the key; no other function gets seal settings', () => {
    const app = defaultApp();
    for (const route of routes.filter((r) => !r.localOnly)) {
      const vars = fnProps(app, route.id).Environment.Variables;
      if (route.id === SEALING_ROUTE_ID) {
        expect(vars.SEAL_MODE).toBe('kms');
        expect(JSON.stringify(vars.SEAL_KMS_KEY_ID)).toContain(logicalId(stateful.sealKey));
        // No certificate in the default context: the function refuses to start until there is one.
        expect(vars.SEAL_CERT_PEM).toBeUndefined();
        expect(() => sealSettings(loadConfig(resolved(vars)))).toThrow(/SEAL_CERT_PEM/);
      } else {
        // /verify included: no certificate in the default context, so nothing for it to trust yet.
        expect(
          Object.keys(vars).filter((k) => k.startsWith('SEAL_')),
          route.id,
        ).toEqual([]);
      }
    }
    for (const worker of [stateless.mailer, stateless.mailSweeper]) {
      const vars = statelessTemplate.toJSON().Resources[logicalId(worker)].Properties.Environment.Variables;
      expect(Object.keys(vars).filter((k) => k.startsWith('SEAL_'))).toEqual([]);
    }
  });

  it('with context sealCertificate, hands the function a certificate its configuration accepts', () => {
    const app = synthesize({ sealCertificate: certificatePem });
    const vars = fnProps(app, SEALING_ROUTE_ID).Environment.Variables;
    expect(vars.SEAL_CERT_PEM).toMatch(
      /^-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=]+-----END CERTIFICATE-----$/,
    );
    const settings = sealSettings(loadConfig(resolved(vars)));
    expect(settings).toMatchObject({ mode: 'kms', certificatePem: vars.SEAL_CERT_PEM });
    // Lambda's 4 KB environment: the whole set of variables of the function still fits.
    const envBytes = Object.entries(resolved(vars)).reduce((n, [k, v]) => n + k.length + String(v).length, 0);
    expect(envBytes).toBeLessThan(4096);
  });

  it('with sealMode off (explicitly), sets SEAL_MODE=off and grants no kms:Sign', () => {
    const app = synthesize({ sealMode: 'off' });
    expect(fnProps(app, SEALING_ROUTE_ID).Environment.Variables.SEAL_MODE).toBe('off');
    expect(signStatements(app)).toEqual([]);
    const verifyVars = fnProps(app, VERIFY_ROUTE_ID).Environment.Variables;
    expect(Object.keys(verifyVars).filter((k) => k.startsWith('SEAL_'))).toEqual([]);
  });

  it('gives /verify the seal certificate (and only it): seal.trusted compares with it, it never signs', () => {
    const app = synthesize({ sealCertificate: certificatePem });
    const vars = fnProps(app, VERIFY_ROUTE_ID).Environment.Variables;
    expect(Object.keys(vars).filter((k) => k.startsWith('SEAL_'))).toEqual(['SEAL_CERT_PEM']);
    expect(vars.SEAL_CERT_PEM).toBe(fnProps(app, SEALING_ROUTE_ID).Environment.Variables.SEAL_CERT_PEM);
    // Its configuration loads without a seal mode (only the countersign function needs one).
    expect(loadConfig(resolved(vars)).SEAL_CERT_PEM).toBe(vars.SEAL_CERT_PEM);
    // No permission on the seal key: neither kms:Sign nor anything else.
    const sealKeyRef = `ExportsOutputFnGetAtt${logicalId(app.stateful.sealKey)}Arn`;
    const verifyRole = roleOf(app, VERIFY_ROUTE_ID);
    for (const policy of identityPolicies(app.statelessTemplate)) {
      if (!policy.roles.includes(verifyRole)) continue;
      for (const s of policy.statements) expect(JSON.stringify(s.Resource ?? '')).not.toContain(sealKeyRef);
    }
  });
});

describe('context sealCertificate', () => {
  const read = (context: Record<string, unknown>) => readSettings(new App({ context }).node);

  it('accepts PEM text (also with literal \\n) or a .pem file, and compacts it', () => {
    const compact = readSealCertificate(certificatePem);
    expect(compact).not.toContain('\n');
    expect(readSealCertificate(certificatePem.replace(/\n/g, '\\n'))).toBe(compact);
    const dir = mkdtempSync(join(tmpdir(), 'seal-cert-'));
    writeFileSync(join(dir, 'seal.pem'), certificatePem);
    expect(read({ sealCertificate: join(dir, 'seal.pem') }).sealCertificate).toBe(compact);
    expect(read({}).sealCertificate).toBeUndefined();
    expect(read({}).sealMode).toBe('kms');
  });

  it('refuses what the seal could not use, naming the key', () => {
    expect(() => read({ sealCertificate: 'no-such-file.pem' })).toThrow(/sealCertificate/);
    expect(() =>
      read({ sealCertificate: '-----BEGIN CERTIFICATE-----AAAA-----END CERTIFICATE-----' }),
    ).toThrow(/sealCertificate/);
    expect(() => read({ sealCertificate: certificatePem.repeat(4) })).toThrow(
      new RegExp(`at most ${SEAL_CERTIFICATE_MAX_CHARS}`),
    );
    expect(() => read({ sealMode: 'maybe' })).toThrow(/sealMode/);
  });
});

/** Deploy-time values stand in for CloudFormation intrinsics, as in stateless.test.ts. */
function resolved(vars: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(vars).map(([k, v]) => [
      k,
      typeof v === 'string'
        ? v
        : k === 'SEAL_KMS_KEY_ID'
          ? 'arn:aws:kms:me-central-1:1:key/x'
          : 'https://resolved.example/value',
    ]),
  );
}
