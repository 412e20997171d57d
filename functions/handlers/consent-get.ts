import * as z from 'zod';
import { clock, consentStore } from '../adapters/runtime';
import { NotFoundError } from '../domain/errors';
import { ULID_PATTERN } from '../domain/ids';
import { type HttpEvent, type HttpResult, httpHandler, json, pathParam } from '../http/api';
import { authenticateStaff } from '../http/auth';
import { consentDetail } from '../workflow/clinic';

export const consentIdSchema = z.string().regex(ULID_PATTERN);

/** A malformed id cannot name a record: 404, like an unknown one. */
export function consentIdParam(event: HttpEvent): string {
  const parsed = consentIdSchema.safeParse(pathParam(event, 'consentId'));
  if (!parsed.success) throw new NotFoundError('No such consent in your clinic.');
  return parsed.data;
}

/** GET /clinic/consents/{consentId}: answers, screening, signatures, audit events, pdfSha256. */
export async function getConsent(event: HttpEvent): Promise<HttpResult> {
  const staff = await authenticateStaff(event);
  return json(200, await consentDetail({ store: consentStore(), clock }, staff, consentIdParam(event)));
}

export const handler = httpHandler(getConsent, { route: 'consent-get' });
