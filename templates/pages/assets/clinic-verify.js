import { api } from './api.js';
import { errorText } from './clinic-api.js';
import { kv, STATUS_LABELS, when } from './clinic-format.js';
import { bannerNode, field, setFieldError, show } from './clinic-frame.js';
import { h, replace } from './dom.js';

/** @import { VerifyResult, VerifySeal } from './api-types.js' */

/** #/verify: check a PDF against the archive (works without signing in; the final e-mail links here). */

export function viewVerify() {
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
          const res = /** @type {VerifyResult} */ (
            await api('/verify', { raw: file, contentType: 'application/pdf' })
          );
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

/**
 * The seal in people's words. An intact seal made with someone else's certificate (a forger can give theirs
 * the clinic's name) is the one to warn about: it looks sealed, but proves nothing about this clinic.
 * @param {VerifySeal | undefined} seal
 */
function sealNote(seal) {
  if (!seal?.present) return null;
  if (seal.trusted) {
    return h(
      'p',
      { class: 'seal-note', id: 'verify-seal' },
      "Sealed by this clinic's certificate, unchanged since.",
    );
  }
  if (seal.intact) {
    return h(
      'p',
      { class: 'seal-note seal-untrusted', id: 'verify-seal' },
      h('strong', {}, 'Sealed, but not by this clinic — do not rely on it. '),
      'The seal ',
      // The name is the forger's to choose: shown isolated, as text, and not believed.
      seal.signer ? h('span', {}, '(', h('bdi', {}, seal.signer), ') ') : null,
      "was made with a certificate that is not this clinic's, whatever name it shows.",
    );
  }
  return h(
    'p',
    { class: 'seal-note seal-untrusted', id: 'verify-seal' },
    h('strong', {}, 'The seal is broken. '),
    'The file was changed after it was sealed.',
  );
}

/** @param {VerifyResult} res */
function verifyResult(res) {
  if (!res.valid) {
    return h(
      'div',
      { class: 'banner banner-error', id: 'verify-outcome' },
      h('strong', {}, 'Not verified. '),
      'This file is not a PDF the clinic issued, or it has been changed since.',
      sealNote(res.seal),
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
    // The exact-hash match is the authority here; the seal note only adds that it is this clinic's seal.
    res.seal?.trusted ? sealNote(res.seal) : null,
  );
}
