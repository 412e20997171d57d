/** The dashboard's page-wide state: its DOM roots, how staff sign in, the flash message, the router hook. */

export const app = /** @type {HTMLElement} */ (document.getElementById('app'));
export const topbar = /** @type {HTMLElement} */ (document.getElementById('topbar'));
export const announcer = /** @type {HTMLElement} */ (document.getElementById('announcer'));
export const signInMode = topbar.dataset.signIn === 'cognito' ? 'cognito' : 'local';

/** A message to show once on the next screen. @type {{kind: 'ok' | 'error' | 'info', text: string} | null} */
export let flash = null;

/** @param {{kind: 'ok' | 'error' | 'info', text: string} | null} next */
export function setFlash(next) {
  flash = next;
}

/** @type {() => void} */
let router = () => {};

/** Registers the router (clinic.js), so screens can re-route without importing it. */
export function setRouter(/** @type {() => void} */ fn) {
  router = fn;
}

/** Shows the screen of the current hash (and the top bar). */
export function route() {
  router();
}
