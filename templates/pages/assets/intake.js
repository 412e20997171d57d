import { ApiError, api, fill, fillNodes, focusTarget, h, replace, sha256Hex } from './dom.js';
import { createSignatureField } from './signature.js';

/**
 * The patient's intake page: GET /intake/{token} (JSON) → steps about you → medical questions → areas and
 * concerns → POST answers → result (a kind message when ineligible, else the consent to acknowledge and
 * sign) → POST signature → confirmation with the PDF. Everything typed is kept in localStorage under a
 * hash of the link token (never the token itself) until the consent is signed.
 */

/** @typedef {'en' | 'ar'} Locale */
/** @typedef {{en: string, ar: string}} Localized */
/**
 * @typedef {{id: string, type: 'date' | 'boolean' | 'text' | 'multi', label: Localized, help?: Localized,
 *   maxLength?: number, requiredWhen?: string, minItems?: number, options?: {id: string, label: Localized}[]}} Question
 */
/** @typedef {'about' | 'medical' | 'areas' | 'result' | 'done'} Step */

const FORM_STEPS = /** @type {const} */ (['about', 'medical', 'areas']);
const ALL_STEPS = /** @type {const} */ (['about', 'medical', 'areas', 'result']);
const SAVE_VERSION = 1;

const app = /** @type {HTMLElement} */ (document.getElementById('app'));
const topbar = /** @type {HTMLElement} */ (document.getElementById('topbar'));
const announcer = /** @type {HTMLElement} */ (document.getElementById('announcer'));
// The page lives at …/intake/{token}; its API calls go to the same path (whatever prefix it is served under).
const pathParts = location.pathname.split('/');
const token = decodeURIComponent(pathParts[pathParts.lastIndexOf('intake') + 1] ?? '');
const base = pathParts.slice(0, pathParts.lastIndexOf('intake') + 2).join('/');

/** @type {{en: Record<string, string>, ar: Record<string, string>}} */
let UI = { en: {}, ar: {} };
/** @type {any} */
let view = null;
let storeKey = '';

const state = {
  /** @type {Locale} */
  locale: document.documentElement.lang === 'ar' ? 'ar' : 'en',
  /** @type {Step} */
  step: 'about',
  /** @type {Record<string, unknown>} */
  answers: {},
  /** Risk ids the patient ticked. @type {Record<string, boolean>} */
  risks: {},
  /** Declaration ids the patient ticked. @type {Record<string, boolean>} */
  declarations: {},
  /** @type {{mode: 'draw' | 'type', typedName: string, drawn: unknown[] | null}} */
  sign: { mode: 'draw', typedName: '', drawn: null },
  /** Field id → message, shown beside the field. @type {Record<string, string>} */
  errors: {},
  /** A message for the whole page (409, network …). @type {{kind: 'error' | 'info', text: string} | null} */
  banner: null,
  busy: false,
  /** Set once the patient signed in this visit (shows the confirmation). */
  justSigned: false,
};

/** @type {ReturnType<typeof createSignatureField> | null} */
let signatureField = null;

// ------------------------------------------------------------------ texts

/**
 * @param {string} key
 * @param {Record<string, string | number>} [vars]
 */
function t(key, vars) {
  const text = UI[state.locale]?.[key] ?? UI.en[key] ?? key;
  return vars ? fill(text, vars) : text;
}

/** @param {Localized | undefined} text */
function L(text) {
  return text ? text[state.locale] : '';
}

/** @returns {Question[]} */
function questions() {
  return view?.form?.questions ?? [];
}

/**
 * Which step asks a question: dates on "about you", choices of areas/concerns on the third step,
 * every other (yes/no and details) on the medical step. Driven by the template's question types.
 * @param {Question} q
 * @returns {Step}
 */
function stepOf(q) {
  if (q.type === 'date') return 'about';
  if (q.type === 'multi') return 'areas';
  return 'medical';
}

/** @param {Step} step */
function questionsOf(step) {
  return questions().filter((q) => stepOf(q) === step);
}

// ------------------------------------------------------------------ saved progress

function save() {
  if (!storeKey) return;
  try {
    localStorage.setItem(
      storeKey,
      JSON.stringify({
        v: SAVE_VERSION,
        savedAt: new Date().toISOString(),
        expiresAt: view?.invite?.expiresAt ?? null,
        locale: state.locale,
        step: state.step,
        answers: state.answers,
        risks: state.risks,
        declarations: state.declarations,
        sign: state.sign,
      }),
    );
  } catch {
    // Storage full or disabled (private mode): the form still works, it just cannot survive a reload.
  }
}

let saveTimer = 0;
function saveSoon() {
  clearTimeout(saveTimer);
  saveTimer = window.setTimeout(save, 150);
}

/** @returns {any} */
function loadSaved() {
  try {
    const raw = localStorage.getItem(storeKey);
    if (!raw) return null;
    const saved = JSON.parse(raw);
    if (saved?.v !== SAVE_VERSION) return null;
    if (saved.expiresAt && Date.parse(saved.expiresAt) < Date.now()) {
      localStorage.removeItem(storeKey);
      return null;
    }
    return saved;
  } catch {
    return null;
  }
}

function clearSaved() {
  clearTimeout(saveTimer);
  try {
    localStorage.removeItem(storeKey);
  } catch {
    // nothing to clear
  }
}

// ------------------------------------------------------------------ validation

const TODAY = new Date(Date.now() - new Date().getTimezoneOffset() * 60_000).toISOString().slice(0, 10);

/**
 * The message key for a question's current answer, or null when it is fine (mirrors the server's schema).
 * @param {Question} q
 */
function checkQuestion(q) {
  const v = state.answers[q.id];
  switch (q.type) {
    case 'date': {
      if (typeof v !== 'string' || !v) return 'error.date';
      const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
      if (!m) return 'error.dateInvalid';
      const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
      if (d.getUTCDate() !== Number(m[3]) || Number(m[1]) < 1900 || v > TODAY) return 'error.dateInvalid';
      return null;
    }
    case 'boolean':
      return typeof v === 'boolean' ? null : 'error.yesNo';
    case 'text': {
      if (q.requiredWhen && state.answers[q.requiredWhen] !== true) return null;
      const text = typeof v === 'string' ? v.trim() : '';
      if (q.requiredWhen && !text) return 'error.details';
      if (q.maxLength && text.length > q.maxLength) return 'error.tooLong';
      return null;
    }
    case 'multi':
      return Array.isArray(v) && v.length >= (q.minItems ?? 1) ? null : 'error.chooseOne';
  }
  return null;
}

/**
 * The message for a server issue on a question: the client's own check if it sees the problem, else
 * the usual message for that kind of question (server messages are English-only and technical).
 * @param {Question} q
 */
function serverIssueMessage(q) {
  const own = checkQuestion(q);
  if (own) return t(own);
  if (q.type === 'date') return t('error.dateInvalid');
  if (q.type === 'boolean') return t('error.yesNo');
  if (q.type === 'multi') return t('error.chooseOne');
  return t(q.requiredWhen ? 'error.details' : 'error.invalid');
}

/** @param {Step} step */
function validateStep(step) {
  /** @type {Record<string, string>} */
  const errors = {};
  for (const q of questionsOf(step)) {
    const key = checkQuestion(q);
    if (key) errors[fieldId(q.id)] = t(key);
  }
  return errors;
}

/** The answers object for the API: only answered questions; details only when their question is yes. */
function answersPayload() {
  /** @type {Record<string, unknown>} */
  const out = {};
  for (const q of questions()) {
    const v = state.answers[q.id];
    if (q.type === 'text') {
      if (q.requiredWhen && state.answers[q.requiredWhen] !== true) continue;
      if (typeof v === 'string' && v.trim()) out[q.id] = v.trim();
    } else if (q.type === 'multi') {
      if (Array.isArray(v) && v.length) out[q.id] = v;
    } else if (v !== undefined && v !== null && v !== '') {
      out[q.id] = v;
    }
  }
  return out;
}

/** @param {string} questionId */
function fieldId(questionId) {
  return `q-${questionId}`;
}

// ------------------------------------------------------------------ rendering helpers

/** @param {string} id */
function errorNode(id) {
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
function clearError(id) {
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
function renderQuestion(q) {
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
    return h(
      'fieldset',
      { class: cls, id, 'aria-describedby': describedBy(id, Boolean(q.help)) },
      h('legend', { class: 'label' }, L(q.label)),
      helpNode(q),
      errorNode(id),
      h('div', { class: 'choices choices-inline' }, radio(true), radio(false)),
    );
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
  return h(
    'fieldset',
    { class: cls, id, 'aria-describedby': describedBy(id, Boolean(q.help)) },
    h('legend', { class: 'label' }, L(q.label)),
    helpNode(q),
    errorNode(id),
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
function errorSummary(items) {
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

function bannerNode() {
  if (!state.banner) return null;
  return h(
    'div',
    {
      class: `banner banner-${state.banner.kind}`,
      role: state.banner.kind === 'error' ? 'alert' : 'status',
      id: 'banner',
    },
    state.banner.text,
  );
}

/** @param {Step} step */
function progress(step) {
  const index = ALL_STEPS.indexOf(/** @type {any} */ (step));
  if (index < 0) return null;
  return h(
    'nav',
    { class: 'progress', 'aria-label': t('steps.label') },
    h('p', { class: 'progress-count' }, t('steps.counter', { n: index + 1, total: ALL_STEPS.length })),
    h(
      'ol',
      { class: 'steps' },
      ALL_STEPS.map((s, i) =>
        h(
          'li',
          {
            class: `step${i < index ? ' is-done' : ''}${i === index ? ' is-current' : ''}`,
            'aria-current': i === index ? 'step' : null,
          },
          h('span', { class: 'step-bar', 'aria-hidden': 'true' }),
          h('span', { class: 'step-name' }, t(`step.${s}`)),
        ),
      ),
    ),
  );
}

function renderTopbar() {
  const other = state.locale === 'en' ? 'ar' : 'en';
  const branch = view?.invite?.clinic?.branch;
  replace(
    topbar,
    h(
      'div',
      { class: 'topbar-inner' },
      h(
        'p',
        { class: 'brand' },
        view ? h('bdi', {}, view.invite.clinic.name) : '',
        branch ? h('span', { class: 'brand-branch' }, h('bdi', {}, branch.name)) : null,
      ),
      UI.en['lang.switch']
        ? h(
            'button',
            {
              type: 'button',
              class: 'button button-lang',
              id: 'lang-switch',
              lang: other,
              dir: other === 'ar' ? 'rtl' : 'ltr',
              onclick: () => switchLocale(other),
            },
            t('lang.switch'),
          )
        : null,
    ),
  );
}

function setDocumentLocale() {
  document.documentElement.lang = state.locale;
  document.documentElement.dir = state.locale === 'ar' ? 'rtl' : 'ltr';
  document.title = view
    ? `${t('header.treatment', { treatment: L(view.form.title) })} · ${view.invite.clinic.name}`
    : t('page.title');
}

/** @param {Locale} locale */
function switchLocale(locale) {
  state.locale = locale;
  // Errors are re-derived in the new language on the next check; keep the fields marked meanwhile.
  for (const id of Object.keys(state.errors)) state.errors[id] = relocalizeError(id);
  if (state.banner) state.banner = null;
  save();
  render();
  document.getElementById('lang-switch')?.focus();
}

/** @param {string} id */
function relocalizeError(id) {
  const q = questions().find((x) => fieldId(x.id) === id);
  if (q) return serverIssueMessage(q);
  if (id.startsWith('risk-')) return t('error.risk');
  if (id.startsWith('decl-')) return t('error.agree');
  return t('error.signature');
}

// ------------------------------------------------------------------ steps

/**
 * @param {Step} step
 * @param {{focus?: 'heading' | 'summary' | 'none'}} [opts]
 */
function go(step, opts = {}) {
  state.step = step;
  save();
  render();
  window.scrollTo({ top: 0 });
  if (opts.focus === 'summary') focusTarget(document.getElementById('error-summary'));
  else if (opts.focus !== 'none') focusTarget(document.getElementById('step-heading'));
}

function render() {
  setDocumentLocale();
  renderTopbar();
  signatureField?.destroy();
  signatureField = null;
  if (!view) return;
  /** @type {Node[]} */
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

/** @param {'about' | 'medical' | 'areas'} step */
function renderFormStep(step) {
  const qs = questionsOf(step);
  const summaryItems = qs
    .filter((q) => state.errors[fieldId(q.id)])
    .map((q) => ({ id: fieldId(q.id), label: L(q.label) }));
  /** @type {Node[]} */
  const intro = [];
  if (step === 'about') {
    const inv = view.invite;
    intro.push(
      h(
        'h1',
        { id: 'step-heading', class: 'step-heading' },
        ...fillNodes(t('about.hello'), { name: inv.patientName }),
      ),
      h(
        'p',
        { class: 'lead' },
        ...fillNodes(t('about.intro'), { clinic: inv.clinic.name, treatment: L(view.form.title) }),
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
 * @param {'about' | 'medical' | 'areas'} step
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
    view = await loadView();
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
    /** @type {Step | null} */
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
      if (
        !first ||
        FORM_STEPS.indexOf(/** @type {any} */ (s)) < FORM_STEPS.indexOf(/** @type {any} */ (first))
      )
        first = s;
    }
    state.banner = unplaced ? { kind: 'error', text: t('error.invalid') } : null;
    go(first ?? state.step, { focus: first ? 'summary' : 'heading' });
    if (!first) focusTarget(document.getElementById('banner'));
    return;
  }
  void handleCommonError(err);
}

/**
 * 409 / 410 / 404 / 413 / 429 / network and server errors, for any request of this page.
 * @param {unknown} err
 */
async function handleCommonError(err) {
  const status = err instanceof ApiError ? err.status : 0;
  if (status === 410 || status === 404) {
    clearSaved();
    showFatal(t(status === 410 ? 'error.expired' : 'error.notFound'));
    return;
  }
  if (status === 409) {
    // The record moved on (already signed, closed after an ineligible screening …): show where it stands.
    try {
      view = await loadView();
    } catch (e) {
      void handleCommonError(e);
      return;
    }
    state.banner = { kind: 'info', text: t('error.conflict') };
    state.step = stepFor(view, null);
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
        : status === 0
          ? 'error.network'
          : 'error.server';
  state.banner = { kind: 'error', text: t(key) };
  render();
  focusTarget(document.getElementById('banner'));
}

/** @param {string} message */
function showFatal(message) {
  view = null;
  setDocumentLocale();
  renderTopbar();
  replace(app, h('h1', { id: 'step-heading', class: 'step-heading' }, message));
  focusTarget(document.getElementById('step-heading'));
}

function renderIneligible() {
  const branch = view.invite.clinic.branch;
  const message = view.ineligibleMessage ? L(view.ineligibleMessage) : '';
  const phoneDigits = String(branch.phone ?? '').replace(/[^0-9+]/g, '');
  const waDigits = String(branch.whatsapp ?? '').replace(/[^0-9]/g, '');
  return [
    h('h1', { id: 'step-heading', class: 'step-heading' }, t('result.ineligibleTitle')),
    h('p', { class: 'lead', id: 'ineligible-message' }, message),
    h('h2', {}, t('result.contactTitle')),
    h(
      'ul',
      { class: 'contact-list' },
      phoneDigits
        ? h(
            'li',
            {},
            h(
              'a',
              {
                class: 'button button-secondary button-block',
                href: `tel:${phoneDigits}`,
                id: 'call-clinic',
              },
              h(
                'span',
                {},
                ...fillNodes(t('result.call'), {
                  branch: branch.name,
                  phone: h('bdi', { dir: 'ltr', class: 'nowrap' }, branch.phone),
                }),
              ),
            ),
          )
        : null,
      waDigits
        ? h(
            'li',
            {},
            h(
              'a',
              {
                class: 'button button-whatsapp button-block',
                href: `https://wa.me/${waDigits}`,
                target: '_blank',
                rel: 'noopener noreferrer',
                id: 'whatsapp-clinic',
              },
              h(
                'span',
                {},
                ...fillNodes(t('result.whatsapp'), { branch: branch.name }),
                h('span', { class: 'visually-hidden' }, ` (${t('result.newTab')})`),
              ),
            ),
          )
        : null,
    ),
  ];
}

function renderConsent() {
  /** @type {any} */
  const c = view.consent?.[state.locale];
  if (!c) return renderDone();
  const risks = /** @type {{id: string, title: string, description: string, frequency: string}[]} */ (
    c.risks
  );
  const declarations = /** @type {{id: string, text: string}[]} */ (c.declarations);
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

  signatureField = createSignatureField({
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
  if (state.errors.signature) signatureField.showError(state.errors.signature);

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
            h(
              'label',
              { class: 'check' },
              h('input', {
                type: 'checkbox',
                id,
                name: 'acknowledgedRiskIds',
                value: r.id,
                checked: Boolean(state.risks[r.id]),
                'aria-invalid': invalid,
                'aria-describedby': [`${id}-desc`, invalid ? `${id}-error` : ''].filter(Boolean).join(' '),
                onchange: (/** @type {Event} */ e) => {
                  state.risks[r.id] = /** @type {HTMLInputElement} */ (e.target).checked;
                  if (state.risks[r.id]) clearError(id);
                  saveSoon();
                },
              }),
              h('span', {}, t('consent.riskAck'), h('span', { class: 'visually-hidden' }, `: ${r.title}`)),
            ),
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
          h(
            'label',
            { class: 'check' },
            h('input', {
              type: 'checkbox',
              id,
              name: 'declarations',
              value: d.id,
              checked: Boolean(state.declarations[d.id]),
              'aria-invalid': invalid,
              'aria-describedby': invalid ? `${id}-error` : null,
              onchange: (/** @type {Event} */ e) => {
                state.declarations[d.id] = /** @type {HTMLInputElement} */ (e.target).checked;
                if (state.declarations[d.id]) clearError(id);
                saveSoon();
              },
            }),
            h('span', {}, d.text),
          ),
        );
      }),
    ),
    h(
      'section',
      { class: 'consent-section', id: 'signature' },
      h('h2', {}, t('sign.title')),
      signatureField.element,
    ),
    h(
      'div',
      { class: 'actions' },
      h(
        'button',
        { type: 'submit', class: 'button button-primary', id: 'sign', disabled: state.busy },
        state.busy ? t('sign.sending') : t('sign.submit'),
      ),
      view.invite.status === 'answered'
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
      t('consent.title', { treatment: L(view.form.title) }),
    ),
    view.invite.outcome === 'needs_review' ? h('p', { class: 'notice' }, t('consent.review')) : null,
    h('p', { class: 'lead' }, t('consent.intro')),
    form,
  ].filter((n) => n !== null);
}

/** @param {Event} e */
async function onSign(e) {
  e.preventDefault();
  if (state.busy || !signatureField) return;
  const c = view.consent?.[state.locale];
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
      view = await loadView();
    } catch {
      // The consent is signed; the confirmation does not depend on re-reading it.
      view.invite.status = 'awaiting_countersign';
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

function renderDone() {
  const status = view.invite.status;
  const body =
    status === 'countersigned'
      ? t('done.countersigned')
      : status === 'declined'
        ? t('done.declined')
        : t('done.body');
  return [
    h('h1', { id: 'step-heading', class: 'step-heading' }, t('done.title')),
    h('p', { class: 'lead', id: 'done-message' }, body),
    view.pdf || state.justSigned
      ? h(
          'p',
          {},
          h(
            'a',
            {
              class: 'button button-primary',
              href: `${base}/consent.pdf`,
              download: 'consent.pdf',
              id: 'download-pdf',
            },
            t('done.download'),
          ),
        )
      : null,
  ];
}

// ------------------------------------------------------------------ start

function loadView() {
  return api(base);
}

/**
 * Where to open the page: the server's state decides; saved progress only picks among the form steps.
 * @param {any} v
 * @param {any} saved
 * @returns {Step}
 */
function stepFor(v, saved) {
  const status = v.invite.status;
  if (['awaiting_countersign', 'countersigned', 'declined'].includes(status)) return 'done';
  const savedStep = saved && FORM_STEPS.includes(saved.step) ? saved.step : null;
  if (status === 'answered') {
    if (v.invite.outcome === 'ineligible') return 'result';
    return savedStep ?? 'result';
  }
  return savedStep ?? 'about';
}

async function start() {
  try {
    const [ui, v] = await Promise.all([api('/assets/ui.json'), loadView()]);
    UI = ui;
    view = v;
  } catch (err) {
    if (err instanceof ApiError && (err.status === 404 || err.status === 410) && !UI.en['page.title']) {
      try {
        UI = await api('/assets/ui.json');
      } catch {
        // fall through with keys only
      }
    }
    await handleCommonError(err);
    return;
  }
  storeKey = `intake:${await sha256Hex(token)}`;
  const saved = loadSaved();
  state.locale =
    saved?.locale === 'ar' || saved?.locale === 'en'
      ? saved.locale
      : view.invite.locale === 'ar'
        ? 'ar'
        : 'en';
  if (saved) {
    const ids = new Set(questions().map((q) => q.id));
    state.answers = Object.fromEntries(Object.entries(saved.answers ?? {}).filter(([k]) => ids.has(k)));
    state.risks = saved.risks ?? {};
    state.declarations = saved.declarations ?? {};
    if (saved.sign) state.sign = { ...state.sign, ...saved.sign };
  }
  state.step = stepFor(view, saved);
  if (state.step === 'done') clearSaved();
  render();
  announcer.textContent = t('steps.counter', {
    n: ALL_STEPS.indexOf(/** @type {any} */ (state.step)) + 1,
    total: ALL_STEPS.length,
  });
}

void start();
