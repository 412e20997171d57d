import { ApiError, api } from './api.js';
import { errorText } from './clinic-api.js';
import { startCognitoSignIn } from './clinic-auth-pkce.js';
import { announce, focusHeading, show } from './clinic-frame.js';
import { session, startSession } from './clinic-session.js';
import { route, signInMode } from './clinic-state.js';
import { h } from './dom.js';

/** @import { LocalLogin } from './api-types.js' */

/** The sign-in screen: the Cognito hosted-UI button, or the local stack's e-mail-and-role form. */

export function viewSignIn() {
  if (signInMode === 'cognito') {
    show(
      'Sign in',
      h('p', {}, 'Sign in with your clinic staff account (e-mail, password and authenticator app).'),
      h(
        'button',
        { type: 'button', class: 'button button-primary', onclick: () => void startCognitoSignIn() },
        'Sign in with your clinic account',
      ),
    );
    focusHeading();
    return;
  }
  const error = h('p', { class: 'field-error', id: 'signin-error', hidden: true });
  const email = /** @type {HTMLInputElement} */ (
    h('input', {
      class: 'input',
      type: 'email',
      id: 'signin-email',
      name: 'email',
      autocomplete: 'username',
      required: true,
    })
  );
  /** @param {string} value @param {string} label */
  const role = (value, label) =>
    h(
      'label',
      { class: 'choice' },
      h('input', { type: 'radio', name: 'role', value, checked: value === 'coordinator' }),
      h('span', {}, label),
    );
  const form = h(
    'form',
    {
      class: 'card sign-in',
      novalidate: true,
      onsubmit: async (/** @type {Event} */ e) => {
        e.preventDefault();
        const chosen = /** @type {HTMLInputElement | null} */ (
          form.querySelector('input[name=role]:checked')
        );
        error.hidden = true;
        email.removeAttribute('aria-invalid');
        if (!email.value.trim() || !email.checkValidity()) {
          error.textContent = 'Enter your e-mail address.';
          error.hidden = false;
          email.setAttribute('aria-invalid', 'true');
          email.setAttribute('aria-describedby', 'signin-error');
          email.focus();
          return;
        }
        try {
          const res = /** @type {LocalLogin} */ (
            await api('/local/login', {
              body: { email: email.value.trim(), role: chosen?.value ?? 'coordinator' },
            })
          );
          startSession(res.token);
          announce(`Signed in as ${session?.name ?? ''}`);
          route();
          focusHeading();
        } catch (err) {
          error.textContent =
            err instanceof ApiError && err.status === 404
              ? 'Local sign-in is not available here: this deployment signs staff in through Cognito.'
              : errorText(err);
          error.hidden = false;
        }
      },
    },
    h(
      'p',
      { class: 'hint' },
      'Local stack: sign in as any e-mail with a role. In AWS, staff sign in through Cognito.',
    ),
    h('div', { class: 'field' }, h('label', { class: 'label', for: 'signin-email' }, 'E-mail'), email),
    h(
      'fieldset',
      { class: 'field' },
      h('legend', { class: 'label' }, 'Role'),
      h(
        'div',
        { class: 'choices choices-inline' },
        role('coordinator', 'Coordinator'),
        role('doctor', 'Doctor'),
      ),
    ),
    error,
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'submit', class: 'button button-primary' }, 'Sign in'),
    ),
  );
  show('Sign in', form);
}
