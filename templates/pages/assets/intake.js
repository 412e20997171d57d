import { api } from './api.js';
import { replace } from './dom.js';
import { renderConsent } from './intake-consent.js';
import { bannerNode, progress, renderTopbar, setDocumentLocale } from './intake-frame.js';
import { handleCommonError } from './intake-nav.js';
import { clearSaved, loadSaved, sha256Hex } from './intake-progress.js';
import { renderDone, renderIneligible } from './intake-result.js';
import {
  ALL_STEPS,
  announcer,
  app,
  loadedView,
  loadView,
  questions,
  setRenderer,
  setSignatureField,
  setStoreKey,
  setUi,
  setView,
  signatureField,
  state,
  stepFor,
  t,
  token,
  UI,
  view,
} from './intake-state.js';
import { renderFormStep } from './intake-steps.js';

/** @import { UiTexts } from './api-types.js' */
/** @import { Child } from './dom.js' */

/**
 * The patient's intake page: GET /intake/{token} (JSON) → steps about you → medical questions → areas and
 * concerns → POST answers → result (a kind message when ineligible, else the consent to acknowledge and
 * sign) → POST signature → confirmation with the PDF. Everything typed is kept in localStorage under a
 * hash of the link token (never the token itself) until the consent is signed.
 */

/** Draws the page for the current step (registered as the page's renderer: every module redraws through it). */
function drawPage() {
  setDocumentLocale();
  renderTopbar();
  signatureField?.destroy();
  setSignatureField(null);
  if (!view) return;
  /** @type {Child[]} */
  let content;
  switch (state.step) {
    case 'about':
    case 'medical':
    case 'areas':
      content = renderFormStep(state.step);
      break;
    case 'result':
      content =
        view.invite.outcome === 'ineligible' || view.ineligibleMessage ? renderIneligible() : renderConsent();
      break;
    default:
      content = renderDone();
  }
  replace(app, progress(state.step === 'done' ? 'result' : state.step), bannerNode(), content);
}

setRenderer(drawPage);

async function start() {
  try {
    const [ui, v] = await Promise.all([api('/assets/ui.json'), loadView()]);
    setUi(/** @type {UiTexts} */ (ui));
    setView(v);
  } catch (err) {
    // The texts are needed for any message (404, 410, 503 …): load them if the first try did not.
    if (!UI.en['page.title']) {
      try {
        setUi(/** @type {UiTexts} */ (await api('/assets/ui.json')));
      } catch {
        // fall through with keys only
      }
    }
    await handleCommonError(err);
    return;
  }
  const loaded = loadedView();
  setStoreKey(`intake:${await sha256Hex(token)}`);
  const saved = loadSaved();
  state.locale =
    saved?.locale === 'ar' || saved?.locale === 'en'
      ? saved.locale
      : loaded.invite.locale === 'ar'
        ? 'ar'
        : 'en';
  if (saved) {
    const ids = new Set(questions().map((q) => q.id));
    state.answers = Object.fromEntries(Object.entries(saved.answers ?? {}).filter(([k]) => ids.has(k)));
    state.risks = saved.risks ?? {};
    state.declarations = saved.declarations ?? {};
    if (saved.sign) state.sign = { ...state.sign, ...saved.sign };
  }
  state.step = stepFor(loaded, saved);
  if (state.step === 'done') clearSaved();
  drawPage();
  announcer.textContent = t('steps.counter', {
    n: ALL_STEPS.indexOf(state.step) + 1,
    total: ALL_STEPS.length,
  });
}

void start();
