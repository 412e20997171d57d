import { ApiError } from './api.js';
import { errorText, staffApi } from './clinic-api.js';
import { field, focusHeading, setFieldError } from './clinic-frame.js';
import { setFlash } from './clinic-state.js';
import { focusTarget, h } from './dom.js';
import { createSignatureField } from './signature.js';

/** @import { ConsentDetail, Finding } from './api-types.js' */

/** The doctor's two actions on a consent awaiting countersignature: countersign or decline. */

/**
 * The doctor's two actions: countersign (notes + signature) or decline with a reason.
 * @param {ConsentDetail} d
 * @param {Finding[]} findings
 * @param {Record<string, HTMLTextAreaElement>} notes
 * @param {() => Promise<void>} reload shows the record again (after countersigning or declining)
 */
export function countersignForms(d, findings, notes, reload) {
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
          setFlash({
            kind: 'ok',
            text: 'Countersigned. The final PDF is being e-mailed to the patient and the clinic archive.',
          });
          await reload();
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
          setFlash({ kind: 'info', text: 'Declined. The patient will not be treated under this consent.' });
          await reload();
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
