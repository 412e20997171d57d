import { h } from './dom.js';
import { saveSoon } from './intake-progress.js';
import { fieldId, L, questions, state, t } from './intake-state.js';
import { checkQuestion, TODAY } from './intake-validation.js';

/** @import { Question } from './api-types.js' */

/** The form's questions and error handling beside each field (message, aria-invalid, summary). */

// ------------------------------------------------------------------ rendering helpers

/** @param {string} id */
export function errorNode(id) {
  const message = state.errors[id];
  return message ? h('p', { class: 'field-error', id: `${id}-error` }, message) : null;
}

/**
 * aria-describedby for a field: its help and, when it has one, its error.
 * @param {string} id
 * @param {boolean} hasHelp
 */
function describedBy(id, hasHelp) {
  const ids = [];
  if (hasHelp) ids.push(`${id}-help`);
  if (state.errors[id]) ids.push(`${id}-error`);
  return ids.length ? ids.join(' ') : null;
}

/**
 * Clears a field's error in place once the patient fixes it (no re-render: focus and scroll stay put).
 * @param {string} id the field's id (a question's `q-…`, or `risk-…` / `decl-…`)
 */
export function clearError(id) {
  if (!state.errors[id]) return;
  delete state.errors[id];
  document.getElementById(`${id}-error`)?.remove();
  const field = document.getElementById(id);
  const box = field?.closest('.has-error');
  box?.classList.remove('has-error');
  const inputs =
    field instanceof HTMLInputElement || field instanceof HTMLTextAreaElement
      ? [field]
      : Array.from(field?.querySelectorAll('input') ?? []);
  for (const input of inputs) input.removeAttribute('aria-invalid');
  for (const el of [field, ...inputs]) {
    const ids = (el?.getAttribute('aria-describedby') ?? '')
      .split(' ')
      .filter((x) => x && x !== `${id}-error`);
    if (ids.length) el?.setAttribute('aria-describedby', ids.join(' '));
    else el?.removeAttribute('aria-describedby');
  }
}

/** @param {Question} q */
function helpNode(q) {
  return q.help ? h('p', { class: 'hint', id: `${fieldId(q.id)}-help` }, L(q.help)) : null;
}

/** @param {Question} q */
export function renderQuestion(q) {
  const id = fieldId(q.id);
  const invalid = state.errors[id] ? 'true' : null;
  const cls = `question${invalid ? ' has-error' : ''}`;
  if (q.type === 'date') {
    return h(
      'div',
      { class: cls },
      h('label', { class: 'label', for: id }, L(q.label)),
      helpNode(q),
      errorNode(id),
      h('input', {
        class: 'input input-date',
        type: 'date',
        id,
        name: q.id,
        min: '1900-01-01',
        max: TODAY,
        autocomplete: 'bday',
        value: typeof state.answers[q.id] === 'string' ? String(state.answers[q.id]) : '',
        'aria-describedby': describedBy(id, Boolean(q.help)),
        'aria-invalid': invalid,
        oninput: (/** @type {Event} */ e) =>
          setAnswer(q.id, /** @type {HTMLInputElement} */ (e.target).value),
      }),
    );
  }
  if (q.type === 'boolean') {
    const v = state.answers[q.id];
    /** @param {boolean} value */
    const radio = (value) =>
      h(
        'label',
        { class: 'choice' },
        h('input', {
          type: 'radio',
          name: q.id,
          id: `${id}-${value ? 'yes' : 'no'}`,
          value: value ? 'yes' : 'no',
          checked: v === value,
          'aria-invalid': invalid,
          onchange: () => setAnswer(q.id, value),
        }),
        h('span', {}, t(value ? 'answer.yes' : 'answer.no')),
      );
    return choiceGroup(q, cls, id, h('div', { class: 'choices choices-inline' }, radio(true), radio(false)));
  }
  if (q.type === 'text') {
    // A detail with an error stays visible, so the message beside it can be seen.
    const shown = !q.requiredWhen || state.answers[q.requiredWhen] === true || Boolean(invalid);
    return h(
      'div',
      { class: `${cls}${q.requiredWhen ? ' question-detail' : ''}`, id: `${id}-wrap`, hidden: !shown },
      h(
        'label',
        { class: 'label', for: id },
        L(q.label),
        // An optional question says so (unless its help text already does).
        q.requiredWhen || q.help ? null : h('span', { class: 'optional' }, ` (${t('field.optional')})`),
      ),
      helpNode(q),
      errorNode(id),
      h('textarea', {
        class: 'input',
        id,
        name: q.id,
        rows: 3,
        maxlength: q.maxLength ?? 1000,
        value: typeof state.answers[q.id] === 'string' ? String(state.answers[q.id]) : '',
        'aria-describedby': describedBy(id, Boolean(q.help)),
        'aria-invalid': invalid,
        oninput: (/** @type {Event} */ e) =>
          setAnswer(q.id, /** @type {HTMLTextAreaElement} */ (e.target).value),
      }),
    );
  }
  // multi
  const chosen = Array.isArray(state.answers[q.id]) ? /** @type {string[]} */ (state.answers[q.id]) : [];
  return choiceGroup(
    q,
    cls,
    id,
    h(
      'div',
      { class: 'choices choices-grid' },
      (q.options ?? []).map((o) =>
        h(
          'label',
          { class: 'choice' },
          h('input', {
            type: 'checkbox',
            name: q.id,
            id: `${id}-${o.id}`,
            value: o.id,
            checked: chosen.includes(o.id),
            'aria-invalid': invalid,
            onchange: (/** @type {Event} */ e) =>
              toggleChoice(q, o.id, /** @type {HTMLInputElement} */ (e.target).checked),
          }),
          h('span', {}, L(o.label)),
        ),
      ),
    ),
  );
}

/**
 * A question answered by choosing (yes/no, or several options): a fieldset whose legend is the question.
 * @param {Question} q
 * @param {string} cls
 * @param {string} id
 * @param {Node} choices
 */
function choiceGroup(q, cls, id, choices) {
  return h(
    'fieldset',
    { class: cls, id, 'aria-describedby': describedBy(id, Boolean(q.help)) },
    h('legend', { class: 'label' }, L(q.label)),
    helpNode(q),
    errorNode(id),
    choices,
  );
}

/**
 * @param {string} id
 * @param {unknown} value
 */
function setAnswer(id, value) {
  state.answers[id] = value;
  const q = questions().find((x) => x.id === id);
  if (q && !checkQuestion(q)) clearError(fieldId(id));
  // Detail questions appear only when their yes/no question is answered yes.
  for (const q of questions()) {
    if (q.requiredWhen === id) {
      const wrap = document.getElementById(`${fieldId(q.id)}-wrap`);
      if (wrap) wrap.hidden = value !== true;
    }
  }
  saveSoon();
}

/**
 * @param {Question} q
 * @param {string} optionId
 * @param {boolean} on
 */
function toggleChoice(q, optionId, on) {
  const current = new Set(
    Array.isArray(state.answers[q.id]) ? /** @type {string[]} */ (state.answers[q.id]) : [],
  );
  if (on) current.add(optionId);
  else current.delete(optionId);
  // Keep the template's order, so the same choices always produce the same array.
  state.answers[q.id] = (q.options ?? []).map((o) => o.id).filter((o) => current.has(o));
  if (!checkQuestion(q)) clearError(fieldId(q.id));
  saveSoon();
}

/**
 * A summary of the errors at the top of a form, each linking to its field.
 * @param {{id: string, label: string}[]} items
 */
export function errorSummary(items) {
  if (!items.length) return null;
  /** @param {{id: string}} item @param {string} text */
  const link = (item, text) =>
    h(
      'a',
      {
        href: `#${item.id}`,
        onclick: (/** @type {Event} */ e) => {
          e.preventDefault();
          focusField(item.id);
        },
      },
      text,
    );
  const first = /** @type {{id: string, label: string}} */ (items[0]);
  // A long list would bury the form on a phone: beyond three, say how many and link the first.
  const body =
    items.length > 3
      ? h('p', {}, t('error.summaryMany', { n: items.length }), ' ', link(first, t('error.goToFirst')))
      : h(
          'ul',
          {},
          items.map((item) => h('li', {}, link(item, `${item.label} — ${state.errors[item.id]}`))),
        );
  return h(
    'div',
    { class: 'error-summary', role: 'alert', id: 'error-summary', tabindex: -1 },
    h('h2', { class: 'error-summary-title' }, t('error.summary')),
    body,
  );
}

/** @param {string} id */
function focusField(id) {
  const el = document.getElementById(id);
  if (!el) return;
  const target =
    el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement
      ? el
      : el.querySelector('input, textarea, button');
  el.scrollIntoView({ block: 'center' });
  /** @type {HTMLElement | null} */ (target)?.focus({ preventScroll: true });
}
