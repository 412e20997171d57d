import type { Locale } from '../../functions/domain/template';
import ui from '../i18n/ui.json' with { type: 'json' };

/**
 * Page shells. The pages carry no inline script and no style attributes (strict CSP): the HTML loads
 * an ES module from /assets/ (no build step), which fetches its data as JSON and builds the page. The
 * shell contains no patient data at all; configuration the dashboard needs (how staff sign in) travels
 * as data attributes.
 */
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * Each page's entry module (first) and every module it imports, directly or not. The shell preloads
 * them all (`<link rel="modulepreload">`), so the browser fetches the graph in parallel instead of
 * discovering it one import at a time. test/unit/page-modules.test.ts checks these lists against the
 * scripts' import statements: a module added to a page without being listed here fails it.
 */
export const PAGE_MODULES = {
  intake: [
    'intake.js',
    'api.js',
    'dom.js',
    'intake-consent.js',
    'intake-fields.js',
    'intake-frame.js',
    'intake-nav.js',
    'intake-progress.js',
    'intake-result.js',
    'intake-state.js',
    'intake-steps.js',
    'intake-validation.js',
    'signature.js',
    'signature_pad.min.js',
  ],
  clinic: [
    'clinic.js',
    'api.js',
    'clinic-api.js',
    'clinic-archive.js',
    'clinic-auth-pkce.js',
    'clinic-consent.js',
    'clinic-countersign.js',
    'clinic-format.js',
    'clinic-frame.js',
    'clinic-invite.js',
    'clinic-queue.js',
    'clinic-session.js',
    'clinic-sign-in.js',
    'clinic-state.js',
    'clinic-verify.js',
    'dom.js',
    'signature.js',
    'signature_pad.min.js',
  ],
} as const satisfies Record<string, readonly string[]>;

/** The stylesheets, in cascade order; every page loads all of them (the dashboard reuses the signature field). */
export const STYLESHEETS = ['app.css', 'app-controls.css', 'app-intake.css', 'app-clinic.css'] as const;

interface ShellOptions {
  locale: Locale;
  title: string;
  body: string;
  /** The page's script: its entry module, loaded with its imports preloaded. */
  page?: keyof typeof PAGE_MODULES;
  bodyClass?: string;
}

function shell(opts: ShellOptions): string {
  const dir = opts.locale === 'ar' ? 'rtl' : 'ltr';
  const modules = opts.page ? PAGE_MODULES[opts.page] : [];
  const preload = modules.map((m) => `\n<link rel="modulepreload" href="/assets/${m}">`).join('');
  const scripts = modules.length ? `<script type="module" src="/assets/${modules[0]}"></script>` : '';
  return `<!doctype html>
<html lang="${opts.locale}" dir="${dir}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex, nofollow">
<meta name="color-scheme" content="light">
<link rel="icon" href="data:,">
<title>${esc(opts.title)}</title>
${STYLESHEETS.map((s) => `<link rel="stylesheet" href="/assets/${s}">`).join('\n')}${preload}
</head>
<body${opts.bodyClass ? ` class="${opts.bodyClass}"` : ''}>
${opts.body}
${scripts}
</body>
</html>`;
}

/** The patient's page; intake.js fills it from GET /intake/{token} (JSON). */
export function intakePage(opts: { locale: Locale }): string {
  const t = ui[opts.locale];
  const body = `<header id="topbar" class="topbar"></header>
<main id="app" class="page" tabindex="-1">
<p class="loading">${esc(t['page.loading'])}</p>
<noscript><p class="banner banner-error">${esc(t.noscript)}</p></noscript>
</main>
<div id="announcer" class="visually-hidden" role="status" aria-live="polite"></div>`;
  return shell({
    locale: opts.locale,
    title: t['page.title'],
    body,
    bodyClass: 'intake',
    page: 'intake',
  });
}

/**
 * How staff sign in. `local`: the local stack's POST /local/login. `cognito`: the Cognito hosted UI
 * (OAuth 2.0 authorization code with PKCE; the page exchanges the code at the hosted UI's token endpoint,
 * which is why the dashboard's CSP adds that one origin to `connect-src`, see clinic-page.ts).
 */
export type StaffSignIn = { mode: 'local' } | { mode: 'cognito'; domain: string; clientId: string };

/** The clinic dashboard; clinic.js signs in and calls the /clinic/* API. */
export function clinicPage(opts: { signIn?: StaffSignIn } = {}): string {
  const signIn = opts.signIn ?? { mode: 'local' };
  const data =
    signIn.mode === 'cognito'
      ? ` data-sign-in="cognito" data-cognito-domain="${esc(signIn.domain)}" data-cognito-client-id="${esc(signIn.clientId)}"`
      : ' data-sign-in="local"';
  const body = `<header id="topbar" class="topbar topbar-clinic"${data}></header>
<main id="app" class="page page-wide" tabindex="-1">
<p class="loading">Loading…</p>
<noscript><p class="banner banner-error">The dashboard needs JavaScript.</p></noscript>
</main>
<div id="announcer" class="visually-hidden" role="status" aria-live="polite"></div>`;
  return shell({
    locale: 'en',
    title: 'Clinic dashboard',
    body,
    bodyClass: 'clinic',
    page: 'clinic',
  });
}

const ERRORS: Record<string, { en: string; ar: string }> = {
  not_found: { en: ui.en['error.notFound'], ar: ui.ar['error.notFound'] },
  link_expired: { en: ui.en['error.expired'], ar: ui.ar['error.expired'] },
  throttled: { en: ui.en['error.throttled'], ar: ui.ar['error.throttled'] },
  service_unavailable: { en: ui.en['page.unavailable'], ar: ui.ar['page.unavailable'] },
};

const TITLES: Record<string, { en: string; ar: string }> = {
  throttled: { en: 'Please wait', ar: 'يُرجى الانتظار' },
  service_unavailable: { en: 'Please try again in a moment', ar: 'يُرجى المحاولة بعد لحظات' },
};

/**
 * The page a patient's link shows instead of the form (404, 410, 429, 503), in both languages: for a 429
 * or a 503 the server may not know the invite's language (the table may be what is down), so `locale`
 * (the invite's when known, else the browser's Accept-Language) comes first and the other follows.
 */
export function errorPage(status: number, code: string, locale: Locale = 'en'): string {
  const text = ERRORS[code] ?? { en: 'Something went wrong.', ar: 'حدث خطأ ما.' };
  const other: Locale = locale === 'ar' ? 'en' : 'ar';
  const dir = (l: Locale) => (l === 'ar' ? 'rtl' : 'ltr');
  const title =
    TITLES[code]?.[locale] ?? (status === 410 ? 'Link expired' : status === 404 ? 'Link not valid' : 'Error');
  const retry =
    status === 503 || status === 429
      ? `\n<p><a class="button" href="">${esc(ui[locale]['page.retry'])}</a></p>`
      : '';
  return shell({
    locale,
    title,
    body: `<main class="page"><h1>${esc(text[locale])}</h1><p lang="${other}" dir="${dir(other)}">${esc(text[other])}</p>${retry}</main>`,
  });
}
