import { fillTopbar, h } from './dom.js';
import { save } from './intake-progress.js';
import { ALL_STEPS, fieldId, L, questions, render, state, t, topbar, UI, view } from './intake-state.js';
import { serverIssueMessage } from './intake-validation.js';

/** @import { Locale } from './api-types.js' */
/** @import { Step } from './intake-state.js' */

/** The page's frame: the banner, the step progress, the top bar and the language switch. */

export function bannerNode() {
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
export function progress(step) {
  const index = ALL_STEPS.indexOf(step);
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

export function renderTopbar() {
  const other = state.locale === 'en' ? 'ar' : 'en';
  const branch = view?.invite?.clinic?.branch;
  fillTopbar(
    topbar,
    view ? h('bdi', {}, view.invite.clinic.name) : '',
    branch ? h('bdi', {}, branch.name) : null,
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
  );
}

export function setDocumentLocale() {
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
