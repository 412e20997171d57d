import { randomBytes } from 'node:crypto';
import {
  DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  type QueryCommandOutput,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { itemSize, MAX_ITEM_BYTES } from '../../functions/adapters/dynamo-item-size';
import { DynamoConsentStore } from '../../functions/adapters/dynamo-store';
import { ATTR, keys } from '../../functions/adapters/table-keys';
import { auditEvent } from '../../functions/domain/audit';
import { LONGEST_NAME, maxSignaturePng, worstCaseAnswers, worstCaseNotes } from '../fixtures/worst-case';
import { api, bytes, call, login, sha256, uniqueEmail, waitForEmails } from './client';

/**
 * Issue 11, item 2: the largest consent valid input can make is countersigned, stored and e-mailed, on
 * DynamoDB Local (which enforces the 400 KB item limit). Two drawn signatures at the API's size limit and
 * at the most pixels the PDF embeds, every finding with a 2,000-character Arabic note, 120-character
 * names, the longest free-text answers, and a year of patient look-ups on the audit trail.
 */
const db = new DynamoDBClient({
  endpoint: inject('dynamoEndpoint'),
  region: 'me-central-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});
const doc = DynamoDBDocumentClient.from(db, {
  marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
});
const store = new DynamoConsentStore(doc, inject('tableName'));
afterAll(() => db.destroy());

const DAY = 24 * 3600 * 1000;

describe('the worst-case consent', () => {
  it('is countersigned (200), its final PDF stored in parts, verified and e-mailed', async () => {
    const clinicId = `worst-${randomBytes(3).toString('hex')}`;
    const coordinator = await login('coordinator', clinicId);
    const doctorEmail = `doctor@${clinicId}.example.test`;
    await login('doctor', clinicId, doctorEmail); // creates the clinic
    await store.putStaff({
      clinicId,
      email: doctorEmail,
      name: LONGEST_NAME,
      role: 'doctor',
      licence: 'DHA-P-0000000',
    });
    const doctor = await login('doctor', clinicId, doctorEmail);

    const email = uniqueEmail('worst');
    const inv = await api.invite(coordinator, { fullName: LONGEST_NAME, email, locale: 'ar' });
    const answered = await api.answer(inv.linkToken, worstCaseAnswers(), 'ar');
    expect(answered.status).toBe(200);
    expect(answered.body.screening.outcome).toBe('needs_review');
    expect(answered.body.screening.findings.map((f) => f.ruleId).sort()).toEqual(
      Object.keys(worstCaseNotes()).sort(),
    );
    const riskIds = (answered.body.consent?.risks ?? []).map((r) => r.id);

    const patientPng = maxSignaturePng();
    const signed = await api.sign(inv.linkToken, riskIds, { kind: 'drawn', pngBase64: patientPng });
    expect(signed.status).toBe(201);

    // A year of patient look-ups, each day's first of each kind (what the bounded trail records).
    const now = Date.now();
    const phone = { ip: '203.0.113.24', userAgent: 'Mozilla/5.0 (iPhone) '.padEnd(512, 'x') };
    const patient = { kind: 'patient' as const, id: 'link-holder' };
    const events = Array.from({ length: 365 }, (_, d) =>
      new Date(now - (365 - d) * DAY).toISOString(),
    ).flatMap((at) => [
      auditEvent(inv.consentId, 'link_opened', at, patient, phone, { channel: 'handover' }),
      auditEvent(inv.consentId, 'link_opened', at, patient, phone, { channel: 'email' }),
      auditEvent(inv.consentId, 'pdf_downloaded', at, patient, phone, { version: 1 }),
    ]);
    for (let i = 0; i < events.length; i += 50) {
      await Promise.all(events.slice(i, i + 50).map((e) => store.appendEvent(clinicId, e)));
    }

    const countersigned = await api.countersign(doctor, inv.consentId, worstCaseNotes(), {
      kind: 'drawn',
      pngBase64: maxSignaturePng(),
    });
    expect(countersigned.status, countersigned.text.slice(0, 300)).toBe(200);
    const finalSha = (countersigned.body as { pdfSha256: string }).pdfSha256;

    // Every item of the consent fits DynamoDB's limit; the record holds no image, the PDF is in parts.
    const all: Array<Record<string, unknown>> = [];
    let startKey: QueryCommandOutput['LastEvaluatedKey'];
    do {
      const page = await db.send(
        new QueryCommand({
          TableName: inject('tableName'),
          KeyConditionExpression: `${ATTR.pk} = :pk`,
          ExpressionAttributeValues: { ':pk': { S: keys.clinicPk(clinicId) } },
          ConsistentRead: true,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      all.push(...(page.Items ?? []).map((i) => unmarshall(i)));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    const own = all.filter((i) => String(i.sk).includes(inv.consentId));
    for (const item of own) expect(itemSize(item), String(item.sk)).toBeLessThan(MAX_ITEM_BYTES);
    const record = own.find((i) => i.sk === keys.consentSk(inv.consentId)) ?? {};
    expect(JSON.stringify(record)).not.toContain(patientPng.slice(0, 64));
    expect(
      own
        .filter((i) => i.entity === 'signature')
        .map((i) => i.role)
        .sort(),
    ).toEqual(['doctor', 'patient']);
    expect(own.some((i) => i.entity === 'pdfpart')).toBe(true);
    const raw = await db.send(
      new GetItemCommand({
        TableName: inject('tableName'),
        Key: {
          [ATTR.pk]: { S: keys.clinicPk(clinicId) },
          [ATTR.sk]: { S: keys.signatureSk(inv.consentId, 'patient') },
        },
      }),
    );
    expect(sha256(raw.Item?.png?.B as Uint8Array)).toBe(sha256(Buffer.from(patientPng, 'base64')));

    const download = await call('GET', `/clinic/consents/${inv.consentId}/pdf`, { token: doctor });
    expect(download.status).toBe(200);
    const pdf = bytes(download);
    expect(sha256(pdf)).toBe(finalSha);
    expect(pdf.length).toBeGreaterThan(MAX_ITEM_BYTES);
    const verified = await call('POST', '/verify', {
      body: pdf,
      headers: { 'content-type': 'application/pdf' },
    });
    expect(verified.status).toBe(200);
    expect(verified.body).toMatchObject({ valid: true, consentId: inv.consentId, version: 2 });

    const detail = await call('GET', `/clinic/consents/${inv.consentId}`, { token: doctor });
    expect(detail.body).toMatchObject({
      signatures: { patient: { kind: 'drawn', hasImage: true }, doctor: { kind: 'drawn', hasImage: true } },
    });

    const finals = await waitForEmails(
      (e) => e.attachments?.some((a) => a.filename === `consent-${inv.consentId}.pdf`),
      2,
      30_000,
    );
    expect(finals.flatMap((e) => e.destination.to)).toEqual(
      expect.arrayContaining([email, `archive@${clinicId}.example.test`]),
    );
    for (const mail of finals) {
      const att = mail.attachments.find((a) => a.contentType === 'application/pdf');
      expect(sha256(Buffer.from(att?.content ?? '', 'base64'))).toBe(finalSha);
    }
  });
});
