import { ApiError, api } from './api.js';
import { refreshSession } from './clinic-auth-pkce.js';
import { alertBanner, announce } from './clinic-frame.js';
import { endSession, session } from './clinic-session.js';
import { route, setFlash } from './clinic-state.js';
import { h } from './dom.js';

/** @import { TreatmentLabels } from './api-types.js' */

/** The /clinic/* API with the staff bearer token, the treatment labels, error texts and the PDF download. */

/** The treatment template's labels (questions, rules, risks), by treatment id. @type {Record<string, TreatmentLabels>} */
const templates = {};

/**
 * The API with the bearer token; a 401 ends the session and shows the sign-in form.
 * @param {string} url
 * @param {Parameters<typeof api>[1]} [opts]
 */
export async function staffApi(url, opts = {}) {
  // An ID token lives an hour: renew it shortly before it runs out (Cognito), rather than fail a save.
  if (session && session.exp * 1000 < Date.now() + 60_000) await refreshSession();
  try {
    return await api(url, { ...opts, token: session?.token });
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      if (await refreshSession()) return api(url, { ...opts, token: session?.token });
      endSession();
      setFlash({ kind: 'info', text: 'Your session has ended. Please sign in again.' });
      route();
    }
    throw err;
  }
}

/**
 * @param {string} treatmentId
 * @returns {Promise<TreatmentLabels>}
 */
export async function template(treatmentId) {
  templates[treatmentId] ??= /** @type {TreatmentLabels} */ (
    await api(`/assets/treatment-${treatmentId}.json`)
  );
  return templates[treatmentId];
}

/** @param {unknown} err */
export function errorText(err) {
  if (!(err instanceof ApiError)) return 'Something went wrong. Please try again.';
  if (err.status === 0) return 'The server could not be reached. Check the connection and try again.';
  if (err.status === 403) return `Not allowed: ${err.message}`;
  // The API's 503 (a dependency down or throttling) and any 429, including API Gateway's own.
  if (err.status === 503)
    return 'The service is busy for a moment. Nothing was changed; please try again in a moment.';
  if (err.status === 429) return 'Too many requests in a short time. Please wait a moment and try again.';
  return err.message || `The request failed (${err.status}).`;
}

/**
 * Downloads the latest PDF with the bearer token (a plain link cannot send it).
 * @param {string} consentId
 * @param {string} patientName
 */
export async function downloadPdf(consentId, patientName) {
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
    setFlash(null);
    alertBanner(errorText(err));
  }
}
