import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * `npm run invoke -- <handler> events/<file>.json` — runs one handler with one event against the
 * running local stack (`npm start`), like `sam local invoke`. `<handler>` is a route id or worker
 * id from infra/routes.ts. Placeholders {{demoToken}}, {{consentId}}, {{doctorToken}} and
 * {{coordinatorToken}} are filled from .data/demo.json, which `npm start` writes.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.LOG_LEVEL ??= 'WARN';

const [name, file] = process.argv.slice(2);
const { routes, workers } = await import('../routes');
const all = [...routes, ...Object.values(workers)];
const def = all.find((d) => d.id === name);
if (!def || !file) {
  console.error(
    `usage: npm run invoke -- <handler> events/<file>.json\nhandlers: ${all.map((d) => d.id).join(', ')}`,
  );
  process.exit(2);
}
const root = resolve(import.meta.dirname, '../..');
const dataDir = process.env.DATA_DIR ?? join(root, '.data');
const demoFile = join(dataDir, 'demo.json');
const demo: Record<string, string> = existsSync(demoFile) ? JSON.parse(readFileSync(demoFile, 'utf8')) : {};
const text = readFileSync(resolve(file), 'utf8').replace(
  /\{\{(\w+)\}\}/g,
  (_, k: string) => demo[k] ?? `{{${k}}}`,
);
const event = JSON.parse(text);

// The local stack's endpoints and keys, as `npm start` set them.
const keyFile = join(dataDir, 'local-jwt-key.json');
const keys = existsSync(keyFile) ? JSON.parse(readFileSync(keyFile, 'utf8')) : undefined;
const port = process.env.PORT ?? '3000';
const sealKeyFile = join(dataDir, 'seal-key.json');
const { functionEnvironment } = await import('../function-env');
Object.assign(process.env, {
  ...functionEnvironment({
    tableName: process.env.TABLE_NAME ?? 'consents',
    appUrl: process.env.APP_URL ?? `http://127.0.0.1:${port}`,
    mailFrom: process.env.MAIL_FROM ?? 'Demo Aesthetics Clinic <consents@demo-clinic.example.test>',
    linkTtlDays: Number(process.env.LINK_TTL_DAYS ?? 7),
    jwt: {
      issuer: process.env.JWT_ISSUER ?? `http://127.0.0.1:${port}/local`,
      audience: process.env.JWT_AUDIENCE ?? 'consents-local',
      publicJwk: keys?.publicJwk,
    },
    localJwtPrivateJwk: keys?.privateJwk,
    endpoints: {
      dynamodb: process.env.DYNAMODB_ENDPOINT ?? `http://127.0.0.1:${process.env.DYNAMODB_PORT ?? 8000}`,
      ses: process.env.SES_ENDPOINT ?? `http://127.0.0.1:${process.env.SES_PORT ?? 8005}`,
    },
    region: 'me-central-1',
    serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'consents-local',
    // The local seal key `npm start` keeps under the data folder (countersign seals with it).
    ...(existsSync(sealKeyFile) && process.env.SEAL_MODE !== 'off'
      ? { seal: { mode: 'local' as const, keyFile: sealKeyFile } }
      : {}),
  }),
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
});
if (!keys) console.error('note: no .data/local-jwt-key.json — start the stack once with `npm start` first');

const { loadHandler } = await import('./handlers');
const { lambdaContext } = await import('./lambda-context');
const handler = await loadHandler(def.entry);
const result = (await handler(event, lambdaContext(def.id, def.timeoutSeconds))) as
  | { body?: string; isBase64Encoded?: boolean }
  | undefined;
if (result?.isBase64Encoded && result.body)
  result.body = `<${Buffer.from(result.body, 'base64').length} bytes, base64>`;
console.log(JSON.stringify(result, null, 2));
process.exit(0);
