import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import type { ConsentDocument } from '../../functions/documents/consent-document';
import { sampleConsentDocument } from '../fixtures/consent-document';

type Renderer = {
  renderConsentPdf(doc: ConsentDocument): Promise<Uint8Array>;
  setFontDirectory(dir: string): void;
};

const entry = fileURLToPath(new URL('../../functions/documents/pdf/render-consent.ts', import.meta.url));
const fontDir = fileURLToPath(new URL('../../templates/fonts/', import.meta.url));
const outDir = mkdtempSync(join(tmpdir(), 'consent-pdf-bundle-'));

afterAll(() => rmSync(outDir, { recursive: true, force: true }));

async function bundle(format: 'esm' | 'cjs'): Promise<string> {
  const outfile = join(outDir, format === 'esm' ? 'index.mjs' : 'index.cjs');
  await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format,
    outfile,
    logLevel: 'silent',
  });
  return outfile;
}

/**
 * Lambda runs the renderer bundled by esbuild into a single file, with no templates/ folder beside it:
 * the fonts come from FONT_DIR or setFontDirectory(). Both module formats must work.
 */
describe('renderer bundled into one file (as for Lambda)', () => {
  it('ESM bundle: says where to put the fonts, then renders with setFontDirectory', async () => {
    const mod = (await import(pathToFileURL(await bundle('esm')).href)) as Renderer;
    if (!process.env.FONT_DIR) {
      await expect(mod.renderConsentPdf(sampleConsentDocument())).rejects.toThrow(/FONT_DIR/);
    }
    mod.setFontDirectory(fontDir);
    const bytes = await mod.renderConsentPdf(sampleConsentDocument({ kind: 'patient_signed' }));
    expect(Buffer.from(bytes.subarray(0, 5)).toString()).toBe('%PDF-');
  });

  it('CommonJS bundle (NodejsFunction default): renders with setFontDirectory', async () => {
    const mod = createRequire(import.meta.url)(await bundle('cjs')) as Renderer;
    if (!process.env.FONT_DIR) {
      await expect(mod.renderConsentPdf(sampleConsentDocument())).rejects.toThrow(/FONT_DIR/);
    }
    mod.setFontDirectory(fontDir);
    const bytes = await mod.renderConsentPdf(sampleConsentDocument({ kind: 'patient_signed' }));
    expect(bytes.length).toBeGreaterThan(10_000);
  });
});
