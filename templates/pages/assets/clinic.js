import { viewArchive } from './clinic-archive.js';
import { completeCognitoSignIn, refreshSession } from './clinic-auth-pkce.js';
import { viewConsent } from './clinic-consent.js';
import { focusHeading, renderTopbar, show } from './clinic-frame.js';
import { viewInvite } from './clinic-invite.js';
import { viewQueue } from './clinic-queue.js';
import { hasRole, loadSession, session } from './clinic-session.js';
import { viewSignIn } from './clinic-sign-in.js';
import { setRouter, signInMode } from './clinic-state.js';
import { viewVerify } from './clinic-verify.js';
import { h } from './dom.js';

/**
 * The clinic dashboard (GET /clinic). Hash routes: #/invite (create an intake link), #/queue (doctor:
 * consents awaiting countersignature), #/consents/<id> (read, note findings, countersign or decline),
 * #/archive (search, download), #/verify (check a PDF; works without signing in, the final e-mail links
 * here). Staff sign in locally through POST /local/login, in AWS through the Cognito hosted UI
 * (authorization code with PKCE); the ID token (the API's bearer) and Cognito's refresh token are kept in
 * sessionStorage, so they are gone when the tab closes.
 */

/** Shows the screen of the current hash (registered as the router: screens re-route through it). */
function renderRoute() {
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

setRouter(renderRoute);

async function start() {
  if (signInMode === 'cognito') await completeCognitoSignIn();
  if (!session) loadSession();
  if (!session) await refreshSession();
  window.addEventListener('hashchange', () => {
    renderRoute();
    focusHeading();
  });
  renderRoute();
}

void start();
