import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import * as mupdf from 'mupdf';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ATTR, keys } from '../../functions/adapters/table-keys';
import { generateLocalSealIdentity, LocalSealSigner, sealPdf } from '../../functions/documents/seal';
import { hashLinkToken } from '../../functions/domain/tokens';
import { routes } from '../../infra/routes';
import { cleanAnswers } from '../fixtures/answers';
import { Api } from '../support/client';
import { startTestStack, type TestStack } from '../support/stack';
import {
  answer,
  bytes,
  call,
  invite,
  login,
  type Reply,
  type StoredEmail,
  sentEmails,
  sha256,
  sign,
  signedConsent,
  typedSignature,
  uniqueEmail,
  waitForEmails,
} from './client';

/**
 * Issue 6, security: tenant isolation on every clinic route, replayed / expired / revoked links on every
 * patient route, output encoding of hostile text everywhere it comes back (pages, JSON, e-mail, PDF), no
 * patient data in any log line, and /verify with the seal. Over HTTP against the shared local stack, except
 * the log test, which runs its own stack in this process so it can read every line written.
 */
let coordinator: string;
let doctor: string;

beforeAll(async () => {
  coordinator = await login('coordinator');
  doctor = await login('doctor');
});

type Detail = {
  status: string;
  linkRevoked: boolean;
  pdfVersions: Array<{ sha256: string; kind: string }>;
  events: Array<{ type: string; actor: { kind: string; id: string } }>;
};
const detail = (consentId: string) => call<Detail>('GET', `/clinic/consents/${consentId}`, { token: doctor });

async function countersign(consentId: string, notes: Record<string, string> = {}, name = 'Dr. Amal Nasser') {
  const r = await call<{ pdfSha256: string }>('POST', `/clinic/consents/${consentId}/countersign`, {
    token: doctor,
    json: { signature: typedSignature(name), findingNotes: notes },
  });
  if (r.status !== 200) throw new Error(`countersign failed: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/** The patient routes of the route table, each called with `token` (a body where the route takes one). */
async function everyPatientRoute(token: string): Promise<Array<[string, number]>> {
  const out: Array<[string, number]> = [];
  for (const route of routes.filter((r) => r.auth === 'link')) {
    const path = route.path.replace('{token}', token);
    const json =
      route.id === 'intake-answers'
        ? { answers: cleanAnswers() }
        : route.id === 'intake-signature'
          ? {
              signature: typedSignature(),
              acknowledgedRiskIds: [],
              agreeToTreatment: true,
              agreeToElectronicRecords: true,
            }
          : undefined;
    out.push([route.id, (await call(route.method, path, json ? { json } : {})).status]);
    if (route.id === 'intake-page') {
      // The HTML page as a browser asks for it, too.
      const html = await call('GET', path, { headers: { accept: 'text/html' } });
      out.push([`${route.id} (html)`, html.status]);
    }
  }
  return out;
}

async function setLinkExpiry(token: string, expiresAt: string) {
  const db = new DynamoDBClient({
    endpoint: inject('dynamoEndpoint'),
    region: 'me-central-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await db.send(
    new UpdateItemCommand({
      TableName: inject('tableName'),
      Key: { [ATTR.pk]: { S: keys.linkPk(hashLinkToken(token)) }, [ATTR.sk]: { S: keys.linkSk } },
      UpdateExpression: 'SET expiresAt = :t',
      ExpressionAttributeValues: { ':t': { S: expiresAt } },
    }),
  );
  db.destroy();
}

describe('tenant isolation: another clinic on every clinic route', () => {
  /** What each clinic route needs besides the path (the route table decides which routes there are). */
  const bodies: Record<string, unknown> = {
    'consent-countersign': { signature: typedSignature('Dr. Intruder'), findingNotes: {} },
    'consent-decline': { reason: 'Not my clinic, but trying anyway.' },
  };

  it('answers 403/404 to a doctor and a coordinator of clinic B for every route naming a clinic A consent — and nothing changes', async () => {
    const signed = await signedConsent(coordinator, {}, { fullName: 'Tenant Awaiting' });
    const invited = await invite(coordinator, { fullName: 'Tenant Invited' });
    const final = await signedConsent(coordinator, {}, { fullName: 'Tenant Final' });
    await countersign(final.consentId);
    const ids = [signed.consentId, invited.inviteId, final.consentId];
    const before = await Promise.all(ids.map((id) => detail(id)));

    const clinicB = `other-${Date.now().toString(36)}`;
    const intruders = [await login('doctor', clinicB), await login('coordinator', clinicB)];
    const consentRoutes = routes.filter((r) => r.auth === 'staff' && r.path.includes('{consentId}'));
    expect(consentRoutes.map((r) => r.id).sort()).toEqual(
      [
        'consent-countersign',
        'consent-decline',
        'consent-fhir',
        'consent-get',
        'consent-pdf',
        'revoke-link',
      ].sort(),
    );
    for (const token of intruders) {
      for (const route of consentRoutes) {
        for (const id of ids) {
          const json = bodies[route.id];
          const r = await call(route.method, route.path.replace('{consentId}', id), {
            token,
            ...(json ? { json } : {}),
          });
          expect([403, 404], `${route.id} ${id}`).toContain(r.status);
          expect(JSON.stringify(r.body)).not.toMatch(/Tenant (Awaiting|Invited|Final)/);
        }
      }
      // The list (and its search) is the caller's clinic only, whatever the query.
      for (const query of [
        '',
        '?q=tenant',
        '?status=awaiting_countersign',
        '?status=countersigned',
        '?status=invited',
      ]) {
        const list = await call<{ items: Array<{ consentId: string }> }>('GET', `/clinic/consents${query}`, {
          token,
        });
        expect(list.status).toBe(200);
        expect(list.body.items.map((i) => i.consentId).filter((id) => ids.includes(id))).toEqual([]);
      }
      // Inviting into clinic A's branch is refused: the branch must be the caller's own.
      const r = await call('POST', '/clinic/invites', {
        token,
        json: {
          patient: { fullName: 'X', email: uniqueEmail(), locale: 'en' },
          treatmentId: 'mesotherapy',
          branchId: 'jumeirah',
        },
      });
      expect(r.status).toBe(400);
    }

    // Nothing changed: same status and versions, no event by anyone but the mailer (which may still be
    // delivering the final e-mails); the invited patient's link still works.
    const byPeople = (d: Reply<Detail>) => d.body.events.filter((e) => e.actor.kind !== 'system');
    const after = await Promise.all(ids.map((id) => detail(id)));
    after.forEach((a, i) => {
      const b = before[i] as Reply<Detail>;
      expect(a.body.status).toBe(b.body.status);
      expect(a.body.linkRevoked).toBe(false);
      expect(a.body.pdfVersions).toEqual(b.body.pdfVersions);
      expect(byPeople(a)).toEqual(byPeople(b));
    });
    expect((await call('GET', `/intake/${invited.linkToken}`)).status).toBe(200);
  });

  it('answers 401 on every clinic route without a valid token', async () => {
    const c = await invite(coordinator);
    for (const route of routes.filter((r) => r.auth === 'staff')) {
      const path = route.path.replace('{consentId}', c.inviteId);
      for (const token of [undefined, 'not.a.jwt', `${coordinator.slice(0, -4)}AAAA`]) {
        const r = await call(route.method, path, {
          ...(token ? { token } : {}),
          ...(route.method === 'POST' ? { json: {} } : {}),
        });
        expect(r.status, `${route.id} ${token ?? 'none'}`).toBe(401);
      }
    }
  });
});

describe('intake links', () => {
  it('a used link cannot sign again, nor change answers: replay → 409, one signature on record', async () => {
    const c = await signedConsent(coordinator);
    const replay = await sign(c.linkToken, []);
    expect(replay.status).toBe(409);
    expect(replay.body).toMatchObject({ error: 'conflict' });
    expect((await answer(c.linkToken)).status).toBe(409);
    const d = await detail(c.consentId);
    expect(d.body.events.filter((e) => e.type === 'signed')).toHaveLength(1);
    expect(d.body.pdfVersions).toHaveLength(1);
  });

  it('an expired link → 410 on every patient route, before and after signing', async () => {
    const fresh = await invite(coordinator);
    const done = await signedConsent(coordinator);
    for (const token of [fresh.linkToken, done.linkToken]) {
      await setLinkExpiry(token, '2020-01-01T00:00:00.000Z');
      for (const [route, status] of await everyPatientRoute(token)) expect(status, route).toBe(410);
    }
  });

  it('revoking a link: staff only, before signing, one conditional write with link_revoked; then 410 everywhere', async () => {
    const email = uniqueEmail('revoked');
    const inv = await invite(coordinator, { email }, { sendEmail: true });
    const [mail] = await waitForEmails((e) => e.destination.to.includes(email));
    const mailedToken = /\/intake\/([A-Za-z0-9_-]{43})/.exec(mail?.body.text ?? '')?.[1] as string;
    expect((await call('GET', `/intake/${mailedToken}`)).status).toBe(200);

    expect((await call('POST', `/clinic/consents/${inv.inviteId}/revoke-link`)).status).toBe(401);
    const r = await call<{ linkRevoked: boolean; status: string }>(
      'POST',
      `/clinic/consents/${inv.inviteId}/revoke-link`,
      { token: coordinator },
    );
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('application/json');
    expect(r.body).toMatchObject({ consentId: inv.inviteId, linkRevoked: true, status: 'invited' });

    // Both links of the consent (hand-over and e-mailed) are dead on every patient route.
    for (const token of [inv.linkToken, mailedToken]) {
      for (const [route, status] of await everyPatientRoute(token)) expect(status, route).toBe(410);
    }
    const again = await call('POST', `/clinic/consents/${inv.inviteId}/revoke-link`, { token: doctor });
    expect(again.status).toBe(200);
    const d = await detail(inv.inviteId);
    expect(d.body.linkRevoked).toBe(true);
    const revoked = d.body.events.filter((e) => e.type === 'link_revoked');
    expect(revoked).toHaveLength(1); // revoking again writes nothing
    expect(revoked[0]?.actor.kind).toBe('staff');
    const list = await call<{ items: Array<{ consentId: string; linkRevoked: boolean }> }>(
      'GET',
      '/clinic/consents?status=invited',
      { token: coordinator },
    );
    expect(list.body.items.find((i) => i.consentId === inv.inviteId)?.linkRevoked).toBe(true);
  });

  it('a doctor may revoke an answered link; after the patient signs, revoking is a 409 and the link stays', async () => {
    const answered = await invite(coordinator);
    expect((await answer(answered.linkToken)).status).toBe(200);
    expect(
      (await call('POST', `/clinic/consents/${answered.inviteId}/revoke-link`, { token: doctor })).status,
    ).toBe(200);
    expect((await answer(answered.linkToken)).status).toBe(410);

    const signed = await signedConsent(coordinator);
    const late = await call('POST', `/clinic/consents/${signed.consentId}/revoke-link`, {
      token: coordinator,
    });
    expect(late.status).toBe(409);
    expect(late.body).toMatchObject({ error: 'conflict' });
    expect((await call('GET', `/intake/${signed.linkToken}/consent.pdf`)).status).toBe(200);
    expect((await detail(signed.consentId)).body.events.some((e) => e.type === 'link_revoked')).toBe(false);
  });
});

/** Hostile text in every field a person types. */
const SCRIPT = '<script>alert(1)</script>';
const IMG = '"><img src=x onerror=alert(1)>';
const ARABIC = 'ليلى<script>alert(1)</script>';
/** What must never appear in HTML: a tag the payloads would open. */
const RAW_MARKUP = [/<script>alert/i, /<img src=x/i, /alert\(1\)<\/script>/i, /onerror=alert\(1\)>/i];

function expectEscaped(html: string, where: string) {
  for (const raw of RAW_MARKUP) expect(html, where).not.toMatch(raw);
}

function pdfText(pdf: Uint8Array): string {
  const doc = new mupdf.PDFDocument(pdf);
  const pages: string[] = [];
  for (let i = 0; i < doc.countPages(); i++)
    pages.push(doc.loadPage(i).toStructuredText('preserve-whitespace').asText());
  return pages.join('\n');
}

/** No object of the PDF can run anything: no JavaScript, actions, launches or additional actions. */
function expectInertPdf(pdf: Uint8Array) {
  const doc = new mupdf.PDFDocument(pdf);
  const found: string[] = [];
  for (let num = 1; num < doc.countObjects(); num++) {
    const obj = doc.newIndirect(num).resolve();
    if (!obj.isDictionary()) continue;
    obj.forEach((value, key) => {
      if (['JS', 'JavaScript', 'OpenAction', 'AA', 'Launch'].includes(String(key)))
        found.push(`${num}:${key}`);
      if (String(key) === 'S' && ['/JavaScript', '/Launch', '/URI'].includes(String(value)))
        found.push(`${num}:S`);
    });
  }
  expect(found).toEqual([]);
}

describe('output encoding: hostile text in every field', () => {
  const fullName = `Nour ${IMG} ${ARABIC}`;
  const email = `o'neil+${Date.now().toString(36)}@example.test`; // ' is the one markup character an address may hold
  const details = {
    bloodThinners: true,
    bloodThinnerDetails: SCRIPT,
    allergies: true,
    allergyDetails: IMG,
    previousReaction: true,
    previousReactionDetails: ARABIC,
    currentMedications: `Vitamin D ${SCRIPT}`,
  };
  const notes = { bloodThinners: SCRIPT, allergies: IMG, previousReaction: ARABIC };
  const patientSignature = `${ARABIC} ${SCRIPT}`;
  const doctorSignature = IMG;
  const declinedName = `Sara ${SCRIPT}`;
  const declineReason = `${ARABIC} ${IMG}`;
  let consentId: string;
  let linkToken: string;
  let declinedId: string;
  let patientCopy: Uint8Array;

  beforeAll(async () => {
    const inv = await invite(coordinator, { fullName, email }, { sendEmail: true });
    linkToken = inv.linkToken;
    await waitForEmails((e) => e.destination.to.includes(email)); // the invite, before anything is signed
    const a = await answer(linkToken, details);
    expect(a.status).toBe(200);
    const riskIds = (a.body.consent?.risks ?? []).map((r) => r.id);
    const s = await sign(linkToken, riskIds, typedSignature(patientSignature));
    expect(s.status).toBe(201);
    consentId = s.body.consentId;
    patientCopy = bytes(await call('GET', `/intake/${linkToken}/consent.pdf`));
    await countersign(consentId, notes, doctorSignature);

    const declined = await signedConsent(coordinator, {}, { fullName: declinedName });
    declinedId = declined.consentId;
    const d = await call('POST', `/clinic/consents/${declinedId}/decline`, {
      token: doctor,
      json: { reason: declineReason },
    });
    expect(d.status).toBe(200);
  });

  it('a phone number with markup is refused (400), so it never reaches a page, an e-mail or a header', async () => {
    const r = await call('POST', '/clinic/invites', {
      token: coordinator,
      json: {
        patient: { fullName: 'Phone Test', email: uniqueEmail(), phone: SCRIPT, locale: 'en' },
        treatmentId: 'mesotherapy',
      },
    });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ error: 'validation_failed', issues: [{ path: 'patient.phone' }] });
  });

  it('JSON carries the text as data, exactly as typed, as application/json', async () => {
    const page = await call<{ invite: { patientName: string } }>('GET', `/intake/${linkToken}`);
    expect(page.headers.get('content-type')).toMatch(/^application\/json/);
    expect(page.body.invite.patientName).toBe(fullName);
    const d = await call<{
      patient: { fullName: string; email: string };
      answers: Record<string, unknown>;
      findingNotes: Record<string, string>;
      signatures: { patient: { typedName: string }; doctor: { typedName: string } };
    }>('GET', `/clinic/consents/${consentId}`, { token: doctor });
    expect(d.headers.get('content-type')).toMatch(/^application\/json/);
    expect(d.body.patient).toMatchObject({ fullName, email });
    expect(d.body.answers).toMatchObject(details);
    expect(d.body.findingNotes).toEqual(notes);
    expect(d.body.signatures.patient.typedName).toBe(patientSignature);
    expect(d.body.signatures.doctor.typedName).toBe(doctorSignature);
    const declined = await call<{ declineReason: string; patient: { fullName: string } }>(
      'GET',
      `/clinic/consents/${declinedId}`,
      { token: doctor },
    );
    expect(declined.body).toMatchObject({ declineReason, patient: { fullName: declinedName } });
    const list = await call<{ items: Array<{ consentId: string; patientName: string }> }>(
      'GET',
      '/clinic/consents?q=nour',
      { token: doctor },
    );
    expect(list.headers.get('content-type')).toMatch(/^application\/json/);
    expect(list.body.items.find((i) => i.consentId === consentId)?.patientName).toBe(fullName);
  });

  it('the intake page and the clinic page never echo it: they render data client-side, as text', async () => {
    for (const path of [`/intake/${linkToken}`, '/clinic']) {
      const res = await call('GET', path, { headers: { accept: 'text/html' } });
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      const html = res.text;
      expectEscaped(html, path);
      expect(html).not.toContain('Nour');
      expect(html).toContain('<meta name="referrer" content="no-referrer"');
    }
    // The page scripts put user text into the DOM only as text (never as markup).
    const dir = join(import.meta.dirname, '../../templates/pages/assets');
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.js') && !f.includes('.min.'))) {
      const source = readFileSync(join(dir, file), 'utf8').replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, '');
      expect(source, file).not.toMatch(
        /\.innerHTML\s*=|\.outerHTML\s*=|insertAdjacentHTML|document\.write\(/,
      );
    }
  });

  it('HTML e-mails escape it (invite, awaiting-countersignature notice, final e-mails)', async () => {
    const mine = (e: StoredEmail) =>
      e.destination.to.includes(email) || e.subject.includes('Nour') || e.subject.includes(declinedName);
    await waitForEmails((e) => e.attachments?.some((a) => a.filename === `consent-${consentId}.pdf`), 2);
    await waitForEmails((e) => e.subject.includes(declinedName));
    await waitForEmails((e) => e.destination.to.includes(email) && !e.attachments?.length);
    const mails = (await sentEmails()).filter(mine);
    // invite + final to the patient; signed notice ×2 (both consents) + final to the archive
    expect(mails.length).toBeGreaterThanOrEqual(5);
    for (const mail of mails) {
      const html = mail.body.html ?? '';
      expect(html, mail.subject).not.toBe('');
      expectEscaped(html, mail.subject);
    }
    const withName = mails.filter((m) => m.subject.includes('Nour'));
    expect(withName.length).toBeGreaterThan(0);
    for (const mail of withName)
      expect(mail.body.html).toContain('&#34;&#62;&#60;img src=x onerror=alert(1)&#62;');
    expect(mails.some((m) => m.body.html?.includes('&#60;script&#62;alert(1)&#60;/script&#62;'))).toBe(true);
  });

  it('the PDFs show it as literal text and can run nothing', async () => {
    const final = bytes(await call('GET', `/clinic/consents/${consentId}/pdf`, { token: doctor }));
    const flat = (s: string) => s.replace(/\s+/g, '');
    const text = flat(pdfText(final));
    for (const literal of [SCRIPT, IMG, ARABIC, patientSignature, `VitaminD${SCRIPT}`]) {
      expect(text, literal).toContain(flat(literal));
    }
    expect(flat(pdfText(patientCopy))).toContain(flat(SCRIPT));
    // The audit page names how the patient was identified with the address masked.
    expect(text).toContain(flat('e-mailed to o***@example.test'));
    expectInertPdf(final);
    expectInertPdf(patientCopy);
  });
});

describe('/verify and the seal', () => {
  let finalPdf: Uint8Array;
  let patientPdf: Uint8Array;
  let consentId: string;

  beforeAll(async () => {
    const c = await signedConsent(
      coordinator,
      {},
      { fullName: 'Verify Patient', email: uniqueEmail('verify') },
    );
    consentId = c.consentId;
    patientPdf = bytes(await call('GET', `/intake/${c.linkToken}/consent.pdf`));
    const { pdfSha256 } = await countersign(consentId);
    finalPdf = bytes(await call('GET', `/clinic/consents/${consentId}/pdf`, { token: doctor }));
    expect(sha256(finalPdf)).toBe(pdfSha256); // the stored and hashed bytes are the sealed ones
  });

  const verify = (pdf: Uint8Array, contentType: string | undefined = 'application/pdf') =>
    call<{
      valid: boolean;
      consentId?: string;
      status?: string;
      seal: { present: boolean; intact: boolean; trusted: boolean; signer?: string; signedAt?: string };
    }>('POST', '/verify', { body: pdf, headers: contentType ? { 'content-type': contentType } : {} });

  it('the final version is issued and sealed intact; the patient-signed version is issued and unsealed', async () => {
    const f = await verify(finalPdf);
    expect(f.headers.get('content-type')).toMatch(/^application\/json/);
    expect(f.body).toMatchObject({
      valid: true,
      consentId,
      status: 'countersigned',
      seal: { present: true, intact: true, trusted: true, signer: 'meso-consent local seal (not trusted)' },
    });
    expect(Date.parse(f.body.seal.signedAt ?? '')).not.toBeNaN();
    const p = await verify(patientPdf);
    expect(p.body).toMatchObject({
      valid: true,
      consentId,
      seal: { present: false, intact: false, trusted: false },
    });
    for (const reply of [f, p]) {
      const json = JSON.stringify(reply.body);
      expect(json).not.toContain('Verify Patient');
      expect(json).not.toContain('@example.test');
      expect(json).not.toContain('1990-05-14');
    }
  });

  it('a changed byte anywhere: not an issued version, and the seal is broken', async () => {
    const text = Buffer.from(finalPdf).toString('latin1');
    const contents = text.indexOf('/Contents <') + 20;
    for (const at of [200, Math.floor(finalPdf.length / 2), contents, finalPdf.length - 10]) {
      const tampered = Buffer.from(finalPdf);
      tampered[at] = (tampered[at] ?? 0) ^ 0x01;
      const r = await verify(tampered);
      expect(r.status).toBe(200);
      expect(r.body, `byte ${at}`).toMatchObject({ valid: false, seal: { present: true, intact: false } });
      expect(r.body.consentId).toBeUndefined();
    }
  });

  it('the genuine PDF is recognised whatever binary content type it comes with (curl --data-binary sends form-urlencoded)', async () => {
    for (const type of ['application/x-www-form-urlencoded', 'application/octet-stream', undefined]) {
      const r = await verify(finalPdf, type);
      expect(r.status, String(type)).toBe(200);
      expect(r.body, String(type)).toMatchObject({
        valid: true,
        consentId,
        seal: { intact: true, trusted: true },
      });
    }
  });

  it('sent as text (its bytes decoded on the way): 415 unsupported_media_type naming the right content type, never "not valid"', async () => {
    for (const type of ['text/plain', 'text/plain; charset=utf-8', 'application/json']) {
      const r = await verify(finalPdf, type);
      expect(r.status, type).toBe(415);
      expect(r.body, type).toEqual({
        error: 'unsupported_media_type',
        message: expect.stringContaining('Content-Type: application/pdf'),
      });
    }
    // Not a PDF at all stays a 400, whatever the type.
    const notPdf = await verify(Buffer.from('hello, not a pdf'), 'text/plain');
    expect(notPdf.status).toBe(400);
    expect(notPdf.body).toMatchObject({ error: 'validation_failed' });
  });

  it("re-sealed with a forger's own certificate under the same name: the seal is intact but not trusted", async () => {
    const forger = await generateLocalSealIdentity({ commonName: 'meso-consent local seal (not trusted)' });
    const forged = await sealPdf(finalPdf, new LocalSealSigner(forger.keyPem, forger.certificatePem), {
      reason: `Consent ${consentId}: countersigned by the clinic`,
      location: 'Demo Aesthetics Clinic',
      contactInfo: 'Check this document at /verify',
    });
    const r = await verify(forged);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      valid: false,
      seal: { present: true, intact: true, trusted: false, signer: 'meso-consent local seal (not trusted)' },
    });
  });
});

/**
 * The whole flow in this process, on its own ports with LOG_LEVEL=DEBUG, reading every line written to
 * stdout/stderr or the console (Powertools writes JSON lines to stdout): none may carry the patient's
 * name, e-mail, phone, date of birth, answers, signature name, the doctor's notes, or a link token.
 */
describe('logs carry no patient data', () => {
  const lines: string[] = [];
  let stack: TestStack | undefined;
  const restore: Array<() => void> = [];

  beforeAll(async () => {
    const capture = (chunk: unknown) => {
      lines.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
    };
    for (const stream of [process.stdout, process.stderr]) {
      const original = stream.write.bind(stream);
      stream.write = ((chunk: unknown, ...rest: unknown[]) => {
        capture(chunk);
        return (original as (c: unknown, ...r: unknown[]) => boolean)(chunk, ...rest);
      }) as typeof stream.write;
      restore.push(() => {
        stream.write = original;
      });
    }
    for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      const original = console[level];
      console[level] = (...args: unknown[]) => {
        capture(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
        original(...args);
      };
      restore.push(() => {
        console[level] = original;
      });
    }
    process.env.LOG_LEVEL = 'DEBUG';
    stack = await startTestStack({ sweepIntervalMs: 1000, log: capture });
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    for (const undo of restore) undo();
  });

  it('runs invite → open → answers → sign → download → countersign → e-mails → verify → decline → revoke, logging no PHI', async () => {
    const client = new Api(stack?.appUrl as string, stack?.sesUrl);
    const req = async (
      method: string,
      path: string,
      opts: { token?: string; json?: unknown; body?: Uint8Array } = {},
    ) => {
      const headers: Record<string, string> = { 'user-agent': 'log-test' };
      if (opts.body) headers['content-type'] = 'application/pdf';
      const r = await client.call<never>(method, path, { ...opts, headers });
      return { status: r.status, body: r.body };
    };
    const staff = async (role: 'doctor' | 'coordinator') =>
      (
        (await req('POST', '/local/login', { json: { email: `${role}@demo-clinic.example.test`, role } }))
          .body as {
          token: string;
        }
      ).token;
    const coord = await staff('coordinator');
    const doc = await staff('doctor');

    const secrets = {
      name: 'Zainab Quraishi-Logtest',
      email: 'zainab.logtest.secret@example.test',
      phone: '+971 50 123 4567',
      dob: '1987-03-09',
      bloodThinnerDetails: 'Warfarin-secret-dose 5mg',
      allergyDetails: 'Penicillin-secret-rash',
      currentMedications: 'Metformin-secret-500',
      signatureName: 'Zainab Q. Signature-secret',
      note: 'Doctor-note-secret: pause warfarin',
      declineReason: 'Decline-secret-reason',
    };
    const inv = await req('POST', '/clinic/invites', {
      token: coord,
      json: {
        patient: { fullName: secrets.name, email: secrets.email, phone: secrets.phone, locale: 'en' },
        treatmentId: 'mesotherapy',
        sendEmail: true,
      },
    });
    expect(inv.status).toBe(201);
    const { intakeUrl, inviteId } = inv.body as { intakeUrl: string; inviteId: string };
    const token = intakeUrl.split('/').pop() as string;
    expect((await req('GET', `/intake/${token}`)).status).toBe(200);
    await client.call('GET', `/intake/${token}`, { headers: { accept: 'text/html' } });
    // A rejected request with PHI in it must not be logged either.
    expect(
      (
        await req('POST', `/intake/${token}/answers`, {
          json: { answers: { dateOfBirth: secrets.dob, pregnant: 'x' } },
        })
      ).status,
    ).toBe(400);
    const a = await req('POST', `/intake/${token}/answers`, {
      json: {
        answers: cleanAnswers({
          dateOfBirth: secrets.dob,
          bloodThinners: true,
          bloodThinnerDetails: secrets.bloodThinnerDetails,
          allergies: true,
          allergyDetails: secrets.allergyDetails,
          currentMedications: secrets.currentMedications,
        }),
      },
    });
    expect(a.status).toBe(200);
    const risks = ((a.body as { consent: { risks: Array<{ id: string }> } }).consent.risks ?? []).map(
      (r) => r.id,
    );
    const s = await req('POST', `/intake/${token}/signature`, {
      json: {
        signature: { kind: 'typed', name: secrets.signatureName },
        acknowledgedRiskIds: risks,
        agreeToTreatment: true,
        agreeToElectronicRecords: true,
      },
    });
    expect(s.status).toBe(201);
    const consentId = (s.body as { consentId: string }).consentId;
    expect(consentId).toBe(inviteId);
    expect((await req('GET', `/intake/${token}/consent.pdf`)).status).toBe(200);
    expect(
      (
        await req('POST', `/intake/${token}/signature`, {
          json: { signature: { kind: 'typed', name: secrets.signatureName } },
        })
      ).status,
    ).toBe(409);
    expect((await req('GET', '/clinic/consents?q=zainab', { token: doc })).status).toBe(200);
    expect((await req('GET', `/clinic/consents/${consentId}`, { token: doc })).status).toBe(200);
    const cs = await req('POST', `/clinic/consents/${consentId}/countersign`, {
      token: doc,
      json: {
        signature: { kind: 'typed', name: 'Dr. Log Test' },
        findingNotes: { bloodThinners: secrets.note, allergies: secrets.note },
      },
    });
    expect(cs.status).toBe(200);
    const final = (await req('GET', `/clinic/consents/${consentId}/pdf`, { token: doc })).body as Uint8Array;
    expect((await req('POST', '/verify', { body: final })).status).toBe(200);

    // A second patient: declined with a reason; a third: link revoked.
    const inv2 = await req('POST', '/clinic/invites', {
      token: coord,
      json: {
        patient: { fullName: `${secrets.name} Two`, email: `two.${secrets.email}`, locale: 'ar' },
        treatmentId: 'mesotherapy',
      },
    });
    const token2 = (inv2.body as { intakeUrl: string }).intakeUrl.split('/').pop() as string;
    const a2 = await req('POST', `/intake/${token2}/answers`, {
      json: { answers: cleanAnswers({ dateOfBirth: secrets.dob }) },
    });
    const risks2 = ((a2.body as { consent: { risks: Array<{ id: string }> } }).consent.risks ?? []).map(
      (r) => r.id,
    );
    const s2 = await req('POST', `/intake/${token2}/signature`, {
      json: {
        signature: { kind: 'typed', name: secrets.signatureName },
        acknowledgedRiskIds: risks2,
        agreeToTreatment: true,
        agreeToElectronicRecords: true,
      },
    });
    const id2 = (s2.body as { consentId: string }).consentId;
    expect(
      (
        await req('POST', `/clinic/consents/${id2}/decline`, {
          token: doc,
          json: { reason: secrets.declineReason },
        })
      ).status,
    ).toBe(200);
    const inv3 = await req('POST', '/clinic/invites', {
      token: coord,
      json: {
        patient: { fullName: `${secrets.name} Three`, email: `three.${secrets.email}`, locale: 'en' },
        treatmentId: 'mesotherapy',
      },
    });
    const { inviteId: id3, intakeUrl: url3 } = inv3.body as { inviteId: string; intakeUrl: string };
    expect((await req('POST', `/clinic/consents/${id3}/revoke-link`, { token: coord })).status).toBe(200);
    expect((await req('GET', `/intake/${url3.split('/').pop()}`)).status).toBe(410);

    // Wait for the mailer: invite (with its own e-mailed token), notices, final e-mails with the PDF.
    let mails: StoredEmail[] = [];
    for (let i = 0; i < 100; i++) {
      mails = await client.sentEmails();
      if (
        mails.filter((m) => m.attachments?.some((x) => x.filename === `consent-${consentId}.pdf`)).length >= 2
      )
        break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const mailedToken = /\/intake\/([A-Za-z0-9_-]{43})/.exec(
      mails.find((m) => m.destination.to.includes(secrets.email) && !m.attachments?.length)?.body.text ?? '',
    )?.[1];
    expect(mailedToken).toBeDefined();
    expect(mails.filter((m) => m.attachments?.length).length).toBeGreaterThanOrEqual(2);
    await new Promise((r) => setTimeout(r, 500)); // the last mailer log lines

    // The logs said something (requests, mail) — and nothing about the patient.
    const all = lines.join('\n');
    expect(lines.filter((l) => l.includes('"message":"request"')).length).toBeGreaterThan(15);
    expect(all).toContain('"message":"mail"');
    expect(all).toContain(consentId); // ids are fine, and present
    const forbidden = [
      ...Object.values(secrets),
      'Zainab',
      'zainab.logtest.secret',
      '123 4567',
      '1234567',
      token,
      token2,
      url3.split('/').pop() as string,
      mailedToken as string,
      hashLinkToken(token),
    ];
    for (const secret of forbidden) {
      const hits = lines.filter((l) => l.toLowerCase().includes(secret.toLowerCase()));
      expect(hits, `log lines containing ${secret}`).toEqual([]);
    }
  }, 180_000);
});
