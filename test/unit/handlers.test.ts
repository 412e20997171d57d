import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { SESClient, SendRawEmailCommand } from '@aws-sdk/client-ses';
import {
  DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { Context, DynamoDBStreamEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ConsentRecord } from '../../functions/domain/model';
import { hashLinkToken, newLinkToken } from '../../functions/domain/tokens';
import { cleanAnswers } from '../fixtures/answers';
import { captureEmf, metricsOf } from '../fixtures/emf';

/** Handlers wired to real middy and real adapters, with the AWS clients mocked at the SDK level. */
const ddb = mockClient(DynamoDBDocumentClient);
const ses = mockClient(SESClient);
const context = {
  functionName: 'test',
  awsRequestId: 'r',
  getRemainingTimeInMillis: () => 5000,
} as unknown as Context;

beforeAll(() => {
  Object.assign(process.env, {
    TABLE_NAME: 'consents',
    APP_URL: 'https://consents.example.test',
    MAIL_FROM: 'consents@example.test',
    JWT_ISSUER: 'https://issuer.example.test',
    JWT_AUDIENCE: 'aud',
    JWT_PUBLIC_JWK: '{"kty":"EC","crv":"P-256","x":"AAAA","y":"AAAA"}',
    AWS_REGION: 'me-central-1',
  });
});
beforeEach(() => {
  ddb.reset();
  ses.reset();
});

const token = newLinkToken();
const consent: ConsentRecord = {
  clinicId: 'demo',
  consentId: '01JABCDEFGHJKMNPQRSTVWXYZ0',
  status: 'invited',
  treatmentId: 'mesotherapy',
  templateVersion: '2026.11.1',
  templateSha256: 'x',
  branchId: 'jumeirah',
  patient: { fullName: 'Layla Haddad', email: 'layla@example.test', locale: 'en' },
  locale: 'en',
  linkExpiresAt: '2099-01-01T00:00:00.000Z',
  createdAt: '2026-11-21T00:00:00.000Z',
  createdBy: 'sub',
  updatedAt: '2026-11-21T00:00:00.000Z',
  pdfVersions: [],
  rev: 1,
};
const clinic = {
  clinicId: 'demo',
  name: 'Demo',
  archiveEmail: 'archive@example.test',
  defaultBranchId: 'jumeirah',
  branches: [
    {
      id: 'jumeirah',
      name: 'Jumeirah',
      phone: '+971 4 000 0000',
      whatsapp: '+971 50 000 0000',
      timeZone: 'Asia/Dubai',
    },
  ],
};

function mockReads(record: ConsentRecord) {
  ddb.on(UpdateCommand).resolves({ Attributes: { hits: 1 } }); // rate-limit counters
  ddb.on(GetCommand, { Key: { pk: `LINK#${hashLinkToken(token)}`, sk: 'LINK' } }).resolves({
    Item: {
      tokenHash: hashLinkToken(token),
      clinicId: 'demo',
      consentId: record.consentId,
      expiresAt: '2099-01-01T00:00:00.000Z',
      channel: 'handover',
    },
  });
  ddb
    .on(GetCommand, { Key: { pk: 'CLINIC#demo', sk: `CONSENT#${record.consentId}` } })
    .resolves({ Item: record });
  ddb.on(GetCommand, { Key: { pk: 'CLINIC#demo', sk: 'PROFILE' } }).resolves({ Item: clinic });
}

function httpEvent(body: unknown) {
  return {
    version: '2.0',
    routeKey: 'POST /intake/{token}/answers',
    rawPath: `/intake/${token}/answers`,
    rawQueryString: '',
    headers: { 'content-type': 'application/json' },
    pathParameters: { token },
    requestContext: { http: { method: 'POST', sourceIp: '10.0.0.1', userAgent: 'vitest' }, requestId: 'x' },
    body: JSON.stringify(body),
    isBase64Encoded: false,
  };
}

/**
 * The handler boundary only: status codes, the API.md error shape, the stream mailer's batch answer.
 * What the use cases write is tested against the in-memory store (test/unit/workflow/); the SDK call
 * shapes belong to the adapter's own test (test/unit/dynamo-store.test.ts).
 */
describe('intake-answers handler', () => {
  it('200 with the screening for valid answers', async () => {
    mockReads(consent);
    ddb.on(TransactWriteCommand).resolves({});
    const { handler } = await import('../../functions/handlers/intake-answers');
    const res = await handler(
      httpEvent({ answers: cleanAnswers({ allergies: true, allergyDetails: 'penicillin' }) }) as never,
      context,
    );
    expect(res.statusCode).toBe(200);
    expect(res.headers?.['content-type']).toMatch(/application\/json/);
    const body = JSON.parse(res.body ?? '{}');
    expect(body.screening.outcome).toBe('needs_review');
    expect(body.consent.risks.length).toBeGreaterThan(0);
  });

  it('invalid answers → 400 validation_failed with issues', async () => {
    mockReads(consent);
    const { handler } = await import('../../functions/handlers/intake-answers');
    const res = await handler(httpEvent({ answers: { pregnant: 'yes' } }) as never, context);
    expect(res.statusCode).toBe(400);
    const body = JSON.parse(res.body ?? '{}');
    expect(body).toMatchObject({ error: 'validation_failed', message: expect.any(String) });
    expect(body.issues.length).toBeGreaterThan(0);
  });

  it('after an ineligible screening → 409 conflict in the API.md shape', async () => {
    mockReads({ ...consent, status: 'answered', outcome: 'ineligible' });
    const { handler } = await import('../../functions/handlers/intake-answers');
    const res = await handler(httpEvent({ answers: cleanAnswers() }) as never, context);
    expect(res.statusCode).toBe(409);
    expect(JSON.parse(res.body ?? '{}')).toEqual({ error: 'conflict', message: expect.any(String) });
  });

  it('a lost race in the store → 409; a throttled store → 503 unavailable', async () => {
    mockReads(consent);
    ddb.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: 'cancelled',
        $metadata: {},
        CancellationReasons: [{ Code: 'ConditionalCheckFailed' }],
      }),
    );
    const { handler } = await import('../../functions/handlers/intake-answers');
    const lost = await handler(httpEvent({ answers: cleanAnswers() }) as never, context);
    expect(lost.statusCode).toBe(409);
    ddb
      .on(TransactWriteCommand)
      .rejects(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));
    const busy = await handler(httpEvent({ answers: cleanAnswers() }) as never, context);
    expect(busy.statusCode).toBe(503);
    expect(JSON.parse(busy.body ?? '{}')).toMatchObject({ error: 'service_unavailable' });
  });
});

describe('intake-page handler (HTML) when the table is down or the link is throttled', () => {
  const pageEvent = (acceptLanguage?: string) => ({
    ...httpEvent(undefined),
    routeKey: 'GET /intake/{token}',
    rawPath: `/intake/${token}`,
    headers: { accept: 'text/html', ...(acceptLanguage ? { 'accept-language': acceptLanguage } : {}) },
    body: undefined,
    requestContext: { http: { method: 'GET', sourceIp: '10.0.0.1', userAgent: 'vitest' }, requestId: 'x' },
  });

  it('DynamoDB refusing connections → 503 page saying "try again in a moment" in both languages, with Retry-After', async () => {
    ddb.onAnyCommand().rejects(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    const { handler } = await import('../../functions/handlers/intake-page');
    const { default: ui } = await import('../../templates/i18n/ui.json', { with: { type: 'json' } });
    const res = await handler(pageEvent('ar,en;q=0.5') as never, context);
    expect(res.statusCode).toBe(503);
    expect(res.headers?.['content-type']).toMatch(/text\/html/);
    expect(Number(res.headers?.['retry-after'])).toBeGreaterThan(0);
    expect(res.body).toContain('<html lang="ar" dir="rtl">');
    expect(res.body).toContain(ui.ar['page.unavailable']);
    expect(res.body).toContain(ui.en['page.unavailable']);
    expect(res.body).not.toMatch(/Something went wrong/);
  });

  it('a throttled link → 429 page saying so (not "Something went wrong"), with the real wait', async () => {
    ddb.on(UpdateCommand).resolves({ Attributes: { hits: 10_000 } });
    const { handler } = await import('../../functions/handlers/intake-page');
    const { default: ui } = await import('../../templates/i18n/ui.json', { with: { type: 'json' } });
    const res = await handler(pageEvent() as never, context);
    expect(res.statusCode).toBe(429);
    expect(res.body).toContain('<html lang="en" dir="ltr">');
    expect(res.body).toContain(ui.en['error.throttled']);
    expect(res.body).toContain(ui.ar['error.throttled']);
    expect(res.body).not.toMatch(/Something went wrong/);
    const wait = Number(res.headers?.['retry-after']);
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(600);
  });
});

describe('mailer handler', () => {
  const mail = {
    pk: 'CLINIC#demo',
    sk: `MAIL#${consent.consentId}#signed_notice`,
    entity: 'mail',
    clinicId: 'demo',
    consentId: consent.consentId,
    kind: 'signed_notice',
    to: 'archive@example.test',
    locale: 'en',
    status: 'pending',
    attempts: 0,
    createdAt: '2026-11-21T00:00:00.000Z',
    nextAttemptAt: '2026-11-21T00:00:00.000Z',
  };
  const record = (newImage: object, oldImage?: object, seq = '1') => ({
    eventName: oldImage ? 'MODIFY' : 'INSERT',
    dynamodb: {
      SequenceNumber: seq,
      NewImage: marshall(newImage),
      ...(oldImage ? { OldImage: marshall(oldImage) } : {}),
    },
  });
  function mockMailReads() {
    ddb
      .on(GetCommand, { Key: { pk: 'CLINIC#demo', sk: `MAIL#${consent.consentId}#signed_notice` } })
      .resolves({ Item: { ...mail, attempts: 1 } });
    ddb
      .on(GetCommand, { Key: { pk: 'CLINIC#demo', sk: `CONSENT#${consent.consentId}` } })
      .resolves({ Item: { ...consent, status: 'awaiting_countersign' } });
    ddb.on(GetCommand, { Key: { pk: 'CLINIC#demo', sk: 'PROFILE' } }).resolves({ Item: clinic });
  }

  it('wakes only for outbox items entering `pending`', async () => {
    const { pendingMails } = await import('../../functions/handlers/mailer');
    const event = {
      Records: [
        record(mail),
        record({ ...mail, attempts: 1 }, mail, '2'), // pending → pending: a retry bookkeeping write
        record({ ...mail, status: 'sent' }, mail, '3'),
        record({ pk: 'CLINIC#demo', sk: 'CONSENT#x', entity: 'consent', status: 'answered' }, undefined, '4'),
      ],
    } as unknown as DynamoDBStreamEvent;
    expect(pendingMails(event).map((m) => m.sequence)).toEqual(['1']);
  });

  it('starts no send the invocation could not finish before its timeout: the record goes back to the stream', async () => {
    ddb.on(UpdateCommand).resolves({});
    mockMailReads();
    ses.on(SendRawEmailCommand).resolves({ MessageId: 'm-1' });
    const { handleStream } = await import('../../functions/handlers/mailer');
    const event = { Records: [record(mail)] } as unknown as DynamoDBStreamEvent;
    const nearlyOut = { getRemainingTimeInMillis: () => 20_000 };
    expect(await handleStream(event, nearlyOut)).toEqual({ batchItemFailures: [{ itemIdentifier: '1' }] });
    expect(ses.commandCalls(SendRawEmailCommand)).toHaveLength(0);
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0); // not even claimed
  });

  it('sends through SES (raw MIME to the outbox address); an SES failure is recorded, not thrown', async () => {
    ddb.on(UpdateCommand).resolves({});
    ddb.on(TransactWriteCommand).resolves({});
    mockMailReads();
    ses.on(SendRawEmailCommand).resolves({ MessageId: 'm-1' });
    const { handleStream } = await import('../../functions/handlers/mailer');
    const event = { Records: [record(mail)] } as unknown as DynamoDBStreamEvent;
    const sentLines = await captureEmf(async () =>
      expect(await handleStream(event)).toEqual({ batchItemFailures: [] }),
    );
    expect(metricsOf(sentLines)).toEqual([
      {
        namespace: 'ConsentApp',
        name: 'EmailSent',
        value: 1,
        dimensions: { service: process.env.POWERTOOLS_SERVICE_NAME ?? 'consents', kind: 'signed_notice' },
      },
    ]);
    const sent = ses.commandCalls(SendRawEmailCommand)[0]?.args[0].input;
    expect(sent?.Destinations).toEqual(['archive@example.test']);
    const raw = Buffer.from(sent?.RawMessage?.Data ?? new Uint8Array()).toString();
    expect(raw).toContain('Subject: Consent awaiting countersignature: Layla Haddad');

    ses.reset();
    ses
      .on(SendRawEmailCommand)
      .rejects(Object.assign(new Error('connect ECONNREFUSED'), { name: 'TimeoutError' }));
    const failedLines = await captureEmf(async () =>
      expect(await handleStream(event)).toEqual({ batchItemFailures: [] }),
    );
    expect(metricsOf(failedLines).map((m) => [m.name, m.value, m.dimensions.kind])).toEqual([
      ['EmailFailed', 1, 'signed_notice'],
    ]);
  });

  it('a delivery that cannot be recorded (store down) is a batch item failure, for the stream to retry', async () => {
    ddb.on(UpdateCommand).rejects(Object.assign(new Error('down'), { name: 'InternalServerError' }));
    mockMailReads();
    const { handleStream } = await import('../../functions/handlers/mailer');
    const event = {
      Records: [record(mail, undefined, '41'), record({ ...mail, status: 'sent' }, mail, '42')],
    };
    expect(await handleStream(event as unknown as DynamoDBStreamEvent)).toEqual({
      batchItemFailures: [{ itemIdentifier: '41' }],
    });
    expect(ses.commandCalls(SendRawEmailCommand)).toHaveLength(0);
  });
});
