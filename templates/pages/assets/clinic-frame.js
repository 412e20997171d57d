import { signOut } from './clinic-auth-pkce.js';
import { hasRole, session } from './clinic-session.js';
import { announcer, app, flash, setFlash, topbar } from './clinic-state.js';
import { fillTopbar, focusTarget, h, replace } from './dom.js';

/** @import { Child } from './dom.js' */

/** The dashboard's frame: the top bar, the page heading and banners, announcements, form fields. */

/** @param {{kind: string, text: string} | null} message */
export function bannerNode(message) {
  if (!message) return null;
  return h(
    'div',
    {
      class: `banner banner-${message.kind}`,
      role: message.kind === 'error' ? 'alert' : 'status',
      id: 'banner',
      tabindex: -1,
    },
    message.text,
  );
}

function takeFlash() {
  const f = flash;
  setFlash(null);
  return bannerNode(f);
}

/** @param {string} text */
export function announce(text) {
  announcer.textContent = '';
  setTimeout(() => {
    announcer.textContent = text;
  }, 50);
}

// ------------------------------------------------------------------ frame

/** @param {string} current */
export function renderTopbar(current) {
  /** @type {[string, string][]} */
  const links = [];
  if (session) {
    if (hasRole('doctor')) links.push(['#/queue', 'Queue']);
    links.push(['#/invite', 'New intake link']);
    links.push(['#/archive', 'Archive']);
  }
  links.push(['#/verify', 'Verify a PDF']);
  fillTopbar(
    topbar,
    'Clinic dashboard',
    session ? `Clinic: ${session.clinicId}` : null,
    h(
      'nav',
      { 'aria-label': 'Dashboard' },
      h(
        'ul',
        { class: 'nav' },
        links.map(([href, label]) =>
          h('li', {}, h('a', { href, 'aria-current': current === href.slice(1) ? 'page' : null }, label)),
        ),
      ),
    ),
    session
      ? h(
          'div',
          { class: 'who' },
          h('span', {}, `${session.name} · ${session.roles.join(', ')}`),
          h(
            'button',
            {
              type: 'button',
              class: 'button button-secondary button-small',
              onclick: () => void signOut(),
            },
            'Sign out',
          ),
        )
      : null,
  );
}

/**
 * @param {string} title
 * @param {...(Child | Child[])} content
 */
export function show(title, ...content) {
  document.title = `${title} · Clinic dashboard`;
  replace(app, takeFlash(), h('h1', { id: 'page-heading' }, title), ...content);
}

/**
 * A placeholder while a view loads; it leaves any pending flash message for the real view.
 * @param {string} title
 */
export function showLoading(title) {
  document.title = `${title} · Clinic dashboard`;
  replace(app, h('h1', { id: 'page-heading' }, title), h('p', { class: 'loading' }, 'Loading…'));
}

export function focusHeading() {
  const banner = document.getElementById('banner');
  focusTarget(banner ?? document.getElementById('page-heading'));
}

/** @param {string} text */
export function alertBanner(text) {
  document.getElementById('banner')?.remove();
  app.prepend(/** @type {Node} */ (bannerNode({ kind: 'error', text })));
  focusTarget(document.getElementById('banner'));
}

/**
 * A labelled field with a hint and an error slot.
 * @param {{id: string, label: string, input: HTMLElement, hint?: string, className?: string}} f
 */
export function field(f) {
  const hintId = f.hint ? `${f.id}-hint` : null;
  if (hintId) f.input.setAttribute('aria-describedby', hintId);
  return h(
    'div',
    { class: `field${f.className ? ` ${f.className}` : ''}`, id: `${f.id}-field` },
    h('label', { class: 'label', for: f.id }, f.label),
    f.hint ? h('p', { class: 'hint', id: hintId }, f.hint) : null,
    h('p', { class: 'field-error', id: `${f.id}-error`, hidden: true }),
    f.input,
  );
}

/**
 * Shows (or clears, with null) the error beside a field made by field().
 * @param {string} id
 * @param {string | null} message
 */
export function setFieldError(id, message) {
  const input = document.getElementById(id);
  const error = document.getElementById(`${id}-error`);
  if (!input || !error) return;
  error.hidden = !message;
  error.textContent = message ?? '';
  const hint = document.getElementById(`${id}-hint`) ? `${id}-hint` : '';
  if (message) {
    input.setAttribute('aria-invalid', 'true');
    input.setAttribute('aria-describedby', [hint, `${id}-error`].filter(Boolean).join(' '));
  } else {
    input.removeAttribute('aria-invalid');
    if (hint) input.setAttribute('aria-describedby', hint);
    else input.removeAttribute('aria-describedby');
  }
}
