import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { ATTR, keys } from '../../functions/adapters/table-keys';
import { hashLinkToken } from '../../functions/domain/tokens';
import { signaturePng as signatureFixture } from '../fixtures/consent-document';
import {
  answer,
  bytes,
  call,
  invite,
  login,
  sentEmails,
  sha256,
  sign,
  signedConsent,
  typedSignature,
  waitForEmails,
} from './client';

/** The whole workflow over HTTP against the real local stack (DynamoDB Local, aws-ses-v2-local). */
let coordinator: string;
let doctor: string;

beforeAll(async () => {
  coordinator = await login('coordinator');
  doctor = await login('doctor');
});

describe('the eligible path, end to end', () => {
  it('invite → answers → signature → countersign → e-mailed final PDF that /verify recognises', async () => {
    const inv = await invite(coordinator, { fullName: 'Nadia Farouk', email: 'nadia.farouk@example.test' });
    expect(inv.intakeUrl).toMatch(/\/intake\/[A-Za-z0-9_-]{43}$/);

    const page = await call('GET', `/intake/${inv.linkToken}`);
    expect(page.status).toBe(200);
    const view = page.body as {
      invite: { patientName: string; status: string };
      form: { questions: Array<{ id: string }> };
    };
    expect(view.invite).toMatchObject({ patientName: 'Nadia Farouk', status: 'invited' });
    expect(view.form.questions.map((q) => q.id)).toContain('bloodThinners');

    const a = await answer(inv.linkToken);
    expect(a.status).toBe(200);
    expect(a.body.screening.outcome).toBe('eligible');
    const riskIds = a.body.consent?.risks.map((r) => r.id) ?? [];
    expect(riskIds).toEqual(expect.arrayContaining(['bruising', 'swelling', 'infection', 'allergy']));
    expect(riskIds).not.toContain('lecithin');

    const s = await sign(inv.linkToken, riskIds);
    expect(s.status).toBe(201);
    expect(s.body).toMatchObject({ status: 'awaiting_countersign' });
    const consentId = s.body.consentId;

    const patientCopy = await call('GET', `/intake/${inv.linkToken}/consent.pdf`);
    expect(patientCopy.status).toBe(200);
    expect(patientCopy.headers.get('content-type')).toBe('application/pdf');
    expect(sha256(bytes(patientCopy))).toBe(s.body.pdfSha256);

    await waitForEmails(
      (e) => e.subject.includes('Nadia Farouk') && e.subject.includes('awaiting countersignature'),
    );

    const cs = await call('POST', `/clinic/consents/${consentId}/countersign`, {
      token: doctor,
      json: { signature: typedSignature('Dr. Amal Nasser'), findingNotes: {} },
    });
    expect(cs.status).toBe(200);
    expect(cs.body).toMatchObject({ status: 'countersigned' });
    const finalSha = (cs.body as { pdfSha256: string }).pdfSha256;

    const detail = await call<{ status: string; pdfSha256: string; events: Array<{ type: string }> }>(
      'GET',
      `/clinic/consents/${consentId}`,
      { token: doctor },
    );
    expect(detail.body.status).toBe('countersigned');
    expect(detail.body.pdfSha256).toBe(finalSha);
    expect(detail.body.events.map((e) => e.type)).toEqual(
      expect.arrayContaining([
        'invited',
        'link_opened',
        'answers_submitted',
        'screening_result',
        'signed',
        'countersigned',
      ]),
    );

    // The final e-mail to the patient and to the archive both carry exactly the stored PDF.
    const finals = await waitForEmails(
      (e) => e.attachments?.some((att) => att.filename === `consent-${consentId}.pdf`),
      2,
    );
    const recipients = finals.flatMap((e) => e.destination.to);
    expect(recipients).toEqual(
      expect.arrayContaining(['nadia.farouk@example.test', 'archive@demo-clinic.example.test']),
    );
    for (const mail of finals) {
      const att = mail.attachments.find((x) => x.contentType === 'application/pdf');
      expect(att).toBeDefined();
      expect(sha256(Buffer.from(att?.content ?? '', 'base64'))).toBe(finalSha);
    }

    const download = await call('GET', `/clinic/consents/${consentId}/pdf`, { token: doctor });
    expect(sha256(bytes(download))).toBe(finalSha);
    const eventsBefore = (await call('GET', `/clinic/consents/${consentId}`, { token: doctor })).body.events;

    const verified = await call('POST', '/verify', {
      body: bytes(download),
      headers: { 'content-type': 'application/pdf' },
    });
    expect(verified.status).toBe(200);
    expect(verified.body).toMatchObject({ valid: true, consentId, status: 'countersigned' });
    expect(JSON.stringify(verified.body)).not.toContain('Nadia');
    for (let i = 0; i < 5; i++) {
      const again = await call('POST', '/verify', {
        body: bytes(download),
        headers: { 'content-type': 'application/pdf' },
      });
      expect(again.body).toMatchObject({ valid: true, consentId });
    }
    // Public checks are never written into the consent's record.
    const eventsAfter = (await call('GET', `/clinic/consents/${consentId}`, { token: doctor })).body
      .events as Array<{ type: string }>;
    expect(eventsAfter).toEqual(eventsBefore);
    expect(eventsAfter.map((e) => e.type)).not.toContain('verified');

    const tampered = Buffer.from(bytes(download));
    const mid = Math.floor(tampered.length / 2);
    tampered[mid] = (tampered[mid] ?? 0) ^ 0x01;
    const rejected = await call('POST', '/verify', {
      body: tampered,
      headers: { 'content-type': 'application/pdf' },
    });
    expect(rejected.body).toMatchObject({ valid: false });

    // A countersigned record never changes again.
    const again = await call('POST', `/clinic/consents/${consentId}/countersign`, {
      token: doctor,
      json: { signature: typedSignature('Dr. Amal Nasser'), findingNotes: {} },
    });
    expect(again.status).toBe(409);
    const late = await answer(inv.linkToken);
    expect(late.status).toBe(409);
  });

  it('e-mails the invite when asked, with a link that opens the same consent', async () => {
    const email = `invitee.${Date.now()}@example.test`;
    const inv = await invite(
      coordinator,
      { email, locale: 'ar', fullName: 'ليلى حداد' },
      { sendEmail: true },
    );
    const [mail] = await waitForEmails((e) => e.destination.to.includes(email));
    const link = /\/intake\/([A-Za-z0-9_-]{43})/.exec(mail?.body.text ?? '')?.[1];
    expect(link).toBeDefined();
    expect(link).not.toBe(inv.linkToken); // the e-mailed link is its own token, stored only as a hash
    expect(mail?.subject).toContain('نموذج الموافقة');
    expect(mail?.body.html).toContain('dir="rtl"');
    const opened = await call<{ invite: { patientName: string } }>('GET', `/intake/${link}`);
    expect(opened.status).toBe(200);
    expect(opened.body.invite.patientName).toBe('ليلى حداد');
  });
});

describe('screening gates', () => {
  it('pregnant → ineligible: no consent, signing refused, answers closed, clinic told', async () => {
    const inv = await invite(coordinator, { fullName: 'Mona Salem' });
    const a = await answer(inv.linkToken, { pregnant: true });
    expect(a.status).toBe(200);
    expect(a.body.screening.outcome).toBe('ineligible');
    expect(a.body.screening.findings).toContainEqual(
      expect.objectContaining({ ruleId: 'pregnant', severity: 'contraindicated' }),
    );
    expect(a.body.consent).toBeUndefined();

    const s = await sign(inv.linkToken, []);
    expect(s.status).toBe(409);
    expect(s.body).toMatchObject({ error: 'conflict' });
    const again = await answer(inv.linkToken);
    expect(again.status).toBe(409);
    await waitForEmails(
      (e) => e.subject.includes('Mona Salem') && e.subject.toLowerCase().includes('follow-up'),
    );
  });

  it('under 18 by one day → ineligible with the dateOfBirth finding', async () => {
    const inv = await invite(coordinator);
    const now = new Date(Date.now() + 4 * 3600_000); // Dubai is UTC+4
    const dob = `${now.getUTCFullYear() - 18}-${String(now.getUTCMonth() + 1).padStart(2, '0')}-${String(now.getUTCDate()).padStart(2, '0')}`;
    const tomorrowDob = new Date(`${dob}T00:00:00Z`);
    tomorrowDob.setUTCDate(tomorrowDob.getUTCDate() + 1);
    const a = await answer(inv.linkToken, { dateOfBirth: tomorrowDob.toISOString().slice(0, 10) });
    expect(a.body.screening.outcome).toBe('ineligible');
    expect(a.body.screening.findings[0]).toMatchObject({
      ruleId: 'dateOfBirth',
      severity: 'contraindicated',
    });
  });

  it('blood thinners → needs_review; countersign needs a note per review finding (422), then succeeds', async () => {
    const c = await signedConsent(coordinator, {
      bloodThinners: true,
      bloodThinnerDetails: 'Aspirin 81 mg daily',
    });
    expect(c.findings).toContainEqual(
      expect.objectContaining({ ruleId: 'bloodThinners', severity: 'review' }),
    );
    const missing = await call('POST', `/clinic/consents/${c.consentId}/countersign`, {
      token: doctor,
      json: { signature: typedSignature('Dr. Amal Nasser'), findingNotes: {} },
    });
    expect(missing.status).toBe(422);
    expect(missing.body).toMatchObject({
      error: 'review_incomplete',
      issues: [{ path: 'findingNotes.bloodThinners' }],
    });
    const blank = await call('POST', `/clinic/consents/${c.consentId}/countersign`, {
      token: doctor,
      json: { signature: typedSignature('Dr. Amal Nasser'), findingNotes: { bloodThinners: '   ' } },
    });
    expect(blank.status).toBe(422);
    const ok = await call('POST', `/clinic/consents/${c.consentId}/countersign`, {
      token: doctor,
      json: {
        signature: typedSignature('Dr. Amal Nasser'),
        findingNotes: {
          bloodThinners: 'Prescriber agreed to pause aspirin 7 days before; confirmed by phone.',
        },
      },
    });
    expect(ok.status).toBe(200);
  });

  it('fat/cellulite concerns add the lecithin risk, which must be acknowledged', async () => {
    const inv = await invite(coordinator);
    const a = await answer(inv.linkToken, { concerns: ['localised_fat'], treatmentAreas: ['abdomen'] });
    const ids = a.body.consent?.risks.map((r) => r.id) ?? [];
    expect(ids).toContain('lecithin');
    const partial = await sign(
      inv.linkToken,
      ids.filter((id) => id !== 'lecithin'),
    );
    expect(partial.status).toBe(400);
    expect(partial.body).toMatchObject({ error: 'validation_failed' });
    expect(JSON.stringify(partial.body)).toContain('lecithin');
    expect((await sign(inv.linkToken, ids)).status).toBe(201);
  });
});

describe('bad input changes nothing', () => {
  it('invalid answers → 400 with issues, and the record is still `invited`', async () => {
    const inv = await invite(coordinator);
    const r = await call('POST', `/intake/${inv.linkToken}/answers`, {
      json: { answers: { pregnant: 'maybe', treatmentAreas: [] } },
    });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ error: 'validation_failed' });
    const issues = (r.body as { issues: Array<{ path: string }> }).issues.map((i) => i.path);
    expect(issues).toEqual(
      expect.arrayContaining(['answers.pregnant', 'answers.dateOfBirth', 'answers.treatmentAreas']),
    );
    const notJson = await call('POST', `/intake/${inv.linkToken}/answers`, {
      body: '{nope',
      headers: { 'content-type': 'application/json' },
    });
    expect(notJson.status).toBe(400);
    expect(notJson.body).toMatchObject({ error: 'validation_failed' });
    const view = await call<{ invite: { status: string } }>('GET', `/intake/${inv.linkToken}`);
    expect(view.body.invite.status).toBe('invited');
  });

  it('signing before answering → 409; an oversized signature → 413; a fake or damaged PNG → 400', async () => {
    const inv = await invite(coordinator);
    expect((await sign(inv.linkToken, [])).status).toBe(409);
    const a = await answer(inv.linkToken);
    const ids = a.body.consent?.risks.map((r) => r.id) ?? [];
    const huge = await sign(inv.linkToken, ids, { kind: 'drawn', pngBase64: 'A'.repeat(600_000) });
    expect(huge.status).toBe(413);
    expect(huge.body).toMatchObject({ error: 'payload_too_large' });
    const fake = await sign(inv.linkToken, ids, {
      kind: 'drawn',
      pngBase64: Buffer.from('GIF89a not a png at all, really').toString('base64'),
    });
    expect(fake.status).toBe(400);
    // A real canvas PNG whose last chunk (IEND) has one CRC bit flipped: damaged, so refused.
    const png = Buffer.from(signatureFixture(1), 'base64');
    png[png.length - 1] = (png[png.length - 1] ?? 0) ^ 0x01;
    const badCrc = await sign(inv.linkToken, ids, { kind: 'drawn', pngBase64: png.toString('base64') });
    expect(badCrc.status).toBe(400);
    expect(badCrc.body).toMatchObject({ error: 'validation_failed' });
    const noAgreement = await call('POST', `/intake/${inv.linkToken}/signature`, {
      json: {
        signature: typedSignature(),
        acknowledgedRiskIds: ids,
        agreeToTreatment: false,
        agreeToElectronicRecords: true,
      },
    });
    expect(noAgreement.status).toBe(400);
    const view = await call<{ invite: { status: string } }>('GET', `/intake/${inv.linkToken}`);
    expect(view.body.invite.status).toBe('answered');
  });

  it('unknown and malformed tokens → 404; errors never carry a stack trace', async () => {
    const unknown = await call('GET', `/intake/${'x'.repeat(43)}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ error: 'not_found', message: expect.any(String) });
    const malformed = await call('POST', '/intake/short/answers', { json: { answers: {} } });
    expect(malformed.status).toBe(404);
    expect(JSON.stringify(malformed.body)).not.toMatch(/at .*\.ts:\d+/);
  });

  it('an expired link → 410 link_expired on every patient route', async () => {
    const inv = await invite(coordinator);
    const db = new DynamoDBClient({
      endpoint: inject('dynamoEndpoint'),
      region: 'me-central-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    await db.send(
      new UpdateItemCommand({
        TableName: inject('tableName'),
        Key: {
          [ATTR.pk]: { S: keys.linkPk(hashLinkToken(inv.linkToken)) },
          [ATTR.sk]: { S: keys.linkSk },
        },
        UpdateExpression: 'SET expiresAt = :past',
        ExpressionAttributeValues: { ':past': { S: '2020-01-01T00:00:00.000Z' } },
      }),
    );
    db.destroy();
    expect((await call('GET', `/intake/${inv.linkToken}`)).status).toBe(410);
    const a = await answer(inv.linkToken);
    expect(a.status).toBe(410);
    expect(a.body).toMatchObject({ error: 'link_expired' });
    const html = await call('GET', `/intake/${inv.linkToken}`, { headers: { accept: '*/*' } });
    expect(html.status).toBe(410);
  });
});

describe('rate limits', () => {
  it('one link hammered past its limit gets 429 throttled in the API.md shape', async () => {
    const inv = await invite(coordinator);
    const statuses: number[] = [];
    for (let i = 0; i < 65; i++) statuses.push((await call('GET', `/intake/${inv.linkToken}`)).status);
    expect(statuses.slice(0, 55).every((s) => s === 200)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
    const r = await call('GET', `/intake/${inv.linkToken}`);
    expect(r.body).toMatchObject({ error: 'throttled' });
    expect(r.headers.get('retry-after')).toBeTruthy();
  });
});

describe('clinic access control', () => {
  it('no token → 401; coordinator countersign/decline → 403', async () => {
    expect((await call('GET', '/clinic/consents')).status).toBe(401);
    expect((await call('GET', '/clinic/consents', { token: 'not.a.jwt' })).body).toMatchObject({
      error: 'unauthorized',
    });
    const c = await signedConsent(coordinator);
    const cs = await call('POST', `/clinic/consents/${c.consentId}/countersign`, {
      token: coordinator,
      json: { signature: typedSignature('Sara'), findingNotes: {} },
    });
    expect(cs.status).toBe(403);
    expect(cs.body).toMatchObject({ error: 'forbidden' });
    expect(
      (
        await call('POST', `/clinic/consents/${c.consentId}/decline`, {
          token: coordinator,
          json: { reason: 'x' },
        })
      ).status,
    ).toBe(403);
  });

  it("another clinic's doctor cannot list, read, download, countersign or decline", async () => {
    const c = await signedConsent(coordinator, {}, { fullName: 'Hala Tenant' });
    const other = await login('doctor', `other-${Date.now().toString(36)}`);
    const list = await call<{ items: Array<{ consentId: string }> }>('GET', '/clinic/consents', {
      token: other,
    });
    expect(list.status).toBe(200);
    expect(list.body.items.map((i) => i.consentId)).not.toContain(c.consentId);
    for (const [method, path, json] of [
      ['GET', `/clinic/consents/${c.consentId}`, undefined],
      ['GET', `/clinic/consents/${c.consentId}/pdf`, undefined],
      [
        'POST',
        `/clinic/consents/${c.consentId}/countersign`,
        { signature: typedSignature('X'), findingNotes: {} },
      ],
      ['POST', `/clinic/consents/${c.consentId}/decline`, { reason: 'not mine' }],
    ] as const) {
      const r = await call(method, path, { token: other, ...(json ? { json } : {}) });
      expect([403, 404]).toContain(r.status);
    }
    const mine = await call<{ status: string }>('GET', `/clinic/consents/${c.consentId}`, { token: doctor });
    expect(mine.body.status).toBe('awaiting_countersign');
  });
});

describe('state machine and races', () => {
  it('two concurrent countersigns → exactly one 200, the other 409', async () => {
    const c = await signedConsent(coordinator);
    const body = { signature: typedSignature('Dr. Amal Nasser'), findingNotes: {} };
    const results = await Promise.all(
      [1, 2].map(() =>
        call('POST', `/clinic/consents/${c.consentId}/countersign`, { token: doctor, json: body }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    const detail = await call<{ pdfVersions: unknown[] }>('GET', `/clinic/consents/${c.consentId}`, {
      token: doctor,
    });
    expect(detail.body.pdfVersions).toHaveLength(2);
  });

  it('concurrent signatures of one link → one consent', async () => {
    const inv = await invite(coordinator);
    const a = await answer(inv.linkToken);
    const ids = a.body.consent?.risks.map((r) => r.id) ?? [];
    const results = await Promise.all([1, 2, 3, 4, 5].map(() => sign(inv.linkToken, ids)));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(4);
  });

  it('decline: doctor only, with a reason; then nothing else fits', async () => {
    const c = await signedConsent(coordinator);
    expect(
      (await call('POST', `/clinic/consents/${c.consentId}/decline`, { token: doctor, json: {} })).status,
    ).toBe(400);
    const d = await call('POST', `/clinic/consents/${c.consentId}/decline`, {
      token: doctor,
      json: { reason: 'Patient asked to postpone.' },
    });
    expect(d.status).toBe(200);
    expect(d.body).toEqual({ status: 'declined', consentId: c.consentId });
    const cs = await call('POST', `/clinic/consents/${c.consentId}/countersign`, {
      token: doctor,
      json: { signature: typedSignature('Dr'), findingNotes: {} },
    });
    expect(cs.status).toBe(409);
  });
});

describe('the archive', () => {
  it('lists only the caller clinic, filters by status and patient, pages with a cursor', async () => {
    const marker = `Zed${Date.now().toString(36)}`;
    await signedConsent(coordinator, {}, { fullName: `Amira ${marker}` });
    await invite(coordinator, { fullName: `Basma ${marker}` });
    const all = await call<{
      items: Array<{ patientName: string; status: string }>;
      nextCursor: string | null;
    }>('GET', `/clinic/consents?q=${marker.toLowerCase()}`, { token: doctor });
    expect(all.status).toBe(200);
    expect(all.body.items.map((i) => i.patientName).sort()).toEqual([`Amira ${marker}`, `Basma ${marker}`]);
    const awaiting = await call<{ items: Array<{ patientName: string }> }>(
      'GET',
      `/clinic/consents?status=awaiting_countersign&q=${marker}`,
      { token: doctor },
    );
    expect(awaiting.body.items.map((i) => i.patientName)).toEqual([`Amira ${marker}`]);
    const page1 = await call<{ items: unknown[]; nextCursor: string | null }>(
      'GET',
      '/clinic/consents?limit=1',
      { token: doctor },
    );
    expect(page1.body.items).toHaveLength(1);
    expect(page1.body.nextCursor).toBeTruthy();
    const page2 = await call<{ items: Array<{ consentId: string }> }>(
      'GET',
      `/clinic/consents?limit=1&cursor=${page1.body.nextCursor}`,
      { token: doctor },
    );
    expect(page2.body.items).toHaveLength(1);
    expect(page2.body.items[0]).not.toEqual(page1.body.items[0]);
    const bad = await call('GET', '/clinic/consents?status=nope', { token: doctor });
    expect(bad.status).toBe(400);
    const foreignCursor = Buffer.from(JSON.stringify({ pk: 'CLINIC#other', sk: 'CONSENT#X' })).toString(
      'base64url',
    );
    expect((await call('GET', `/clinic/consents?cursor=${foreignCursor}`, { token: doctor })).status).toBe(
      400,
    );
  });
});

describe('e-mail delivery', () => {
  it('never sends the same final e-mail twice', async () => {
    const c = await signedConsent(coordinator);
    await call('POST', `/clinic/consents/${c.consentId}/countersign`, {
      token: doctor,
      json: { signature: typedSignature('Dr. Amal Nasser'), findingNotes: {} },
    });
    await waitForEmails((e) => e.attachments?.some((a) => a.filename === `consent-${c.consentId}.pdf`), 2);
    await new Promise((r) => setTimeout(r, 2500)); // a sweeper pass or two
    const finals = (await sentEmails()).filter((e) =>
      e.attachments?.some((a) => a.filename === `consent-${c.consentId}.pdf`),
    );
    expect(finals).toHaveLength(2);
  });
});
