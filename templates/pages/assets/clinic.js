import { ApiError, api, focusTarget, h, replace } from './dom.js';
import { createSignatureField } from './signature.js';

/**
 * The clinic dashboard (GET /clinic). Hash routes: #/invite (create an intake link), #/queue (doctor:
 * consents awaiting countersignature), #/consents/<id> (read, note findings, countersign or decline),
 * #/archive (search, download), #/verify (check a PDF; works without signing in, the final e-mail links
 * here). Staff sign in locally through POST /local/login, in AWS through the Cognito hosted UI
 * (authorization code with PKCE); the ID token (the API's bearer) and Cognito's refresh token are kept in
 * sessionStorage, so they are gone when the tab closes.
 */

const TOKEN_KEY = 'clinic.token';
const REFRESH_KEY = 'clinic.refreshToken';
const PKCE_KEY = 'clinic.signInRequest';

const app = /** @type {HTMLElement} */ (document.getElementById('app'));
const topbar = /** @type {HTMLElement} */ (document.getElementById('topbar'));
const announcer = /** @type {HTMLElement} */ (document.getElementById('announcer'));
const signInMode = topbar.dataset.signIn === 'cognito' ? 'cognito' : 'local';

/**
 * @typedef {{token: string, email: string, name: string, clinicId: string, roles: string[], exp: number}} Session
 */

/** @type {Session | null} */
let session = null;
/** The treatment template's labels (questions, rules, risks), by treatment id. @type {Record<string, any>} */
const templates = {};
/** A message to show once on the next screen. @type {{kind: 'ok' | 'error' | 'info', text: string} | null} */
let flash = null;

const STATUS_LABELS = {
  invited: 'Invited',
  answered: 'Answered',
  awaiting_countersign: 'Awaiting countersignature',
  countersigned: 'Countersigned',
  declined: 'Declined',
};
const OUTCOME_LABELS = { eligible: 'Eligible', needs_review: 'Needs review', ineligible: 'Ineligible' };
const SEVERITY_LABELS = { contraindicated: 'Contraindicated', review: 'Needs review', advisory: 'Advisory' };
const SEVERITY_ORDER = ['contraindicated', 'review', 'advisory'];

// ------------------------------------------------------------------ session

/** @param {string} jwt */
function decodeClaims(jwt) {
  const part = jwt.split('.')[1] ?? '';
  const json = atob(
    part
      .replace(/-/g, '+')
      .replace(/_/g, '/')
      .padEnd(Math.ceil(part.length / 4) * 4, '='),
  );
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0))));
}

/** @param {string} token @returns {Session | null} */
function sessionFrom(token) {
  try {
    const c = decodeClaims(token);
    const groups = Array.isArray(c['cognito:groups']) ? c['cognito:groups'] : [];
    if (typeof c.exp === 'number' && c.exp * 1000 < Date.now()) return null;
    return {
      token,
      email: String(c.email ?? ''),
      name: String(c.name ?? c.email ?? 'Staff'),
      clinicId: String(c['custom:clinicId'] ?? ''),
      roles: groups.filter((/** @type {string} */ g) => g === 'doctor' || g === 'coordinator'),
      exp: Number(c.exp ?? 0),
    };
  } catch {
    return null;
  }
}

function loadSession() {
  const token = sessionStorage.getItem(TOKEN_KEY);
  session = token ? sessionFrom(token) : null;
  if (!session) sessionStorage.removeItem(TOKEN_KEY);
}

/** @param {string} token */
function startSession(token) {
  session = sessionFrom(token);
  if (session) sessionStorage.setItem(TOKEN_KEY, token);
}

function endSession() {
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(REFRESH_KEY);
  session = null;
}

async function signOut() {
  const refresh = sessionStorage.getItem(REFRESH_KEY);
  endSession();
  if (signInMode === 'cognito') {
    // Revoke the refresh token, then end the hosted UI's own session too.
    if (refresh) await cognitoRequest('revoke', { token: refresh }).catch(() => undefined);
    location.assign(
      `${cognito.domain}/logout?${new URLSearchParams({ client_id: cognito.clientId, logout_uri: redirectUri() })}`,
    );
    return;
  }
  location.hash = '#/';
  route();
}

/** @param {string} role */
function hasRole(role) {
  return Boolean(session?.roles.includes(role));
}

// ------------------------------------------------------------------ Cognito hosted UI (code + PKCE)

const cognito = {
  domain: topbar.dataset.cognitoDomain ?? '',
  clientId: topbar.dataset.cognitoClientId ?? '',
};

/** The dashboard's own URL: the app client's callback and sign-out URL. */
function redirectUri() {
  return `${location.origin}/clinic`;
}

/** @param {Uint8Array} bytes */
function base64url(bytes) {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

/**
 * POST to the hosted UI's token or revoke endpoint (the page's CSP allows exactly this origin).
 * @param {'token' | 'revoke'} endpoint
 * @param {Record<string, string>} fields
 */
async function cognitoRequest(endpoint, fields) {
  const res = await fetch(`${cognito.domain}/oauth2/${endpoint}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: cognito.clientId, ...fields }),
  });
  if (!res.ok) throw new Error(`Cognito ${endpoint}: HTTP ${res.status}`);
  return endpoint === 'token' ? res.json() : null;
}

async function startCognitoSignIn() {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const state = base64url(crypto.getRandomValues(new Uint8Array(16)));
  const challenge = base64url(
    new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))),
  );
  sessionStorage.setItem(PKCE_KEY, JSON.stringify({ state, verifier, returnTo: location.hash || '#/' }));
  const q = new URLSearchParams({
    response_type: 'code',
    client_id: cognito.clientId,
    redirect_uri: redirectUri(),
    scope: 'openid email profile',
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  location.assign(`${cognito.domain}/oauth2/authorize?${q}`);
}

/** Back from the hosted UI (?code=…&state=…): exchange the code for tokens. */
async function completeCognitoSignIn() {
  const params = new URLSearchParams(location.search);
  const code = params.get('code');
  if (!code && !params.get('error')) return;
  const raw = sessionStorage.getItem(PKCE_KEY);
  sessionStorage.removeItem(PKCE_KEY);
  /** @type {{state: string, verifier: string, returnTo: string} | null} */
  let pending = null;
  try {
    pending = raw ? JSON.parse(raw) : null;
  } catch {
    pending = null;
  }
  // The code is single-use and must not stay in the address bar or the history.
  history.replaceState(null, '', `${location.pathname}${pending?.returnTo ?? '#/'}`);
  if (!code || !pending || params.get('state') !== pending.state) {
    flash = { kind: 'error', text: 'Sign-in did not complete. Please try again.' };
    return;
  }
  try {
    const tokens = await cognitoRequest('token', {
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri(),
      code_verifier: pending.verifier,
    });
    startSession(tokens.id_token);
    if (tokens.refresh_token) sessionStorage.setItem(REFRESH_KEY, tokens.refresh_token);
  } catch {
    flash = { kind: 'error', text: 'Sign-in did not complete. Please try again.' };
  }
}

/** A new ID token from the refresh token (Cognito mode); false when there is none or it is refused. */
async function refreshSession() {
  const refresh = sessionStorage.getItem(REFRESH_KEY);
  if (signInMode !== 'cognito' || !refresh) return false;
  try {
    const tokens = await cognitoRequest('token', { grant_type: 'refresh_token', refresh_token: refresh });
    startSession(tokens.id_token);
    return Boolean(session);
  } catch {
    sessionStorage.removeItem(REFRESH_KEY);
    return false;
  }
}

// ------------------------------------------------------------------ API

/**
 * The API with the bearer token; a 401 ends the session and shows the sign-in form.
 * @param {string} url
 * @param {Parameters<typeof api>[1]} [opts]
 */
async function staffApi(url, opts = {}) {
  // An ID token lives an hour: renew it shortly before it runs out (Cognito), rather than fail a save.
  if (session && session.exp * 1000 < Date.now() + 60_000) await refreshSession();
  try {
    return await api(url, { ...opts, token: session?.token });
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      if (await refreshSession()) return api(url, { ...opts, token: session?.token });
      endSession();
      flash = { kind: 'info', text: 'Your session has ended. Please sign in again.' };
      route();
    }
    throw err;
  }
}

/** @param {string} treatmentId */
async function template(treatmentId) {
  if (!templates[treatmentId]) templates[treatmentId] = await api(`/assets/treatment-${treatmentId}.json`);
  return templates[treatmentId];
}

/** @param {unknown} err */
function errorText(err) {
  if (!(err instanceof ApiError)) return 'Something went wrong. Please try again.';
  if (err.status === 0) return 'The server could not be reached. Check the connection and try again.';
  if (err.status === 403) return `Not allowed: ${err.message}`;
  return err.message || `The request failed (${err.status}).`;
}

// ------------------------------------------------------------------ formatting

const dateTime = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short' });
const dateOnly = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium' });

/** @param {string | null | undefined} iso */
function when(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateTime.format(d);
}

/** @param {string} status */
function statusBadge(status) {
  return h(
    'span',
    { class: `badge badge-${status}` },
    STATUS_LABELS[/** @type {keyof STATUS_LABELS} */ (status)] ?? status,
  );
}

/** @param {string | null} outcome */
function outcomeBadge(outcome) {
  if (!outcome) return null;
  return h(
    'span',
    { class: `badge badge-${outcome}` },
    OUTCOME_LABELS[/** @type {keyof OUTCOME_LABELS} */ (outcome)] ?? outcome,
  );
}

/**
 * A short name for a screening finding: the part of the rule's message before the colon
 * ("Takes blood thinners (including aspirin)"), or the rule id.
 * @param {any} tpl
 * @param {string} ruleId
 */
function findingName(tpl, ruleId) {
  const rule = tpl?.rules?.find((/** @type {{id: string}} */ r) => r.id === ruleId);
  return rule ? String(rule.message.en).split(':')[0] : ruleId;
}

/** @param {{kind: string, text: string} | null} message */
function bannerNode(message) {
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
  flash = null;
  return bannerNode(f);
}

/** @param {string} text */
function announce(text) {
  announcer.textContent = '';
  setTimeout(() => {
    announcer.textContent = text;
  }, 50);
}

// ------------------------------------------------------------------ frame

/** @param {string} current */
function renderTopbar(current) {
  /** @type {[string, string][]} */
  const links = [];
  if (session) {
    if (hasRole('doctor')) links.push(['#/queue', 'Queue']);
    links.push(['#/invite', 'New intake link']);
    links.push(['#/archive', 'Archive']);
  }
  links.push(['#/verify', 'Verify a PDF']);
  replace(
    topbar,
    h(
      'div',
      { class: 'topbar-inner' },
      h(
        'p',
        { class: 'brand' },
        'Clinic dashboard',
        session ? h('span', { class: 'brand-branch' }, `Clinic: ${session.clinicId}`) : null,
      ),
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
    ),
  );
}

/**
 * @param {string} title
 * @param {...any} content
 */
function show(title, ...content) {
  document.title = `${title} · Clinic dashboard`;
  replace(app, takeFlash(), h('h1', { id: 'page-heading' }, title), ...content);
}

/**
 * A placeholder while a view loads; it leaves any pending flash message for the real view.
 * @param {string} title
 */
function showLoading(title) {
  document.title = `${title} · Clinic dashboard`;
  replace(app, h('h1', { id: 'page-heading' }, title), h('p', { class: 'loading' }, 'Loading…'));
}

function focusHeading() {
  const banner = document.getElementById('banner');
  focusTarget(banner ?? document.getElementById('page-heading'));
}

// ------------------------------------------------------------------ router

function route() {
  const hash = location.hash.replace(/^#/, '') || '/';
  const [path = '/', query = ''] = hash.split('?');
  const params = new URLSearchParams(query);
  renderTopbar(path);
  if (path === '/verify') return void viewVerify();
  if (!session) return void viewSignIn();
  if (path === '/' || path === '') {
    location.replace(hasRole('doctor') ? '#/queue' : '#/invite');
    return;
  }
  if (path === '/invite') return void viewInvite();
  if (path === '/queue') return void viewQueue();
  if (path === '/archive') return void viewArchive(params);
  const m = /^\/consents\/([0-9A-Za-z]+)$/.exec(path);
  if (m) return void viewConsent(/** @type {string} */ (m[1]));
  show('Page not found', h('p', {}, h('a', { href: '#/' }, 'Go to the dashboard')));
}

// ------------------------------------------------------------------ sign in

function viewSignIn() {
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
          const res = await api('/local/login', {
            body: { email: email.value.trim(), role: chosen?.value ?? 'coordinator' },
          });
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

// ------------------------------------------------------------------ invite

/** Branch ids seen in the clinic's records, offered as suggestions (there is no branch list API yet). */
async function knownBranches() {
  try {
    const res = await staffApi('/clinic/consents?limit=100');
    return [
      ...new Set(res.items.map((/** @type {{branchId: string}} */ i) => i.branchId).filter(Boolean)),
    ].sort();
  } catch {
    return [];
  }
}

/**
 * A labelled field with a hint and an error slot.
 * @param {{id: string, label: string, input: HTMLElement, hint?: string, className?: string}} f
 */
function field(f) {
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
function setFieldError(id, message) {
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

function viewInvite() {
  const name = h('input', {
    class: 'input',
    id: 'inv-name',
    name: 'fullName',
    autocomplete: 'off',
    maxlength: 120,
    required: true,
  });
  const email = h('input', {
    class: 'input',
    id: 'inv-email',
    name: 'email',
    type: 'email',
    autocomplete: 'off',
    required: true,
  });
  const phone = h('input', {
    class: 'input',
    id: 'inv-phone',
    name: 'phone',
    type: 'tel',
    autocomplete: 'off',
  });
  const branch = h('input', {
    class: 'input',
    id: 'inv-branch',
    name: 'branchId',
    list: 'branch-list',
    autocomplete: 'off',
  });
  const branchList = h('datalist', { id: 'branch-list' });
  void knownBranches().then((ids) =>
    replace(
      branchList,
      ids.map((id) => h('option', { value: id })),
    ),
  );
  /** @param {string} value @param {string} label @param {string} [lang] */
  const lang = (value, label, lang) =>
    h(
      'label',
      { class: 'choice' },
      h('input', { type: 'radio', name: 'locale', value, checked: value === 'en' }),
      h('span', lang ? { lang, dir: 'rtl' } : {}, label),
    );
  const result = h('div', { id: 'invite-result' });
  const submit = h('button', { type: 'submit', class: 'button button-primary' }, 'Create link');
  const form = /** @type {HTMLFormElement} */ (
    h(
      'form',
      { class: 'card form-grid', novalidate: true, onsubmit: (/** @type {Event} */ e) => onInvite(e) },
      field({ id: 'inv-name', label: "Patient's full name", input: name }),
      field({ id: 'inv-email', label: "Patient's e-mail", input: email }),
      field({
        id: 'inv-phone',
        label: 'Mobile phone (optional)',
        input: phone,
        hint: 'With the country code, e.g. +971 50 123 4567. Needed for the WhatsApp hand-off.',
      }),
      field({
        id: 'inv-branch',
        label: 'Branch (optional)',
        input: branch,
        hint: "Leave empty for the clinic's main branch.",
      }),
      branchList,
      h(
        'fieldset',
        { class: 'field' },
        h('legend', { class: 'label' }, "Patient's language"),
        h('div', { class: 'choices choices-inline' }, lang('en', 'English'), lang('ar', 'العربية', 'ar')),
      ),
      h(
        'div',
        { class: 'field' },
        h('span', { class: 'label', 'aria-hidden': 'true' }, '\u00a0'),
        h(
          'label',
          { class: 'check' },
          h('input', { type: 'checkbox', id: 'inv-send-email', name: 'sendEmail', checked: true }),
          h('span', {}, 'Send the link to the patient by e-mail'),
        ),
      ),
      h('p', { class: 'banner banner-error span-2', id: 'invite-error', role: 'alert', hidden: true }),
      h('div', { class: 'actions span-2' }, submit),
    )
  );

  /** @param {Event} e */
  async function onInvite(e) {
    e.preventDefault();
    const get = (/** @type {string} */ n) => /** @type {HTMLInputElement} */ (form.elements.namedItem(n));
    for (const id of ['inv-name', 'inv-email', 'inv-phone', 'inv-branch']) setFieldError(id, null);
    const formError = /** @type {HTMLElement} */ (document.getElementById('invite-error'));
    formError.hidden = true;
    /** @type {[string, string][]} */
    const missing = [];
    if (!get('fullName').value.trim()) missing.push(['inv-name', "Enter the patient's full name."]);
    if (!get('email').value.trim() || !get('email').checkValidity())
      missing.push(['inv-email', 'Enter a valid e-mail address.']);
    for (const [id, msg] of missing) setFieldError(id, msg);
    if (missing.length) {
      document.getElementById(/** @type {string} */ (missing[0]?.[0]))?.focus();
      return;
    }
    const locale =
      /** @type {HTMLInputElement | null} */ (form.querySelector('input[name=locale]:checked'))?.value ??
      'en';
    const body = {
      patient: {
        fullName: get('fullName').value.trim(),
        email: get('email').value.trim(),
        ...(get('phone').value.trim() ? { phone: get('phone').value.trim() } : {}),
        locale,
      },
      treatmentId: 'mesotherapy',
      ...(get('branchId').value.trim() ? { branchId: get('branchId').value.trim() } : {}),
      sendEmail: get('sendEmail').checked,
    };
    submit.setAttribute('disabled', '');
    try {
      const res = await staffApi('/clinic/invites', { body });
      showInviteResult(result, body, res);
      form.reset();
      focusTarget(document.getElementById('invite-result-heading'));
    } catch (err) {
      if (err instanceof ApiError && err.status === 400 && err.issues.length) {
        /** @type {Record<string, string>} */
        const map = {
          'patient.fullName': 'inv-name',
          'patient.email': 'inv-email',
          'patient.phone': 'inv-phone',
          branchId: 'inv-branch',
        };
        let first = '';
        for (const issue of err.issues) {
          const id = map[issue.path];
          if (id) {
            setFieldError(id, issue.message);
            first ||= id;
          }
        }
        if (first) document.getElementById(first)?.focus();
        else {
          formError.textContent = errorText(err);
          formError.hidden = false;
        }
      } else {
        formError.textContent = errorText(err);
        formError.hidden = false;
        formError.focus();
      }
    } finally {
      submit.removeAttribute('disabled');
    }
  }

  show(
    'New intake link',
    h(
      'p',
      { class: 'lead' },
      'Create a personal link for a patient to fill in the mesotherapy intake and consent on their phone.',
    ),
    form,
    result,
  );
}

/**
 * @param {HTMLElement} container
 * @param {{patient: {fullName: string, email: string}, sendEmail: boolean}} request
 * @param {{intakeUrl: string, expiresAt: string, whatsappUrl?: string | null}} res
 */
function showInviteResult(container, request, res) {
  const status = h('span', { class: 'hint', role: 'status', id: 'copy-status' });
  const linkInput = /** @type {HTMLInputElement} */ (
    h('input', {
      class: 'input',
      id: 'intake-link',
      readonly: true,
      value: res.intakeUrl,
      'aria-describedby': 'intake-link-hint',
    })
  );
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(res.intakeUrl);
    } catch {
      linkInput.select();
      document.execCommand('copy');
    }
    status.textContent = 'Link copied.';
  };
  replace(
    container,
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'invite-result-heading' },
      h('h2', { id: 'invite-result-heading' }, `Link ready for ${request.patient.fullName}`),
      h(
        'p',
        { class: 'hint', id: 'intake-link-hint' },
        `Personal link; it works until ${when(res.expiresAt)}. Share it only with the patient.`,
      ),
      h('label', { class: 'label', for: 'intake-link' }, 'Intake link'),
      h(
        'div',
        { class: 'link-box' },
        linkInput,
        h(
          'button',
          { type: 'button', class: 'button button-secondary', id: 'copy-link', onclick: copy },
          'Copy link',
        ),
      ),
      status,
      h(
        'div',
        { class: 'actions' },
        res.whatsappUrl
          ? h(
              'a',
              {
                class: 'button button-whatsapp',
                href: res.whatsappUrl,
                target: '_blank',
                rel: 'noopener noreferrer',
                id: 'whatsapp-handoff',
              },
              'Send with WhatsApp',
              h('span', { class: 'visually-hidden' }, ' (opens WhatsApp)'),
            )
          : null,
      ),
      request.sendEmail
        ? h('p', {}, `An e-mail with the link is on its way to ${request.patient.email}.`)
        : null,
    ),
  );
}

// ------------------------------------------------------------------ queue

async function viewQueue() {
  showLoading('Awaiting countersignature');
  try {
    const [res, tpl] = await Promise.all([
      staffApi('/clinic/consents?status=awaiting_countersign'),
      template('mesotherapy'),
    ]);
    /** @type {any[]} */
    const items = res.items;
    const list = items.length
      ? h(
          'ul',
          { class: 'queue-list' },
          items.map((item) => {
            const findings = /** @type {string[]} */ (item.reviewFindings ?? []);
            return h(
              'li',
              { class: `queue-item${findings.length ? '' : ' no-findings'}` },
              h(
                'div',
                {},
                h(
                  'h2',
                  { class: 'queue-title' },
                  h('a', { href: `#/consents/${item.consentId}` }, h('bdi', {}, item.patientName)),
                ),
                h(
                  'p',
                  { class: 'meta' },
                  `Signed ${when(item.signedAt)} · ${item.branchId} · ${item.locale === 'ar' ? 'Arabic' : 'English'}`,
                ),
                findings.length
                  ? h(
                      'ul',
                      { class: 'tags', 'aria-label': 'Findings to review' },
                      findings.map((f) => h('li', { class: 'badge badge-review' }, findingName(tpl, f))),
                    )
                  : h('p', { class: 'meta' }, 'No findings that need review.'),
              ),
              h(
                'div',
                {},
                outcomeBadge(item.outcome),
                ' ',
                h(
                  'a',
                  { class: 'button button-primary button-small', href: `#/consents/${item.consentId}` },
                  'Review',
                  h('span', { class: 'visually-hidden' }, ` ${item.patientName}`),
                ),
              ),
            );
          }),
        )
      : h('p', { class: 'card' }, 'Nothing is waiting for countersignature.');
    show(
      'Awaiting countersignature',
      h(
        'p',
        { class: 'lead' },
        `${items.length} consent${items.length === 1 ? '' : 's'} signed by patients and waiting for a doctor.`,
      ),
      list,
    );
  } catch (err) {
    if (session) show('Awaiting countersignature', bannerNode({ kind: 'error', text: errorText(err) }));
  }
}

// ------------------------------------------------------------------ consent detail

/** @param {string} consentId */
async function viewConsent(consentId) {
  showLoading('Consent');
  /** @type {any} */
  let d;
  /** @type {any} */
  let tpl;
  try {
    d = await staffApi(`/clinic/consents/${encodeURIComponent(consentId)}`);
    tpl = await template(d.treatmentId);
  } catch (err) {
    if (session) show('Consent', bannerNode({ kind: 'error', text: errorText(err) }));
    return;
  }
  const canAct = hasRole('doctor') && d.status === 'awaiting_countersign';
  /** @type {any[]} */
  const findings = d.screening?.findings ?? [];
  /** @type {Record<string, HTMLTextAreaElement>} */
  const notes = {};

  const findingsSection = h(
    'section',
    { 'aria-labelledby': 'findings-heading' },
    h('h2', { id: 'findings-heading' }, 'Screening findings'),
    findings.length
      ? SEVERITY_ORDER.map((sev) => {
          const group = findings.filter((f) => f.severity === sev);
          if (!group.length) return null;
          return h(
            'div',
            {},
            h('h3', {}, `${SEVERITY_LABELS[/** @type {keyof SEVERITY_LABELS} */ (sev)]} (${group.length})`),
            group.map((f) => {
              const rule = tpl.rules.find((/** @type {{id: string}} */ r) => r.id === f.ruleId);
              const id = `note-${f.ruleId}`;
              const required = f.severity === 'review';
              const saved = d.findingNotes?.[f.ruleId];
              let noteField = null;
              if (canAct) {
                const ta = /** @type {HTMLTextAreaElement} */ (
                  h('textarea', {
                    class: 'input',
                    id,
                    rows: 2,
                    maxlength: 2000,
                    required,
                    'aria-required': required ? 'true' : null,
                  })
                );
                notes[f.ruleId] = ta;
                noteField = field({
                  id,
                  label: required ? 'Your note (required)' : 'Your note (optional)',
                  input: ta,
                  hint: required ? 'Record what you checked or agreed with the patient.' : undefined,
                });
              } else if (saved) {
                noteField = h('p', {}, h('strong', {}, 'Doctor’s note: '), saved);
              }
              return h(
                'div',
                { class: `finding finding-${f.severity}` },
                h(
                  'h4',
                  {},
                  findingName(tpl, f.ruleId),
                  ' ',
                  h(
                    'span',
                    { class: `badge badge-${f.severity}` },
                    SEVERITY_LABELS[/** @type {keyof SEVERITY_LABELS} */ (f.severity)],
                  ),
                ),
                h('p', {}, rule ? rule.message.en : f.message),
                noteField,
              );
            }),
          );
        })
      : h('p', {}, 'No findings: every answer screened eligible.'),
  );

  const answersSection = h(
    'section',
    { 'aria-labelledby': 'answers-heading' },
    h('h2', { id: 'answers-heading' }, 'Answers'),
    d.answers
      ? h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            { class: 'table answers' },
            h('caption', { class: 'visually-hidden' }, "The patient's answers"),
            h(
              'thead',
              {},
              h('tr', {}, h('th', { scope: 'col' }, 'Question'), h('th', { scope: 'col' }, 'Answer')),
            ),
            h(
              'tbody',
              {},
              tpl.questions
                .filter((/** @type {{id: string}} */ q) => d.answers[q.id] !== undefined)
                .map((/** @type {any} */ q) =>
                  h(
                    'tr',
                    { class: d.answers[q.id] === true ? 'is-yes' : null },
                    h('th', { scope: 'row' }, q.label.en),
                    h('td', {}, answerText(q, d.answers[q.id])),
                  ),
                ),
            ),
          ),
        )
      : h('p', {}, 'The patient has not answered yet.'),
  );

  const risksSection = d.risks?.length
    ? h(
        'section',
        { 'aria-labelledby': 'risks-heading' },
        h('h2', { id: 'risks-heading' }, 'Risks in the consent'),
        h(
          'ul',
          {},
          d.risks.map((/** @type {{id: string, title: string}} */ r) =>
            h(
              'li',
              {},
              r.title,
              d.acknowledgedRiskIds.includes(r.id) ? ' — acknowledged by the patient' : '',
            ),
          ),
        ),
      )
    : null;

  const side = h(
    'aside',
    { 'aria-labelledby': 'record-heading' },
    h(
      'section',
      { class: 'card' },
      h('h2', { id: 'record-heading' }, 'Record'),
      h(
        'dl',
        { class: 'kv' },
        kv('Status', statusBadge(d.status)),
        kv('Screening', outcomeBadge(d.outcome) ?? '—'),
        kv('E-mail', d.patient.email),
        kv('Phone', d.patient.phone ? h('bdi', { dir: 'ltr' }, d.patient.phone) : '—'),
        kv('Language', d.locale === 'ar' ? 'Arabic' : 'English'),
        kv('Branch', d.branch?.name ?? d.branchId),
        kv('Invited', when(d.createdAt)),
        kv('Patient signed', signatureText(d.signatures.patient)),
        kv(
          'Countersigned',
          d.signatures.doctor
            ? `${signatureText(d.signatures.doctor)} by ${d.signatures.doctor.doctorName}`
            : '—',
        ),
        d.declineReason ? kv('Declined', d.declineReason) : null,
        d.pdfSha256 ? kv('PDF SHA-256', h('code', {}, d.pdfSha256)) : null,
      ),
      d.pdfSha256
        ? h(
            'button',
            {
              type: 'button',
              class: 'button button-secondary',
              id: 'download-pdf',
              onclick: () => downloadPdf(d.consentId, d.patientName),
            },
            'Download PDF',
          )
        : null,
    ),
    h(
      'details',
      { class: 'card' },
      h('summary', {}, `Audit trail (${d.events.length} events)`),
      h(
        'ol',
        {},
        d.events.map((/** @type {any} */ ev) =>
          h('li', {}, `${when(ev.at)} — ${String(ev.type).replace(/_/g, ' ')} (${ev.actor?.kind ?? ''})`),
        ),
      ),
    ),
  );

  // The doctor's actions sit under the record's identity, in view while reading findings and answers.
  if (canAct) side.firstElementChild?.after(...countersignForms(d, findings, notes));
  show(
    d.patientName,
    h(
      'p',
      { class: 'meta' },
      statusBadge(d.status),
      ' ',
      outcomeBadge(d.outcome),
      ` · ${tpl.title.en} · consent ${d.consentId}`,
    ),
    h('div', { class: 'detail-grid' }, h('div', {}, findingsSection, answersSection, risksSection), side),
  );
}

/**
 * @param {string} label
 * @param {any} value
 */
function kv(label, value) {
  return [h('dt', {}, label), h('dd', {}, value)];
}

/** @param {any} s */
function signatureText(s) {
  if (!s) return '—';
  return `${when(s.signedAt)} (${s.kind === 'typed' ? `typed: ${s.typedName}` : 'drawn'})`;
}

/**
 * @param {any} q
 * @param {unknown} value
 */
function answerText(q, value) {
  if (q.type === 'boolean') return value === true ? h('strong', {}, 'Yes') : 'No';
  if (q.type === 'multi' && Array.isArray(value)) {
    return value
      .map((v) => q.options.find((/** @type {{id: string}} */ o) => o.id === v)?.label.en ?? v)
      .join(', ');
  }
  if (q.type === 'date' && typeof value === 'string') {
    const d = new Date(`${value}T00:00:00Z`);
    const age = Math.floor((Date.now() - d.getTime()) / (365.2425 * 24 * 3600 * 1000));
    return Number.isNaN(d.getTime()) ? value : `${dateOnly.format(d)} (age ${age})`;
  }
  return h('bdi', {}, String(value ?? ''));
}

/**
 * The doctor's two actions: countersign (notes + signature) or decline with a reason.
 * @param {any} d
 * @param {any[]} findings
 * @param {Record<string, HTMLTextAreaElement>} notes
 */
function countersignForms(d, findings, notes) {
  const sig = createSignatureField({
    texts: {
      method: 'How will you sign?',
      draw: 'Draw my signature',
      type: 'Type my full name',
      canvas: 'Signature box. Sign with the mouse, a stylus or a finger.',
      canvasHint: 'Sign inside the box.',
      clear: 'Clear signature',
      typedLabel: 'Your full name',
      typedHint: 'Typing your full name is your electronic countersignature.',
    },
    initial: { mode: 'draw' },
  });
  const formError = h('p', {
    class: 'banner banner-error',
    id: 'countersign-error',
    role: 'alert',
    hidden: true,
    tabindex: -1,
  });
  const button = h(
    'button',
    { type: 'submit', class: 'button button-primary', id: 'countersign' },
    'Countersign',
  );
  const form = h(
    'form',
    {
      class: 'card',
      novalidate: true,
      'aria-labelledby': 'countersign-heading',
      onsubmit: async (/** @type {Event} */ e) => {
        e.preventDefault();
        formError.hidden = true;
        let firstInvalid = /** @type {HTMLElement | null} */ (null);
        for (const f of findings) {
          const id = `note-${f.ruleId}`;
          const missing = f.severity === 'review' && !notes[f.ruleId]?.value.trim();
          setFieldError(id, missing ? 'A note is required for this finding.' : null);
          if (missing) firstInvalid ??= notes[f.ruleId] ?? null;
        }
        const signature = sig.value();
        sig.showError(
          signature
            ? null
            : sig.missingKind() === 'typedName'
              ? 'Type your full name.'
              : 'Sign in the box, or choose to type your name.',
        );
        if (firstInvalid) return void firstInvalid.focus();
        if (!signature) return void sig.focus();
        /** @type {Record<string, string>} */
        const findingNotes = {};
        for (const [ruleId, ta] of Object.entries(notes))
          if (ta.value.trim()) findingNotes[ruleId] = ta.value.trim();
        button.setAttribute('disabled', '');
        try {
          await staffApi(`/clinic/consents/${d.consentId}/countersign`, {
            body: { signature, findingNotes },
          });
          flash = {
            kind: 'ok',
            text: 'Countersigned. The final PDF is being e-mailed to the patient and the clinic archive.',
          };
          await viewConsent(d.consentId);
          focusHeading();
        } catch (err) {
          button.removeAttribute('disabled');
          if (err instanceof ApiError && (err.status === 422 || err.status === 400) && err.issues.length) {
            for (const issue of err.issues) {
              const m = /^findingNotes\.(.+)$/.exec(issue.path);
              if (m) setFieldError(`note-${m[1]}`, issue.message);
              else if (issue.path.startsWith('signature')) sig.showError(issue.message);
            }
          }
          formError.textContent = errorText(err);
          formError.hidden = false;
          focusTarget(formError);
        }
      },
    },
    h('h2', { id: 'countersign-heading' }, 'Countersign'),
    h(
      'p',
      { class: 'hint' },
      findings.some((f) => f.severity === 'review')
        ? 'Write a note beside every finding that needs review, then sign. The final PDF goes to the patient and the clinic archive.'
        : 'Sign to countersign. The final PDF goes to the patient and the clinic archive.',
    ),
    sig.element,
    formError,
    h('div', { class: 'actions' }, button),
  );

  const reason = h('textarea', { class: 'input', id: 'decline-reason', rows: 3, maxlength: 2000 });
  const declineError = h('p', { class: 'banner banner-error', role: 'alert', hidden: true });
  const declineForm = h(
    'form',
    {
      class: 'card',
      novalidate: true,
      'aria-labelledby': 'decline-heading',
      onsubmit: async (/** @type {Event} */ e) => {
        e.preventDefault();
        const text = /** @type {HTMLTextAreaElement} */ (reason).value.trim();
        setFieldError('decline-reason', text ? null : 'Give the reason for declining.');
        if (!text) return void reason.focus();
        try {
          await staffApi(`/clinic/consents/${d.consentId}/decline`, { body: { reason: text } });
          flash = { kind: 'info', text: 'Declined. The patient will not be treated under this consent.' };
          await viewConsent(d.consentId);
          focusHeading();
        } catch (err) {
          declineError.textContent = errorText(err);
          declineError.hidden = false;
        }
      },
    },
    h('h2', { id: 'decline-heading' }, 'Decline'),
    field({
      id: 'decline-reason',
      label: 'Reason for declining',
      input: reason,
      hint: 'Kept in the record and the audit trail.',
    }),
    declineError,
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'submit', class: 'button button-danger', id: 'decline' }, 'Decline'),
    ),
  );
  return [form, declineForm];
}

/**
 * Downloads the latest PDF with the bearer token (a plain link cannot send it).
 * @param {string} consentId
 * @param {string} patientName
 */
async function downloadPdf(consentId, patientName) {
  try {
    const res = await fetch(`/clinic/consents/${encodeURIComponent(consentId)}/pdf`, {
      headers: { authorization: `Bearer ${session?.token ?? ''}` },
    });
    if (!res.ok) {
      let body = {};
      try {
        body = await res.json();
      } catch {
        // not JSON
      }
      throw new ApiError(res.status, body);
    }
    const blob = await res.blob();
    const url = URL.createObjectURL(blob);
    const safeName = patientName.replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-|-$/g, '') || 'patient';
    const a = h('a', { href: url, download: `consent-${safeName}-${consentId}.pdf`, hidden: true });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    announce('The PDF is downloading.');
  } catch (err) {
    flash = null;
    alertBanner(errorText(err));
  }
}

/** @param {string} text */
function alertBanner(text) {
  document.getElementById('banner')?.remove();
  app.prepend(/** @type {Node} */ (bannerNode({ kind: 'error', text })));
  focusTarget(document.getElementById('banner'));
}

// ------------------------------------------------------------------ archive

/** @param {URLSearchParams} params */
async function viewArchive(params) {
  const q = params.get('q') ?? '';
  const from = params.get('from') ?? '';
  const to = params.get('to') ?? '';
  const status = params.get('status') ?? '';
  const branchId = params.get('branchId') ?? '';
  const statusSelect = h(
    'select',
    { class: 'input', id: 'arc-status', name: 'status' },
    h('option', { value: '' }, 'Any status'),
    Object.entries(STATUS_LABELS).map(([v, label]) =>
      h('option', { value: v, selected: v === status }, label),
    ),
  );
  const form = /** @type {HTMLFormElement} */ (
    h(
      'form',
      {
        class: 'card form-grid',
        role: 'search',
        'aria-label': 'Search consents',
        onsubmit: (/** @type {Event} */ e) => {
          e.preventDefault();
          const data = new FormData(form);
          const next = new URLSearchParams();
          for (const [k, v] of data) if (String(v).trim()) next.set(k, String(v).trim());
          location.hash = `#/archive?${next}`;
        },
      },
      field({
        id: 'arc-q',
        label: 'Patient name',
        input: h('input', { class: 'input', id: 'arc-q', name: 'q', type: 'search', value: q }),
      }),
      field({ id: 'arc-status', label: 'Status', input: statusSelect }),
      field({
        id: 'arc-from',
        label: 'From (date)',
        input: h('input', { class: 'input', id: 'arc-from', name: 'from', type: 'date', value: from }),
      }),
      field({
        id: 'arc-to',
        label: 'To (date)',
        input: h('input', { class: 'input', id: 'arc-to', name: 'to', type: 'date', value: to }),
      }),
      field({
        id: 'arc-branch',
        label: 'Branch',
        input: h('input', { class: 'input', id: 'arc-branch', name: 'branchId', value: branchId }),
      }),
      h(
        'div',
        { class: 'actions span-2' },
        h('button', { type: 'submit', class: 'button button-primary' }, 'Search'),
      ),
    )
  );
  const results = h('div', { id: 'archive-results' }, h('p', { class: 'loading' }, 'Loading…'));
  show('Archive', form, results);

  const query = new URLSearchParams();
  for (const [k, v] of Object.entries({ q, from, to, status, branchId })) if (v) query.set(k, v);
  /** @type {any[]} */
  const rows = [];
  /** @param {string | null} cursor */
  const load = async (cursor) => {
    const qs = new URLSearchParams(query);
    if (cursor) qs.set('cursor', cursor);
    try {
      const res = await staffApi(`/clinic/consents?${qs}`);
      rows.push(...res.items);
      renderRows(res.nextCursor);
    } catch (err) {
      if (err instanceof ApiError && err.status === 400 && err.issues.length) {
        for (const issue of err.issues)
          setFieldError(`arc-${issue.path === 'branchId' ? 'branch' : issue.path}`, issue.message);
      }
      if (session) replace(results, bannerNode({ kind: 'error', text: errorText(err) }));
    }
  };
  /** @param {string | null} nextCursor */
  const renderRows = (nextCursor) => {
    replace(
      results,
      h(
        'p',
        { role: 'status' },
        `${rows.length} consent${rows.length === 1 ? '' : 's'}${nextCursor ? ' (more available)' : ''}`,
      ),
      rows.length
        ? h(
            'div',
            { class: 'table-wrap', role: 'region', 'aria-label': 'Search results', tabindex: 0 },
            h(
              'table',
              { class: 'table' },
              h(
                'thead',
                {},
                h(
                  'tr',
                  {},
                  ['Patient', 'Status', 'Screening', 'Branch', 'Created', 'Signed', 'PDF'].map((c) =>
                    h('th', { scope: 'col' }, c),
                  ),
                ),
              ),
              h(
                'tbody',
                {},
                rows.map((r) =>
                  h(
                    'tr',
                    {},
                    h('td', {}, h('a', { href: `#/consents/${r.consentId}` }, h('bdi', {}, r.patientName))),
                    h('td', {}, statusBadge(r.status)),
                    h('td', {}, outcomeBadge(r.outcome) ?? '—'),
                    h('td', {}, r.branchId),
                    h('td', {}, when(r.createdAt)),
                    h('td', {}, when(r.signedAt)),
                    h(
                      'td',
                      {},
                      r.signedAt
                        ? h(
                            'button',
                            {
                              type: 'button',
                              class: 'button button-secondary button-small',
                              onclick: () => downloadPdf(r.consentId, r.patientName),
                            },
                            'Download',
                            h('span', { class: 'visually-hidden' }, ` the PDF of ${r.patientName}`),
                          )
                        : '—',
                    ),
                  ),
                ),
              ),
            ),
          )
        : null,
      nextCursor
        ? h(
            'div',
            { class: 'actions' },
            h(
              'button',
              { type: 'button', class: 'button button-secondary', onclick: () => load(nextCursor) },
              'Load more',
            ),
          )
        : null,
    );
  };
  await load(null);
}

// ------------------------------------------------------------------ verify

function viewVerify() {
  const input = /** @type {HTMLInputElement} */ (
    h('input', { class: 'input', id: 'verify-file', type: 'file', accept: 'application/pdf,.pdf' })
  );
  const result = h('div', { id: 'verify-result', 'aria-live': 'polite' });
  const form = h(
    'form',
    {
      class: 'card',
      novalidate: true,
      onsubmit: async (/** @type {Event} */ e) => {
        e.preventDefault();
        const file = input.files?.[0];
        setFieldError('verify-file', file ? null : 'Choose a PDF file.');
        if (!file) return void input.focus();
        replace(result, h('p', { class: 'loading' }, 'Checking…'));
        try {
          const res = await api('/verify', { raw: file, contentType: 'application/pdf' });
          replace(result, verifyResult(res));
        } catch (err) {
          replace(result, bannerNode({ kind: 'error', text: errorText(err) }));
        }
      },
    },
    field({
      id: 'verify-file',
      label: 'Consent PDF',
      input,
      hint: 'The file is checked against the archive by its fingerprint (SHA-256); nothing is stored.',
    }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button button-primary' }, 'Verify')),
  );
  show(
    'Verify a consent PDF',
    h('p', { class: 'lead' }, 'Check that a consent PDF is exactly a version the clinic issued, unchanged.'),
    form,
    result,
  );
}

/** @param {any} res */
function verifyResult(res) {
  if (!res.valid) {
    return h(
      'div',
      { class: 'banner banner-error', id: 'verify-outcome' },
      h('strong', {}, 'Not verified. '),
      'This file is not a PDF the clinic issued, or it has been changed since.',
    );
  }
  return h(
    'div',
    { class: 'banner banner-ok', id: 'verify-outcome' },
    h('strong', {}, 'Verified. '),
    res.isLatestVersion === false
      ? 'This PDF is exactly a version the clinic issued, but a newer version exists.'
      : 'This PDF is exactly the version the clinic issued.',
    h(
      'dl',
      { class: 'kv' },
      kv('Consent', res.consentId),
      kv('Version', `${res.version ?? '—'} (${String(res.kind ?? '').replace(/_/g, ' ')})`),
      kv('Issued', when(res.issuedAt)),
      kv(
        'Status',
        res.status ? (STATUS_LABELS[/** @type {keyof STATUS_LABELS} */ (res.status)] ?? res.status) : '—',
      ),
      kv('Countersigned', when(res.countersignedAt)),
    ),
  );
}

// ------------------------------------------------------------------ start

async function start() {
  if (signInMode === 'cognito') await completeCognitoSignIn();
  if (!session) loadSession();
  if (!session) await refreshSession();
  window.addEventListener('hashchange', () => {
    route();
    focusHeading();
  });
  route();
}

void start();
