import { readFileSync } from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';
import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type * as z from 'zod';
import { countersignRequestSchema, inviteRequestSchema } from '../../functions/contract/clinic';
import { GENERATED, generate } from '../../functions/contract/generate';
import { contract } from '../../functions/contract/index';
import { answersRequestSchema, signatureRequestSchema } from '../../functions/contract/intake';
import { loginRequestSchema } from '../../functions/contract/public';
import { routes } from '../../infra/routes';

/** The API describes itself: docs/openapi.json is generated from infra/routes.ts and functions/contract/. */
// biome-ignore lint/suspicious/noExplicitAny: a parsed JSON document
type Json = Record<string, any>;
const doc = JSON.parse(readFileSync(GENERATED.document, 'utf8')) as Json;
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

describe('the OpenAPI document', () => {
  it('has a contract entry for every route of the route table, and none for a route that does not exist', () => {
    // local-login too: it is served (locally), so it is described, marked `x-local-only`.
    expect(Object.keys(contract).sort()).toEqual(routes.map((r) => r.id).sort());
  });

  it('describes every route, under its path and method, with its auth', () => {
    const ops = Object.entries(doc.paths as Json).flatMap(([path, item]) =>
      Object.entries(item as Json).map(([method, op]) => ({ path, method, op: op as Json })),
    );
    expect(ops).toHaveLength(routes.length);
    for (const r of routes) {
      const op = doc.paths[r.path]?.[r.method.toLowerCase()];
      expect(op, r.id).toBeDefined();
      expect(op.operationId).toBe(r.id);
      expect(op['x-auth']).toBe(r.auth);
      expect(op.security).toEqual(r.auth === 'staff' ? [{ staffJwt: [] }] : []);
      expect(
        Object.keys(op.responses).some((s) => s.startsWith('2')),
        r.id,
      ).toBe(true);
      if (r.method === 'POST' && r.id !== 'revoke-link') expect(op.requestBody, r.id).toBeDefined();
    }
  });

  it('is the committed file: `npm run openapi` regenerates docs/openapi.json and docs/api-reference.md', () => {
    const fresh = generate();
    expect(readFileSync(GENERATED.document, 'utf8'), 'run `npm run openapi`').toBe(fresh.document);
    expect(readFileSync(GENERATED.reference, 'utf8'), 'run `npm run openapi`').toBe(fresh.reference);
  });

  it('validates against the official OpenAPI 3.1 schema', async () => {
    const result = await new Validator().validate(structuredClone(doc));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(doc.openapi).toBe('3.1.0');
  });

  it('resolves every $ref and declares every path parameter', () => {
    const refs: string[] = [];
    const walk = (v: unknown) => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object')
        for (const [k, x] of Object.entries(v)) k === '$ref' ? refs.push(x as string) : walk(x);
    };
    walk(doc);
    expect(refs.length).toBeGreaterThan(20);
    for (const ref of refs) {
      expect(ref, ref).toMatch(/^#\/components\/schemas\/[A-Za-z]+$/);
      expect(doc.components.schemas[ref.split('/').at(-1) as string], ref).toBeDefined();
    }
    for (const [path, item] of Object.entries(doc.paths as Json)) {
      const names = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      for (const method of METHODS.filter((m) => item[m])) {
        const declared = (item[method].parameters ?? []).filter((p: Json) => p.in === 'path');
        expect(declared.map((p: Json) => p.name).sort(), `${method} ${path}`).toEqual(names.sort());
        for (const p of declared) expect(p.required).toBe(true);
      }
    }
  });

  it('describes the API.md error shape for every error status, and binary bodies with their media type', () => {
    expect(doc.components.schemas.Error.required).toEqual(['error', 'message']);
    for (const item of Object.values(doc.paths as Json))
      for (const op of Object.values(item as Json))
        for (const [status, r] of Object.entries(op.responses as Json))
          if (Number(status) >= 400)
            expect(r.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Error' });
    expect(doc.paths['/clinic/consents/{consentId}/pdf'].get.responses['200'].content).toHaveProperty(
      'application/pdf',
    );
    expect(doc.paths['/verify'].post.requestBody.content).toHaveProperty('application/pdf');
    expect(Object.keys(doc.paths['/intake/{token}'].get.responses['200'].content)).toEqual([
      'text/html',
      'application/json',
    ]);
    const signed = doc.components.schemas.SignatureResult;
    expect(signed.required).toEqual(expect.arrayContaining(['consentId', 'status', 'pdfSha256']));
  });
});

describe('the request schemas of the contract', () => {
  const sample = (id: string) => JSON.parse(JSON.parse(readFileSync(`events/${id}.json`, 'utf8')).body);
  const cases: Array<[string, z.ZodType]> = [
    ['intake-answers', answersRequestSchema],
    ['intake-signature', signatureRequestSchema],
    ['invites-create', inviteRequestSchema],
    ['consent-countersign', countersignRequestSchema],
    ['local-login', loginRequestSchema],
  ];
  it.each(cases)('accept the sample request of events/%s.json', (id, schema) => {
    const parsed = schema.safeParse(sample(id));
    expect(parsed.error?.issues ?? []).toEqual([]);
    expect(contract[id]?.request).toBe(schema);
  });
  it('refuse what API.md refuses', () => {
    const body = sample('intake-signature');
    expect(signatureRequestSchema.safeParse({ ...body, agreeToTreatment: false }).success).toBe(false);
    expect(inviteRequestSchema.safeParse({ treatmentId: 'mesotherapy' }).success).toBe(false);
  });
});

describe('GET /openapi.json', () => {
  it('serves the committed document, public and cacheable', async () => {
    const { handler } = await import('../../functions/handlers/openapi');
    const event = JSON.parse(readFileSync('events/openapi.json', 'utf8'));
    const res = await handler(event, { awsRequestId: 'r', functionName: 'openapi' } as Context);
    expect(res.statusCode).toBe(200);
    expect(res.headers?.['cache-control']).toBe('public, max-age=300');
    expect(res.headers?.['content-type']).toMatch(/^application\/json/);
    expect(res.headers?.['x-content-type-options']).toBe('nosniff');
    expect(JSON.parse(res.body ?? '')).toEqual(doc);
  });
});
