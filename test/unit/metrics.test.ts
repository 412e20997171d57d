import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../functions/domain/errors';
import { type HttpEvent, httpHandler, json } from '../../functions/http/api';
import { route, routes } from '../../infra/routes';
import { captureEmf, metricsOf } from '../fixtures/emf';

/** The service dimension is Powertools' service name (a globalSetup in the same run may have set it). */
const SERVICE = process.env.POWERTOOLS_SERVICE_NAME ?? 'consents';

/** Business metrics: the route table names the metric, the HTTP boundary writes it as EMF on a 2xx. */
const context = { functionName: 'test', awsRequestId: 'r', getRemainingTimeInMillis: () => 1000 } as Context;
const event = {
  version: '2.0',
  routeKey: 'POST /clinic/invites',
  rawPath: '/clinic/invites',
  headers: {},
  requestContext: {
    http: { method: 'POST', path: '/clinic/invites', sourceIp: '127.0.0.1' },
    requestId: 'r1',
  },
  body: '{}',
  isBase64Encoded: false,
} as unknown as HttpEvent;

describe('business metrics (EMF)', () => {
  it('the route table names one metric per state change', () => {
    expect(Object.fromEntries(routes.filter((r) => r.metric).map((r) => [r.id, r.metric]))).toEqual({
      'intake-answers': 'ConsentAnswered',
      'intake-signature': 'ConsentSigned',
      'invites-create': 'ConsentInvited',
      'consent-countersign': 'ConsentCountersigned',
      'consent-decline': 'ConsentDeclined',
    });
  });

  it('a 2xx of a route with a metric writes one EMF line: ConsentApp, dimension service only, value 1', async () => {
    const h = httpHandler(async () => json(201, { consentId: 'c1' }), route('invites-create'));
    const lines = await captureEmf(() => h(event, context));
    expect(lines).toHaveLength(1);
    expect(lines[0]?._aws.CloudWatchMetrics[0]?.Metrics.map((m) => m.Name)).toEqual(['ConsentInvited']);
    expect(metricsOf(lines)).toEqual([
      { namespace: 'ConsentApp', name: 'ConsentInvited', value: 1, dimensions: { service: SERVICE } },
    ]);
    // Nothing about the clinic, the consent or the patient rides along.
    expect(JSON.stringify(lines)).not.toMatch(/c1|clinic|patient/i);
  });

  it('an error response, or a route without a metric, writes none', async () => {
    const failing = httpHandler(
      async () => Promise.reject(new ConflictError('already signed')),
      route('consent-countersign'),
    );
    const read = httpHandler(async () => json(200, {}), route('consents-list'));
    const lines = await captureEmf(async () => {
      expect((await failing(event, context)).statusCode).toBe(409);
      expect((await read(event, context)).statusCode).toBe(200);
    });
    expect(lines).toEqual([]);
  });

  it('is muted when the log level is above INFO (the local terminal, the tests)', async () => {
    const h = httpHandler(async () => json(200, {}), route('consent-decline'));
    expect(await captureEmf(() => h(event, context), 'WARN')).toEqual([]);
    expect(await captureEmf(() => h(event, context), 'SILENT')).toEqual([]);
    expect(metricsOf(await captureEmf(() => h(event, context), 'DEBUG')).map((m) => m.name)).toEqual([
      'ConsentDeclined',
    ]);
  });
});
