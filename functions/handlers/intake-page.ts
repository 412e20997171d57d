import type { Context } from 'aws-lambda';
import { route } from '../../infra/routes';
import { errorPage, intakePage } from '../../templates/pages/render';
import { runtimeDeps } from '../adapters/runtime';
import type { Locale } from '../domain/template';
import {
  asDomainError,
  type HttpEvent,
  type HttpResult,
  header,
  html,
  httpHandler,
  json,
  requestMeta,
  retryHeaders,
} from '../http/api';
import { tokenParam } from '../http/params';
import { openIntake, recordLinkOpened } from '../workflow/intake';
import { intakeView } from '../workflow/intake-view';

/**
 * GET /intake/{token}: the patient's page (HTML), or with `Accept: application/json` the invite
 * and the bilingual form. Opening the JSON records a `link_opened` audit event.
 */
export async function getIntake(event: HttpEvent): Promise<HttpResult> {
  const wantsJson = (header(event, 'accept') ?? '').includes('application/json');
  const deps = runtimeDeps();
  if (wantsJson) {
    const ctx = await openIntake(deps, tokenParam(event), requestMeta(event));
    await recordLinkOpened(deps, ctx, requestMeta(event));
    return json(200, intakeView(ctx));
  }
  try {
    const ctx = await openIntake(deps, tokenParam(event), requestMeta(event));
    return html(200, intakePage({ locale: ctx.consent.locale }));
  } catch (caught) {
    // Unknown, expired, throttled or the table unreachable: a page the patient can read, not JSON.
    const err = asDomainError(caught);
    if (!err) throw caught;
    const page = html(err.status, errorPage(err.status, err.code, browserLocale(event)));
    page.headers = { ...page.headers, ...retryHeaders(err) };
    return page;
  }
}

/** The browser's first choice of our two languages (Accept-Language); English when it names neither. */
export function browserLocale(event: HttpEvent): Locale {
  const ranked = (header(event, 'accept-language') ?? '')
    .split(',')
    .map((part) => {
      const [tag = '', ...params] = part.trim().toLowerCase().split(';');
      const q = Number(params.find((p) => p.trim().startsWith('q='))?.split('=')[1] ?? 1);
      return { lang: tag.split('-')[0], q: Number.isFinite(q) ? q : 0 };
    })
    .filter((x) => x.lang === 'ar' || x.lang === 'en')
    .sort((a, b) => b.q - a.q);
  return ranked[0]?.lang === 'ar' ? 'ar' : 'en';
}

export const handler = httpHandler(
  (event: HttpEvent, _context: Context) => getIntake(event),
  route('intake-page'),
);
