import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NotFoundError } from '../domain/errors';
import { type HttpEvent, type HttpResult, httpHandler, pathParam } from '../http/api';

/**
 * GET /assets/{file}: the pages' scripts and styles. Only plain names from templates/pages/assets
 * (no paths), read once per container. On Lambda the CDK bundle copies the folder to ASSET_DIR.
 */
const TYPES: Record<string, string> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
  woff2: 'font/woff2',
};
const NAME = /^[a-z0-9][a-z0-9_.-]{0,80}\.(js|css|svg|png|woff2)$/;
const cache = new Map<string, Buffer>();

function assetDir(): string {
  return process.env.ASSET_DIR ?? fileURLToPath(new URL('../../templates/pages/assets/', import.meta.url));
}

export async function getAsset(event: HttpEvent): Promise<HttpResult> {
  const name = pathParam(event, 'file');
  const m = NAME.exec(name);
  if (!m || name.includes('..')) throw new NotFoundError('No such file.');
  let bytes = cache.get(name);
  if (!bytes) {
    try {
      bytes = readFileSync(join(assetDir(), name));
    } catch {
      throw new NotFoundError('No such file.');
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

export const handler = httpHandler(getAsset, { route: 'assets' });
