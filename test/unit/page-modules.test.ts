import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { resetConfig } from '../../functions/config';
import { getAsset } from '../../functions/handlers/assets';
import type { HttpEvent } from '../../functions/http/api';
import { functionEnvironment } from '../../infra/function-env';
import { clinicPage, errorPage, intakePage, PAGE_MODULES, STYLESHEETS } from '../../templates/pages/render';

// The assets handler reads its folder through config(), which every function parses whole.
beforeAll(() => {
  Object.assign(
    process.env,
    functionEnvironment({
      tableName: 'consents-test',
      appUrl: 'https://consents.example.test',
      mailFrom: 'consents@example.test',
      linkTtlDays: 7,
      jwt: {
        issuer: 'https://issuer.example.test',
        audience: 'aud',
        jwksUrl: 'https://issuer.example.test/jwks',
      },
      serviceName: 'test',
    }),
  );
  resetConfig();
});

/** The page scripts: ES modules in one flat folder, served by GET /assets/{file} (no build step). */
const DIR = join(import.meta.dirname, '../../templates/pages/assets');
const VENDORED = 'signature_pad.min.js';
const own = readdirSync(DIR).filter((f) => f.endsWith('.js') && f !== VENDORED);

/** The relative specifiers a module imports (static `import … from './x.js'` and `export … from`). */
function importsOf(file: string): string[] {
  const source = readFileSync(join(DIR, file), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
  return [...source.matchAll(/^\s*(?:import|export)\s[^;]*?from\s*'([^']+)'/gm)].map((m) => m[1] as string);
}

/** An entry and everything it imports, directly or not. */
function graph(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    if (file === VENDORED) return;
    for (const spec of importsOf(file)) visit(spec.replace(/^\.\//, ''));
  };
  visit(entry);
  return seen;
}

function assetEvent(file: string): HttpEvent {
  return { pathParameters: { file } } as unknown as HttpEvent;
}

describe('page scripts', () => {
  it('import only flat sibling modules (one /assets/{file} segment each, never a folder or a package)', () => {
    for (const file of own) {
      for (const spec of importsOf(file)) expect(spec, file).toMatch(/^\.\/[a-z0-9][a-z0-9_.-]*\.js$/);
    }
  });

  it('PAGE_MODULES lists exactly each entry and its transitive imports, entry first', () => {
    for (const [page, modules] of Object.entries(PAGE_MODULES)) {
      expect(modules[0], page).toBe(`${page}.js`);
      expect(new Set(modules), page).toEqual(graph(`${page}.js`));
      expect(modules.length, `${page}: listed twice`).toBe(new Set(modules).size);
    }
  });

  it('every module belongs to a page (no orphans left behind by a split)', () => {
    const used = new Set<string>(Object.values(PAGE_MODULES).flat());
    for (const file of own) expect(used.has(file), file).toBe(true);
  });

  it('stay under 500 lines each, like the stylesheets', () => {
    for (const file of readdirSync(DIR).filter((f) => f !== VENDORED)) {
      const lines = readFileSync(join(DIR, file), 'utf8').split('\n').length;
      expect(lines, file).toBeLessThanOrEqual(500);
    }
  });

  it('the shells load the entry as a module and preload its imports; no classic scripts; all stylesheets in order', () => {
    for (const [page, html] of [
      ['intake', intakePage({ locale: 'en' })],
      ['clinic', clinicPage()],
    ] as const) {
      const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
      expect(scripts).toEqual([`<script type="module" src="/assets/${page}.js">`]);
      const preloaded = [...html.matchAll(/<link rel="modulepreload" href="\/assets\/([^"]+)">/g)].map(
        (m) => m[1],
      );
      expect(preloaded).toEqual([...PAGE_MODULES[page]]);
    }
    for (const html of [intakePage({ locale: 'ar' }), clinicPage(), errorPage(404, 'not_found')]) {
      const sheets = [...html.matchAll(/<link rel="stylesheet" href="\/assets\/([^"]+)">/g)].map((m) => m[1]);
      expect(sheets).toEqual([...STYLESHEETS]);
    }
    for (const sheet of STYLESHEETS) expect(readdirSync(DIR)).toContain(sheet);
  });

  it('the assets handler serves every module as JavaScript, the stylesheets as CSS, and no type declarations', async () => {
    for (const file of new Set(Object.values(PAGE_MODULES).flat())) {
      const res = await getAsset(assetEvent(file));
      expect(res.statusCode, file).toBe(200);
      expect(res.headers?.['content-type'], file).toBe('text/javascript; charset=utf-8');
      expect(res.body, file).toBe(readFileSync(join(DIR, file), 'utf8'));
    }
    for (const sheet of STYLESHEETS) {
      const res = await getAsset(assetEvent(sheet));
      expect(res.headers?.['content-type'], sheet).toBe('text/css; charset=utf-8');
    }
    for (const file of ['api-types.d.ts', 'signature_pad.min.d.ts', 'clinic/api.js', '../render.ts']) {
      await expect(getAsset(assetEvent(file)), file).rejects.toThrow('No such file.');
    }
  });
});

describe('vendored signature_pad', () => {
  it('is byte for byte the ES module build of the installed npm package', () => {
    // The page imports it from /assets/ (the Lambda bundle ships the assets folder, not node_modules);
    // after `npm update signature_pad`, copy node_modules/signature_pad/dist/signature_pad.min.js here.
    const require = createRequire(import.meta.url);
    // The package's `require` entry is dist/signature_pad.umd.js; its folder is two levels up.
    const pkgDir = join(require.resolve('signature_pad'), '../..');
    const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { version: string };
    const copy = readFileSync(join(DIR, VENDORED));
    expect(copy.equals(readFileSync(join(pkgDir, 'dist/signature_pad.min.js')))).toBe(true);
    expect(copy.toString('utf8')).toContain(`Signature Pad v${pkg.version}`);
  });
});
