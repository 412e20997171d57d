import * as z from 'zod';
import { route } from '../../infra/routes';
import { runtimeDeps } from '../adapters/runtime';
import { type HttpEvent, type HttpResult, httpHandler, json, parseWith } from '../http/api';
import { authenticateStaff } from '../http/auth';
import { listConsents } from '../workflow/consent-views';

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'Use YYYY-MM-DD')
  .refine((s) => !Number.isNaN(Date.parse(s)), 'Not a date');

export const listQuerySchema = z
  .object({
    status: z.enum(['invited', 'answered', 'awaiting_countersign', 'countersigned', 'declined']).optional(),
    from: day.optional(),
    to: day.optional(),
    q: z.string().trim().min(1).max(100).optional(),
    branchId: z.string().max(64).optional(),
    cursor: z.string().max(2000).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(50),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, {
    message: '`from` must not be after `to`',
    path: ['from'],
  });

/** GET /clinic/consents: the caller's clinic only, newest first; dates are UTC days. */
export async function getConsents(event: HttpEvent): Promise<HttpResult> {
  const staff = await authenticateStaff(event);
  const q = parseWith(listQuerySchema, event.queryStringParameters ?? {}, 'The search is not valid.');
  const query = {
    ...q,
    ...(q.from ? { from: `${q.from}T00:00:00.000Z` } : {}),
    ...(q.to ? { to: `${q.to}T23:59:59.999Z` } : {}),
  };
  const deps = runtimeDeps();
  return json(200, await listConsents(deps, staff, query));
}

export const handler = httpHandler(getConsents, route('consents-list'));
