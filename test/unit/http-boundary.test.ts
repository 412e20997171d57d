import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isUnavailable } from '../../functions/adapters/aws-errors';
import { translate } from '../../functions/adapters/dynamo-table';
import {
  ConflictError,
  LinkExpiredError,
  ReviewIncompleteError,
  ThrottledError,
  UnavailableError,
} from '../../functions/domain/errors';
import {
  type HttpEvent,
  httpHandler,
  json,
  jsonBody,
  parseWith,
  SECURITY_HEADERS,
} from '../../functions/http/api';

/** The middleware every route shares, wrapped around stub handlers in a real middy chain. */
const context = {
  functionName: 'test',
  awsRequestId: 'req-1',
  getRemainingTimeInMillis: () => 1000,
} as unknown as Context;

function event(body?: string, extra: Partial<HttpEvent> = {}): HttpEvent {
  return {
    version: '2.0',
    routeKey: 'POST /x',
    rawPath: '/x',
    rawQueryString: '',
    headers: { 'content-type': 'application/json' },
    requestContext: {
      http: { method: 'POST', path: '/x', sourceIp: '127.0.0.1', userAgent: 'vitest' },
      requestId: 'r1',
    },
    isBase64Encoded: false,
    ...(body !== undefined ? { body } : {}),
    ...extra,
  } as HttpEvent;
}

const schema = z.object({ name: z.string().min(1) });

describe('http boundary', () => {
  it('maps typed errors to the API.md shape with their status', async () => {
    for (const [err, status, code] of [
      [new ConflictError('already signed'), 409, 'conflict'],
      [new LinkExpiredError(), 410, 'link_expired'],
      [
        new ReviewIncompleteError('notes', [{ path: 'findingNotes.allergies', message: 'required' }]),
        422,
        'review_incomplete',
      ],
      [new UnavailableError(), 503, 'service_unavailable'],
    ] as const) {
      const h = httpHandler(async () => Promise.reject(err), { id: 't' });
      const res = await h(event('{}'), context);
      expect(res.statusCode).toBe(status);
      const body = JSON.parse(res.body ?? '{}');
      expect(body.error).toBe(code);
      expect(typeof body.message).toBe('string');
    }
  });

  it('turns unexpected errors into a 500 that reveals nothing', async () => {
    const h = httpHandler(
      async () => {
        throw new TypeError('secret internals at /var/task/index.js:1:2');
      },
      { id: 't' },
    );
    const res = await h(event('{}'), context);
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('secret');
    expect(res.body).not.toContain('index.js');
    expect(JSON.parse(res.body ?? '{}')).toEqual({ error: 'internal_error', message: expect.any(String) });
  });

  it('validates with zod into issues with paths, and rejects non-JSON', async () => {
    const h = httpHandler(async (e) => json(200, parseWith(schema, jsonBody(e))), { id: 't' });
    const bad = await h(event('{"name": ""}'), context);
    expect(bad.statusCode).toBe(400);
    expect(JSON.parse(bad.body ?? '{}')).toMatchObject({
      error: 'validation_failed',
      issues: [{ path: 'name' }],
    });
    const notJson = await h(event('<xml/>'), context);
    expect(JSON.parse(notJson.body ?? '{}').error).toBe('validation_failed');
    const ok = await h(event('{"name":"x"}'), context);
    expect(ok.statusCode).toBe(200);
  });

  it('refuses bodies over the route limit with 413 before the handler runs', async () => {
    let ran = false;
    const h = httpHandler(
      async () => {
        ran = true;
        return json(200, {});
      },
      { id: 't', maxBodyBytes: 1024 },
    );
    const res = await h(event('x'.repeat(2048)), context);
    expect(res.statusCode).toBe(413);
    expect(JSON.parse(res.body ?? '{}').error).toBe('payload_too_large');
    expect(ran).toBe(false);
  });

  it('adds the security headers to every response, errors included', async () => {
    const ok = await httpHandler(async () => json(200, {}), { id: 't' })(event('{}'), context);
    const err = await httpHandler(async () => Promise.reject(new ConflictError('x')), { id: 't' })(
      event('{}'),
      context,
    );
    for (const res of [ok, err]) {
      for (const [k, v] of Object.entries(SECURITY_HEADERS)) expect(res.headers?.[k]).toBe(v);
    }
    expect(SECURITY_HEADERS['content-security-policy']).toContain("object-src 'none'");
    expect(SECURITY_HEADERS['content-security-policy']).not.toContain('unsafe-inline');
  });
});

describe('a dependency that is down or throttling is a 503 with Retry-After, never a 500', () => {
  const cases: Array<[string, Error]> = [
    [
      'connection refused',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), { code: 'ECONNREFUSED' }),
    ],
    ['connection reset', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
    ['SDK request timeout', Object.assign(new Error('request timed out'), { name: 'TimeoutError' })],
    [
      'SDK 5xx',
      Object.assign(new Error('bad gateway'), { name: 'UnknownError', $metadata: { httpStatusCode: 502 } }),
    ],
    ['SES throttling', Object.assign(new Error('slow'), { name: 'TooManyRequestsException' })],
    ['KMS internal', Object.assign(new Error('x'), { name: 'KMSInternalException' })],
    [
      'throttling flagged by the SDK',
      Object.assign(new Error('x'), { name: 'Whatever', $retryable: { throttling: true } }),
    ],
  ];
  for (const [what, error] of cases) {
    it(`${what}: at the HTTP boundary and through the store's error mapping`, async () => {
      const res = await httpHandler(async () => Promise.reject(error), { id: 't' })(event('{}'), context);
      expect(res.statusCode).toBe(503);
      expect(JSON.parse(res.body ?? '{}')).toEqual({
        error: 'service_unavailable',
        message: expect.any(String),
      });
      expect(Number(res.headers?.['retry-after'])).toBeGreaterThan(0);
      expect(() => translate(error)).toThrow(UnavailableError);
      expect(isUnavailable(error)).toBe(true);
    });
  }

  it('a client mistake or a bug stays what it is', () => {
    expect(
      isUnavailable(
        Object.assign(new Error('x'), { name: 'ValidationException', $metadata: { httpStatusCode: 400 } }),
      ),
    ).toBe(false);
    expect(isUnavailable(new TypeError('x'))).toBe(false);
    expect(() => translate(Object.assign(new Error('x'), { name: 'ValidationException' }))).toThrow('x');
  });

  it('a 429 says the real wait', async () => {
    const res = await httpHandler(async () => Promise.reject(new ThrottledError(431.2)), { id: 't' })(
      event('{}'),
      context,
    );
    expect(res.statusCode).toBe(429);
    expect(res.headers?.['retry-after']).toBe('432');
  });
});
