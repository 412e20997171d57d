import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as fontkit from 'fontkit';

/**
 * The four bundled faces (SIL OFL, templates/fonts/): Noto Sans for Latin, Noto Sans Arabic for Arabic,
 * each regular and bold. They are read and parsed once per process and kept here; every render after
 * the first reuses the parsed fonts (and the shaping cache in shaping.ts).
 *
 * Where the files are, in order:
 *  1. `setFontDirectory(dir)` — on Lambda, functions/adapters/pdf-renderer.ts calls it with the
 *     configuration's FONT_DIR: esbuild bundles the handler into one file, so a path relative to this
 *     module no longer points at templates/; the CDK stack copies templates/fonts/*.ttf into the bundle
 *     of the routes that declare `needs.fonts` and sets FONT_DIR=/var/task/fonts. Tests call it too;
 *  2. `../../../templates/fonts/` relative to this module (`import.meta.url`), which is right when the
 *     sources run unbundled (tsx, vitest).
 */
export type Script = 'latin' | 'arabic';
export type Weight = 'regular' | 'bold';
export type FaceId = `${Script}-${Weight}`;

export interface Face {
  id: FaceId;
  script: Script;
  weight: Weight;
  font: fontkit.Font;
  /** Font units → points at size 1. */
  scale: number;
}

const FILES: Record<FaceId, string> = {
  'latin-regular': 'NotoSans_400Regular.ttf',
  'latin-bold': 'NotoSans_700Bold.ttf',
  'arabic-regular': 'NotoSansArabic_400Regular.ttf',
  'arabic-bold': 'NotoSansArabic_700Bold.ttf',
};

const FACE_IDS = Object.keys(FILES) as FaceId[];

let configuredDirectory: string | undefined;
let cached: Record<FaceId, Face> | undefined;

/** Points the renderer at a directory holding the four TTF files (drops fonts already parsed). */
export function setFontDirectory(dir: string): void {
  configuredDirectory = dir;
  cached = undefined;
}

function fontDirectory(): string {
  // On Lambda, functions/adapters/pdf-renderer.ts sets it from FONT_DIR (the fonts copied into the bundle).
  if (configuredDirectory) return configuredDirectory;
  try {
    return fileURLToPath(new URL('../../../templates/fonts/', import.meta.url));
  } catch {
    // A CommonJS bundle has no import.meta.url.
    throw new Error(
      'Consent PDF fonts: set FONT_DIR or call setFontDirectory() (this bundle has no module URL)',
    );
  }
}

/** All faces, parsed on first use. Throws a clear message when the files are not where expected. */
export function faces(): Record<FaceId, Face> {
  if (cached) return cached;
  const dir = fontDirectory();
  const loaded = {} as Record<FaceId, Face>;
  for (const id of FACE_IDS) {
    const path = join(dir, FILES[id]);
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(path);
    } catch (err) {
      throw new Error(
        `Consent PDF font missing: ${path}. Set FONT_DIR or call setFontDirectory() (${(err as Error).message})`,
      );
    }
    const font = fontkit.create(bytes);
    const [script, weight] = id.split('-') as [Script, Weight];
    loaded[id] = { id, script, weight, font, scale: 1 / font.unitsPerEm };
  }
  cached = loaded;
  return loaded;
}

export function face(script: Script, weight: Weight): Face {
  return faces()[`${script}-${weight}`];
}
