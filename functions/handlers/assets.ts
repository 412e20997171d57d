import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { route } from '../../infra/routes';
import ui from '../../templates/i18n/ui.json' with { type: 'json' };
import { config } from '../config';
import { NotFoundError } from '../domain/errors';
import { loadTemplate } from '../domain/template-store';
import { type HttpEvent, type HttpResult, httpHandler, pathParam } from '../http/api';

/**
 * GET /assets/{file}: the pages' scripts and styles. Only plain names from templates/pages/assets
 * (no paths), read once per container. On Lambda the CDK bundle copies the folder to ASSET_DIR.
 *
 * Two JSON documents are not files in that folder but data imported into the bundle, so they travel
 * with the function like the treatment templates do: `ui.json` (the pages' interface texts, en+ar)
 * and `treatment-<id>.json` (a template's questions, rule messages and risk titles, which the clinic
 * dashboard uses to label a record's answers and findings; nothing in it is patient data).
 */
const TYPES: Record<string, string> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  json: 'application/json; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
  woff2: 'font/woff2',
};
const NAME = /^[a-z0-9][a-z0-9_.-]{0,80}\.(js|css|json|svg|png|woff2)$/;
const TREATMENT = /^treatment-([a-z0-9-]{1,64})\.json$/;
const cache = new Map<string, Buffer>();

function assetDir(): string {
  return config().ASSET_DIR ?? fileURLToPath(new URL('../../templates/pages/assets/', import.meta.url));
}

/** The bytes of a data document, or undefined when the name is not one. */
function dataDocument(name: string): Buffer | undefined {
  if (name === 'ui.json') return Buffer.from(JSON.stringify(ui));
  const m = TREATMENT.exec(name);
  if (!m) return undefined;
  const template = loadTemplate(m[1] as string);
  if (!template) throw new NotFoundError('No such file.');
  return Buffer.from(
    JSON.stringify({
      id: template.id,
      version: template.version,
      title: template.title,
      questions: template.questions,
      rules: template.rules.map((r) => ({ id: r.id, severity: r.severity, message: r.message })),
      risks: template.risks.map((r) => ({ id: r.id, title: r.title })),
    }),
  );
}

export async function getAsset(event: HttpEvent): Promise<HttpResult> {
  const name = pathParam(event, 'file');
  const m = NAME.exec(name);
  if (!m || name.includes('..')) throw new NotFoundError('No such file.');
  let bytes = cache.get(name);
  if (!bytes) {
    bytes = dataDocument(name);
    if (!bytes) {
      // Outside the try: a configuration error is a 500 at the boundary, never a 404.
      const dir = assetDir();
      try {
        bytes = readFileSync(join(dir, name));
      } catch {
        throw new NotFoundError('No such file.');
      }
    }
    cache.set(name, bytes);
  }
  const binary = m[1] === 'png' || m[1] === 'woff2';
  return {
    statusCode: 200,
    headers: { 'content-type': TYPES[m[1] as string] as string, 'cache-control': 'public, max-age=300' },
    body: binary ? bytes.toString('base64') : bytes.toString('utf8'),
    ...(binary ? { isBase64Encoded: true } : {}),
  };
}

export const handler = httpHandler(getAsset, route('assets'));
