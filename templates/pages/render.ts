import type { Locale } from '../../functions/domain/template';

/**
 * Page shells. The pages carry no inline script (strict CSP): the HTML loads /assets/*.js, which
 * fetches its data as JSON. Text is escaped; the shell contains no patient data at all.
 */
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function shell(locale: Locale, title: string, body: string, script?: string): string {
  const dir = locale === 'ar' ? 'rtl' : 'ltr';
  return `<!doctype html>
<html lang="${locale}" dir="${dir}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${esc(title)}</title>
<link rel="stylesheet" href="/assets/app.css">
</head>
<body>
${body}
${script ? `<script src="/assets/${script}" defer></script>` : ''}
</body>
</html>`;
}

export function intakePage(opts: { locale: Locale }): string {
  const title = opts.locale === 'ar' ? 'نموذج الموافقة' : 'Consent form';
  return shell(opts.locale, title, '<main id="app" aria-live="polite"><p>…</p></main>', 'intake.js');
}

export function clinicPage(): string {
  return shell('en', 'Clinic dashboard', '<main id="app" aria-live="polite"><p>Loading…</p></main>', 'clinic.js');
}

const ERRORS: Record<string, { en: string; ar: string }> = {
  not_found: {
    en: 'This link is not valid. Please check it, or ask the clinic for a new one.',
    ar: 'هذا الرابط غير صالح. يُرجى التأكد منه أو طلب رابط جديد من العيادة.',
  },
  link_expired: {
    en: 'This link has expired. Please ask the clinic for a new one.',
    ar: 'انتهت صلاحية هذا الرابط. يُرجى طلب رابط جديد من العيادة.',
  },
};

export function errorPage(status: number, code: string): string {
  const text = ERRORS[code] ?? { en: 'Something went wrong.', ar: 'حدث خطأ ما.' };
  return shell(
    'en',
    `${status}`,
    `<main><h1>${esc(text.en)}</h1><p lang="ar" dir="rtl">${esc(text.ar)}</p></main>`,
  );
}
