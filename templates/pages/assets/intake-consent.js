import { ApiError, api } from './api.js';
import { focusTarget, h } from './dom.js';
import { clearError, errorNode, errorSummary } from './intake-fields.js';
import { go, handleCommonError } from './intake-nav.js';
import { clearSaved, saveSoon } from './intake-progress.js';
import { renderDone } from './intake-result.js';
import {
  base,
  L,
  loadedView,
  loadView,
  render,
  setSignatureField,
  setView,
  signatureField,
  state,
  t,
} from './intake-state.js';
import { createSignatureField } from './signature.js';

/** The consent to read, acknowledge risk by risk, and sign. */

export function renderConsent() {
  const v = loadedView();
  const c = v.consent?.[state.locale];
  if (!c) return renderDone();
  const { risks, declarations } = c;
  /** @type {{id: string, label: string}[]} */
  const summary = [];
  for (const r of risks)
    if (state.errors[`risk-${r.id}`]) summary.push({ id: `risk-${r.id}`, label: r.title });
  for (const d of declarations)
    if (state.errors[`decl-${d.id}`]) summary.push({ id: `decl-${d.id}`, label: d.text });
  if (state.errors.signature) summary.push({ id: 'signature', label: t('sign.title') });

  /**
   * @param {string} key
   * @param {string} text
   */
  const section = (key, text) =>
    h('section', { class: 'consent-section' }, h('h2', {}, t(key)), h('p', {}, text));

  const field = createSignatureField({
    texts: {
      method: t('sign.method'),
      draw: t('sign.draw'),
      type: t('sign.type'),
      canvas: t('sign.canvas'),
      canvasHint: t('sign.canvasHint'),
      clear: t('sign.clear'),
      typedLabel: t('sign.typedLabel'),
      typedHint: t('sign.typedHint'),
    },
    initial: state.sign,
    onChange: (s) => {
      state.sign = s;
      if (state.errors.signature && signatureField?.value()) {
        delete state.errors.signature;
        signatureField.showError(null);
      }
      saveSoon();
    },
  });
  setSignatureField(field);
  if (state.errors.signature) field.showError(state.errors.signature);

  const form = h(
    'form',
    { class: 'consent-form', novalidate: true, onsubmit: (/** @type {Event} */ e) => onSign(e) },
    errorSummary(summary),
    section('consent.procedure', c.procedure),
    section('consent.course', c.course),
    section('consent.results', c.results),
    section('consent.alternatives', c.alternatives),
    section('consent.rightToRefuse', c.rightToRefuse),
    h(
      'section',
      { class: 'consent-section' },
      h('h2', {}, t('consent.risks')),
      h('p', { class: 'hint' }, t('consent.risksIntro')),
      h(
        'ul',
        { class: 'risk-list' },
        risks.map((r) => {
          const id = `risk-${r.id}`;
          const invalid = state.errors[id] ? 'true' : null;
          return h(
            'li',
            { class: `risk${invalid ? ' has-error' : ''}` },
            h(
              'h3',
              { class: 'risk-title', id: `${id}-title` },
              r.title,
              ' ',
              h('span', { class: `badge badge-${r.frequency}` }, t(`freq.${r.frequency}`)),
            ),
            h('p', { id: `${id}-desc` }, r.description),
            errorNode(id),
            checkItem({
              id,
              name: 'acknowledgedRiskIds',
              value: r.id,
              ticks: state.risks,
              describedBy: `${id}-desc`,
              label: h(
                'span',
                {},
                t('consent.riskAck'),
                h('span', { class: 'visually-hidden' }, `: ${r.title}`),
              ),
            }),
          );
        }),
      ),
    ),
    h(
      'section',
      { class: 'consent-section' },
      h('h2', {}, t('consent.before')),
      h(
        'ul',
        { class: 'care-list' },
        c.before.map((/** @type {string} */ s) => h('li', {}, s)),
      ),
      h('h2', {}, t('consent.after')),
      h(
        'ul',
        { class: 'care-list' },
        c.after.map((/** @type {string} */ s) => h('li', {}, s)),
      ),
    ),
    section('consent.electronic', c.electronicRecords),
    h(
      'fieldset',
      { class: 'consent-section declarations' },
      h('legend', {}, h('h2', {}, t('consent.declarations'))),
      declarations.map((d) => {
        const id = `decl-${d.id}`;
        const invalid = state.errors[id] ? 'true' : null;
        return h(
          'div',
          { class: `declaration${invalid ? ' has-error' : ''}` },
          errorNode(id),
          checkItem({
            id,
            name: 'declarations',
            value: d.id,
            ticks: state.declarations,
            label: h('span', {}, d.text),
          }),
        );
      }),
    ),
    h('section', { class: 'consent-section', id: 'signature' }, h('h2', {}, t('sign.title')), field.element),
    h(
      'div',
      { class: 'actions' },
      h(
        'button',
        { type: 'submit', class: 'button button-primary', id: 'sign', disabled: state.busy },
        state.busy ? t('sign.sending') : t('sign.submit'),
      ),
      v.invite.status === 'answered'
        ? h(
            'button',
            { type: 'button', class: 'button button-secondary', onclick: () => go('about') },
            t('nav.changeAnswers'),
          )
        : null,
    ),
  );

  return [
    h(
      'h1',
      { id: 'step-heading', class: 'step-heading' },
      t('consent.title', { treatment: L(v.form.title) }),
    ),
    v.invite.outcome === 'needs_review' ? h('p', { class: 'notice' }, t('consent.review')) : null,
    h('p', { class: 'lead' }, t('consent.intro')),
    form,
  ].filter((n) => n !== null);
}

/** @param {Event} e */
async function onSign(e) {
  e.preventDefault();
  const v = loadedView();
  const c = v.consent?.[state.locale];
  if (state.busy || !signatureField || !c) return;
  /** @type {Record<string, string>} */
  const errors = {};
  for (const r of c.risks) if (!state.risks[r.id]) errors[`risk-${r.id}`] = t('error.risk');
  for (const d of c.declarations) if (!state.declarations[d.id]) errors[`decl-${d.id}`] = t('error.agree');
  const signature = signatureField.value();
  if (!signature) errors.signature = t(`error.${signatureField.missingKind()}`);
  state.errors = errors;
  state.banner = null;
  if (Object.keys(errors).length) {
    render();
    focusTarget(document.getElementById('error-summary'));
    return;
  }
  state.busy = true;
  render();
  try {
    await api(`${base}/signature`, {
      body: {
        signature,
        acknowledgedRiskIds: c.risks.map((/** @type {{id: string}} */ r) => r.id),
        agreeToTreatment: state.declarations.treatment === true,
        agreeToElectronicRecords: state.declarations.electronic === true,
        locale: state.locale,
      },
    });
    state.busy = false;
    state.justSigned = true;
    clearSaved();
    try {
      setView(await loadView());
    } catch {
      // The consent is signed; the confirmation does not depend on re-reading it.
      v.invite.status = 'awaiting_countersign';
    }
    state.step = 'done';
    render();
    window.scrollTo({ top: 0 });
    focusTarget(document.getElementById('step-heading'));
  } catch (err) {
    state.busy = false;
    if (err instanceof ApiError && err.status === 400 && err.issues.length) {
      for (const issue of err.issues) {
        if (issue.path.startsWith('signature')) state.errors.signature = t('error.signature');
        else if (issue.path === 'agreeToTreatment') state.errors['decl-treatment'] = t('error.agree');
        else if (issue.path === 'agreeToElectronicRecords')
          state.errors['decl-electronic'] = t('error.agree');
      }
      if (!Object.keys(state.errors).length) {
        // The list of risks changed on the server (answers changed elsewhere): show the current consent.
        await handleCommonError(new ApiError(409, {}));
        return;
      }
      render();
      focusTarget(document.getElementById('error-summary'));
      return;
    }
    if (err instanceof ApiError && err.status === 413) {
      state.errors.signature = t('error.tooLarge');
      render();
      focusTarget(document.getElementById('error-summary'));
      return;
    }
    await handleCommonError(err);
  }
}

/**
 * One acknowledgement checkbox (a risk or a declaration): ticked state kept in `ticks`, its error
 * cleared once ticked, progress saved.
 * @param {{ id: string, name: string, value: string, ticks: Record<string, boolean>, describedBy?: string, label: Node }} o
 */
function checkItem(o) {
  const invalid = state.errors[o.id] ? 'true' : null;
  const describedBy = [o.describedBy ?? '', invalid ? `${o.id}-error` : ''].filter(Boolean).join(' ');
  return h(
    'label',
    { class: 'check' },
    h('input', {
      type: 'checkbox',
      id: o.id,
      name: o.name,
      value: o.value,
      checked: Boolean(o.ticks[o.value]),
      'aria-invalid': invalid,
      'aria-describedby': describedBy || null,
      onchange: (/** @type {Event} */ e) => {
        o.ticks[o.value] = /** @type {HTMLInputElement} */ (e.target).checked;
        if (o.ticks[o.value]) clearError(o.id);
        saveSoon();
      },
    }),
    o.label,
  );
}
