import { ApiError } from './api.js';
import { errorText, staffApi } from './clinic-api.js';
import { when } from './clinic-format.js';
import { field, setFieldError, show } from './clinic-frame.js';
import { focusTarget, h, replace } from './dom.js';

/** @import { ConsentPage, InviteCreated } from './api-types.js' */

/** #/invite: create an intake link for a patient, then copy it or hand it off with WhatsApp. */

/** Branch ids seen in the clinic's records, offered as suggestions (there is no branch list API yet). */
async function knownBranches() {
  try {
    const res = /** @type {ConsentPage} */ (await staffApi('/clinic/consents?limit=100'));
    return [...new Set(res.items.map((i) => i.branchId).filter(Boolean))].sort();
  } catch {
    return [];
  }
}

export function viewInvite() {
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
      const res = /** @type {InviteCreated} */ (await staffApi('/clinic/invites', { body }));
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
 * @param {InviteCreated} res
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
