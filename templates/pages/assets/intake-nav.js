import { ApiError } from './api.js';
import { focusTarget, h, replace } from './dom.js';
import { renderTopbar, setDocumentLocale } from './intake-frame.js';
import { clearSaved, save } from './intake-progress.js';
import { app, loadedView, loadView, render, setView, state, stepFor, t, view } from './intake-state.js';

/** @import { Step } from './intake-state.js' */

/** Moving between steps, and the errors any request of the page can meet (409, 410, 404, network). */

// ------------------------------------------------------------------ steps

/**
 * @param {Step} step
 * @param {{focus?: 'heading' | 'summary' | 'none'}} [opts]
 */
export function go(step, opts = {}) {
  state.step = step;
  save();
  render();
  window.scrollTo({ top: 0 });
  if (opts.focus === 'summary') focusTarget(document.getElementById('error-summary'));
  else if (opts.focus !== 'none') focusTarget(document.getElementById('step-heading'));
}

/**
 * 409 / 410 / 404 / 413 / 429 / 503 / network and server errors, for any request of this page.
 * @param {unknown} err
 */
export async function handleCommonError(err) {
  const status = err instanceof ApiError ? err.status : 0;
  if (status === 410 || status === 404) {
    clearSaved();
    showFatal(t(status === 410 ? 'error.expired' : 'error.notFound'));
    return;
  }
  if (status === 409) {
    // The record moved on (already signed, closed after an ineligible screening …): show where it stands.
    try {
      setView(await loadView());
    } catch (e) {
      void handleCommonError(e);
      return;
    }
    state.banner = { kind: 'info', text: t('error.conflict') };
    state.step = stepFor(loadedView(), null);
    if (state.step === 'done') clearSaved();
    render();
    focusTarget(document.getElementById('banner'));
    return;
  }
  const key =
    status === 413
      ? 'error.tooLarge'
      : status === 429
        ? 'error.throttled'
        : status === 503
          ? 'error.unavailable'
          : status === 0
            ? 'error.network'
            : 'error.server';
  if (!view) {
    // The first load failed (the service is busy, the network dropped): there is no form to put a
    // banner on, so say it on its own, with a way to try again.
    showFatal(t(key === 'error.unavailable' ? 'page.unavailable' : key), true);
    return;
  }
  state.banner = { kind: 'error', text: t(key) };
  render();
  focusTarget(document.getElementById('banner'));
}

/**
 * @param {string} message
 * @param {boolean} [retry] offer "Try again" (reloads the page)
 */
function showFatal(message, retry = false) {
  setView(null);
  setDocumentLocale();
  renderTopbar();
  replace(
    app,
    h('h1', { id: 'step-heading', class: 'step-heading' }, message),
    retry ? h('p', {}, h('a', { class: 'button', href: location.href }, t('page.retry'))) : null,
  );
  focusTarget(document.getElementById('step-heading'));
}
