import type { Context } from 'aws-lambda';
import { route } from '../../infra/routes';
import { errorPage, intakePage } from '../../templates/pages/render';
import { runtimeDeps } from '../adapters/runtime';
import { DomainError } from '../domain/errors';
import { type HttpEvent, type HttpResult, header, html, httpHandler, json, requestMeta } from '../http/api';
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
  } catch (err) {
    if (err instanceof DomainError) return html(err.status, errorPage(err.status, err.code));
    throw err;
  }
}

export const handler = httpHandler(
  (event: HttpEvent, _context: Context) => getIntake(event),
  route('intake-page'),
);
