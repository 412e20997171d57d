import { state, storeKey, view } from './intake-state.js';

/** @import { SavedProgress } from './intake-state.js' */

/** Saved progress: what the patient typed, in localStorage under a hash of the link token. */

const SAVE_VERSION = 1;

// ------------------------------------------------------------------ saved progress

/**
 * SHA-256 of a string, hex. Used to key saved progress by a hash of the link token, never the token.
 * @param {string} text
 */
export async function sha256Hex(text) {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

export function save() {
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
export function saveSoon() {
  clearTimeout(saveTimer);
  saveTimer = window.setTimeout(save, 150);
}

/** @returns {SavedProgress | null} */
export function loadSaved() {
  try {
    const raw = localStorage.getItem(storeKey);
    if (!raw) return null;
    const saved = /** @type {SavedProgress | null} */ (JSON.parse(raw));
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

export function clearSaved() {
  clearTimeout(saveTimer);
  try {
    localStorage.removeItem(storeKey);
  } catch {
    // nothing to clear
  }
}
