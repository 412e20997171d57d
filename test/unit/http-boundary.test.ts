import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ConflictError,
  LinkExpiredError,
  ReviewIncompleteError,
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
      [new UnavailableError(), 503, 'unavailable'],
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
