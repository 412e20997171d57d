import * as z from 'zod';

/** The API.md error shape, with every code the HTTP boundary (functions/http/api.ts) sends. */
export const ERRORS = {
  400: { code: 'validation_failed', when: 'The body is not JSON, or fails the schema (with `issues`).' },
  401: { code: 'unauthorized', when: 'A clinic route without a valid bearer token.' },
  403: { code: 'forbidden', when: "Wrong role, or another clinic's record." },
  404: { code: 'not_found', when: 'Unknown token, consent or file.' },
  409: {
    code: 'conflict',
    when: 'The action does not fit the current state (already signed, ineligible, …).',
  },
  410: { code: 'link_expired', when: 'The intake link is past its expiry, or was revoked.' },
  413: { code: 'payload_too_large', when: 'The body is over the limit (e.g. a huge signature image).' },
  415: {
    code: 'unsupported_media_type',
    when: '`/verify` with a body sent as text (e.g. `text/plain`), whose bytes may have been changed on the way: send `Content-Type: application/pdf`.',
  },
  422: {
    code: 'review_incomplete',
    when: 'Countersign without a note for every `review` finding (with `issues`).',
  },
  429: {
    code: 'throttled',
    when: 'Rate limit; `Retry-After` is the number of seconds until the counting window ends.',
  },
  500: { code: 'internal_error', when: 'An unexpected error; the body reveals nothing more.' },
  503: {
    code: 'service_unavailable',
    when: 'A dependency (DynamoDB, SES, KMS) is down, timing out or throttling; nothing was changed, safe to retry after `Retry-After`.',
  },
} as const;

export type ErrorStatus = keyof typeof ERRORS;

const codes = Object.values(ERRORS).map((e) => e.code) as [string, ...string[]];

export const validationIssueSchema = z
  .object({
    path: z.string().meta({
      description: 'Dotted path into the request, e.g. `answers.pregnant`; empty for the whole body.',
    }),
    message: z.string(),
  })
  .meta({ id: 'ValidationIssue', description: 'One problem with the request.' });

export const errorSchema = z
  .object({
    error: z.enum(codes).meta({ description: 'Machine-readable code, fixed per status.' }),
    message: z.string().meta({ description: 'A human sentence; never a stack trace.' }),
    issues: z.array(validationIssueSchema).optional().meta({ description: 'Only for 400 and 422.' }),
  })
  .meta({ id: 'Error', description: 'Every error response (API.md).' });

/** The error responses of a route: each status answers with the Error shape. */
export function errors(...statuses: ErrorStatus[]): Partial<Record<ErrorStatus, typeof errorSchema>> {
  return Object.fromEntries(statuses.map((s) => [s, errorSchema]));
}
