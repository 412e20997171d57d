import { ApiError, api } from './api.js';
import { fillNodes, focusTarget, h } from './dom.js';
import { errorSummary, renderQuestion } from './intake-fields.js';
import { go, handleCommonError } from './intake-nav.js';
import {
  base,
  FORM_STEPS,
  fieldId,
  L,
  loadedView,
  loadView,
  questions,
  questionsOf,
  render,
  setView,
  state,
  stepOf,
  t,
} from './intake-state.js';
import { answersPayload, serverIssueMessage, validateStep } from './intake-validation.js';

/** @import { FormStep } from './intake-state.js' */

/** The three form steps (about you, medical questions, areas and concerns) and sending the answers. */
/** @param {FormStep} step */
export function renderFormStep(step) {
  const qs = questionsOf(step);
  const summaryItems = qs
    .filter((q) => state.errors[fieldId(q.id)])
    .map((q) => ({ id: fieldId(q.id), label: L(q.label) }));
  /** @type {Node[]} */
  const intro = [];
  if (step === 'about') {
    const v = loadedView();
    const inv = v.invite;
    intro.push(
      h(
        'h1',
        { id: 'step-heading', class: 'step-heading' },
        ...fillNodes(t('about.hello'), { name: inv.patientName }),
      ),
      h(
        'p',
        { class: 'lead' },
        ...fillNodes(t('about.intro'), { clinic: inv.clinic.name, treatment: L(v.form.title) }),
      ),
      h(
        'dl',
        { class: 'facts' },
        h('div', {}, h('dt', {}, t('about.clinic')), h('dd', {}, h('bdi', {}, inv.clinic.name))),
        h('div', {}, h('dt', {}, t('about.branch')), h('dd', {}, h('bdi', {}, inv.clinic.branch.name))),
      ),
      h('p', { class: 'hint' }, t('about.saved')),
    );
  } else {
    intro.push(
      h('h1', { id: 'step-heading', class: 'step-heading' }, t(`step.${step}`)),
      h('p', { class: 'lead' }, t(step === 'medical' ? 'medical.intro' : 'areas.intro')),
    );
  }
  const isLast = step === 'areas';
  const form = h(
    'form',
    { class: 'step-form', novalidate: true, onsubmit: (/** @type {Event} */ e) => onStepSubmit(e, step) },
    errorSummary(summaryItems),
    qs.map(renderQuestion),
    h(
      'div',
      { class: 'actions' },
      h(
        'button',
        { type: 'submit', class: 'button button-primary', id: 'next', disabled: state.busy },
        state.busy ? t('nav.sending') : t(isLast ? 'nav.sendAnswers' : 'nav.next'),
      ),
      step !== 'about'
        ? h(
            'button',
            {
              type: 'button',
              class: 'button button-secondary',
              onclick: () => go(FORM_STEPS[FORM_STEPS.indexOf(step) - 1] ?? 'about'),
            },
            t('nav.back'),
          )
        : null,
    ),
  );
  return [...intro, form];
}

/**
 * @param {Event} e
 * @param {FormStep} step
 */
async function onStepSubmit(e, step) {
  e.preventDefault();
  if (state.busy) return;
  const errors = validateStep(step);
  // Errors of other steps (from the server) stay until those fields are checked again.
  for (const q of questionsOf(step)) delete state.errors[fieldId(q.id)];
  Object.assign(state.errors, errors);
  state.banner = null;
  if (Object.keys(errors).length) {
    render();
    focusTarget(document.getElementById('error-summary'));
    return;
  }
  if (step !== 'areas') {
    go(FORM_STEPS[FORM_STEPS.indexOf(step) + 1] ?? 'areas');
    return;
  }
  await sendAnswers();
}

async function sendAnswers() {
  state.busy = true;
  render();
  try {
    await api(`${base}/answers`, { body: { answers: answersPayload(), locale: state.locale } });
    state.errors = {};
    // Re-read the page's JSON: it carries the consent in both languages (or the kind message).
    setView(await loadView());
    state.busy = false;
    go('result');
  } catch (err) {
    state.busy = false;
    handleAnswersError(err);
  }
}

/** @param {unknown} err */
function handleAnswersError(err) {
  if (err instanceof ApiError && err.status === 400 && err.issues.length) {
    /** @type {FormStep | null} */
    let first = null;
    let unplaced = false;
    for (const issue of err.issues) {
      const qid = issue.path.replace(/^answers\.?/, '').split('.')[0] ?? '';
      const q = questions().find((x) => x.id === qid);
      if (!q) {
        unplaced = true;
        continue;
      }
      state.errors[fieldId(q.id)] = serverIssueMessage(q);
      const s = stepOf(q);
      if (!first || FORM_STEPS.indexOf(s) < FORM_STEPS.indexOf(first)) first = s;
    }
    state.banner = unplaced ? { kind: 'error', text: t('error.invalid') } : null;
    go(first ?? state.step, { focus: first ? 'summary' : 'heading' });
    if (!first) focusTarget(document.getElementById('banner'));
    return;
  }
  void handleCommonError(err);
}
