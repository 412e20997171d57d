import { config } from '../config';
import type { RenderPdf } from '../workflow/ports';

let renderer: Promise<RenderPdf> | undefined;

/**
 * The consent PDF renderer, for the two functions that render (intake-signature, consent-countersign).
 * The renderer (pdf-lib, fontkit and their tables) is evaluated on the first PDF a container renders, not
 * at cold start: every request refused before rendering (unknown or expired link, already signed, invalid
 * body) never needs it, and the init stays near the other API handlers' (docs/bench.md). A module of its
 * own, not runtime.ts, so that only these two bundles carry the renderer. On Lambda the fonts are copied
 * into the bundle and FONT_DIR says where (infra/routes.ts: `needs.fonts`).
 */
export const renderPdf: RenderPdf = async (doc) => {
  renderer ??= import('../documents/pdf/render-consent').then((mod) => {
    const fontDir = config().FONT_DIR;
    if (fontDir) mod.setFontDirectory(fontDir);
    return mod.renderConsentPdf;
  });
  return (await renderer)(doc);
};
