import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { z } from 'zod';
import type { RouteDef } from '../../infra/routes';
import { isUnavailable } from '../adapters/aws-errors';
import type { RequestMeta } from '../domain/audit';
import { DomainError, PayloadTooLargeError, UnavailableError, ValidationFailedError } from '../domain/errors';
import { issueTo } from '../workflow/issues';
import { logger } from './logger';
import { countBusinessEvent } from './metrics';

export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResult = APIGatewayProxyStructuredResultV2;

/** Sent on every response, JSON and HTML alike. */
export const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
  'strict-transport-security': 'max-age=63072000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
};

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(body),
  };
}

export function html(statusCode: number, body: string): HttpResult {
  return { statusCode, headers: { 'content-type': 'text/html; charset=utf-8' }, body };
}

export function pdf(bytes: Uint8Array, filename: string): HttpResult {
  return {
    statusCode: 200,
    headers: {
      'content-type': 'application/pdf',
      'content-disposition': `attachment; filename="${filename}"`,
    },
    body: Buffer.from(bytes).toString('base64'),
    isBase64Encoded: true,
  };
}

export function errorBody(err: DomainError) {
  return { error: err.code, message: err.message, ...(err.issues ? { issues: err.issues } : {}) };
}

/** `Retry-After` for a 429 or 503 (the seconds the error says), nothing for other errors. */
export function retryHeaders(err: DomainError): Record<string, string> {
  return err.retryAfterSeconds ? { 'retry-after': String(err.retryAfterSeconds) } : {};
}

/**
 * A typed error as it is, and a dependency failure that reached the boundary untranslated (an SDK
 * timeout, a refused connection, KMS throttling …) as the 503 it is; anything else stays unexpected.
 */
export function asDomainError(err: unknown): DomainError | undefined {
  if (err instanceof DomainError) return err;
  if (isUnavailable(err)) return new UnavailableError();
  return undefined;
}

export function header(event: HttpEvent, name: string): string | undefined {
  const h = event.headers ?? {};
  return (
    h[name] ??
    h[name.toLowerCase()] ??
    Object.entries(h).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1]
  );
}

export function requestMeta(event: HttpEvent): RequestMeta {
  return {
    ip: event.requestContext?.http?.sourceIp ?? 'unknown',
    userAgent: event.requestContext?.http?.userAgent ?? header(event, 'user-agent') ?? 'unknown',
  };
}

export function rawBody(event: HttpEvent): Buffer {
  if (!event.body) return Buffer.alloc(0);
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
}

/**
 * The body exactly as the client sent it, or undefined when that cannot be known. API Gateway base64-encodes
 * every body whose content type is not text-like (infra/local/server.ts does the same), so those bytes are
 * exact whatever the type claims (`application/x-www-form-urlencoded`, `application/octet-stream`, none).
 * A text-typed body (`text/plain`, JSON, XML) arrives as a decoded string: bytes that were not UTF-8 are
 * already lost, so only a pure-ASCII string gives back the bytes (every decoder maps ASCII to itself).
 */
export function exactBody(event: HttpEvent): Buffer | undefined {
  if (!event.body || event.isBase64Encoded) return rawBody(event);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the whole 7-bit range is the point.
  return /^[\u0000-\u007f]*$/.test(event.body) ? Buffer.from(event.body, 'latin1') : undefined;
}

/** The body as JSON; anything else is a 400 in the API.md shape. */
export function jsonBody(event: HttpEvent): unknown {
  const text = rawBody(event).toString('utf8');
  if (!text.trim()) {
    throw new ValidationFailedError('The request body must be a JSON object.', [
      { path: '', message: 'Body is empty' },
    ]);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ValidationFailedError('The request body is not valid JSON.', [
      { path: '', message: 'Invalid JSON' },
    ]);
  }
}

export function parseWith<S extends z.ZodType>(
  schema: S,
  value: unknown,
  message = 'The request is not valid.',
): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ValidationFailedError(message, issueTo('', parsed.error));
  return parsed.data;
}

/**
 * Reads the body as JSON now (400 if it is not JSON) and returns the schema check for later: patient
 * routes check the link and its state between the two (the order of checks in docs/design.md).
 */
export function readJson(event: HttpEvent) {
  const body = jsonBody(event);
  return <S extends z.ZodType>(schema: S, message?: string): z.infer<S> => parseWith(schema, body, message);
}

/** The body as JSON, parsed with the route's request schema: 400 in the API.md shape otherwise. */
export function jsonRequest<S extends z.ZodType>(event: HttpEvent, schema: S, message?: string): z.infer<S> {
  return readJson(event)(schema, message);
}

export function pathParam(event: HttpEvent, name: string): string {
  return event.pathParameters?.[name] ?? '';
}

/**
 * What the boundary takes from the route's entry in the route table (infra/routes.ts): its id, for logs
 * and metrics, its largest accepted body (decoded bytes; bigger → 413 before any parsing) and the
 * business metric a 2xx response counts.
 */
type Options = Pick<RouteDef, 'id' | 'maxBodyBytes' | 'metric'>;

/**
 * The HTTP middleware: correlation id and access log, body limit, typed errors → API.md shape,
 * security headers, the route's business metric on success. One middleware object so its
 * before/after/onError order is explicit.
 */
function httpBoundary(opts: Options): MiddlewareObj<HttpEvent, HttpResult> {
  const started = new WeakMap<object, number>();
  const metric = opts.metric;
  const finish = (request: { event: HttpEvent; response: HttpResult | null | undefined }) => {
    const response =
      request.response ?? json(500, { error: 'internal_error', message: 'Something went wrong.' });
    response.headers = { ...SECURITY_HEADERS, ...(response.headers ?? {}) };
    request.response = response;
    const t0 = started.get(request.event);
    logger.info('request', {
      route: opts.id,
      method: request.event.requestContext?.http?.method,
      status: response.statusCode,
      durationMs: t0 ? Math.round(performance.now() - t0) : undefined,
    });
    const status = response.statusCode ?? 500;
    if (metric && status >= 200 && status < 300) countBusinessEvent(metric);
  };
  return {
    before: (request) => {
      started.set(request.event, performance.now());
      const correlationId =
        header(request.event, 'x-correlation-id') ?? request.event.requestContext?.requestId;
      if (correlationId) logger.setCorrelationId(String(correlationId).slice(0, 100));
      const limit = opts.maxBodyBytes ?? 64 * 1024;
      const body = request.event.body ?? '';
      const size = request.event.isBase64Encoded
        ? Math.floor((body.length * 3) / 4)
        : Buffer.byteLength(body);
      if (size > limit)
        throw new PayloadTooLargeError(`The request body is larger than ${Math.round(limit / 1024)} KB.`);
    },
    after: (request) => finish(request),
    onError: (request) => {
      const err = asDomainError(request.error);
      if (err) {
        request.response = json(err.status, errorBody(err), retryHeaders(err));
        if (err.status >= 500)
          logger.warn('unavailable', { route: opts.id, error: (request.error as Error)?.name });
      } else {
        const raw = request.error;
        logger.error('unhandled error', {
          route: opts.id,
          error: (raw as Error)?.name,
          stack: (raw as Error)?.stack,
        });
        request.response = json(500, {
          error: 'internal_error',
          message: 'Something went wrong. Please try again.',
        });
      }
      finish(request);
    },
  };
}

export type RouteHandler = (event: HttpEvent, context: Context) => Promise<HttpResult>;

/** Wraps a plain handler for Lambda: `export const handler = httpHandler(fn, route('<route id>'))`. */
export function httpHandler(fn: RouteHandler, opts: Options) {
  return middy<HttpEvent, HttpResult>(fn)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(httpBoundary(opts));
}
