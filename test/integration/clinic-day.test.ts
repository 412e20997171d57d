import { beforeAll, describe, expect, it } from 'vitest';
import { call, login, uniqueEmail } from './client';

/** The clinic's day (issue 12): phone numbers in E.164 with a trustworthy WhatsApp hand-off, branches. */
let coordinator: string;

beforeAll(async () => {
  coordinator = await login('coordinator');
});

const invite = (phone: string, extra: Record<string, unknown> = {}, locale: 'en' | 'ar' = 'en') =>
  call<{ inviteId: string; whatsappUrl: string | null }>('POST', '/clinic/invites', {
    token: coordinator,
    json: {
      patient: { fullName: 'Layla Haddad', email: uniqueEmail(), phone, locale },
      treatmentId: 'mesotherapy',
      ...extra,
    },
  });

describe('phone numbers and the WhatsApp hand-off', () => {
  it('a local number at a Dubai branch is stored as +971… and handed to wa.me in E.164', async () => {
    const r = await invite('050 123 4567');
    expect(r.status).toBe(201);
    expect(r.body.whatsappUrl?.startsWith('https://wa.me/971501234567?text=')).toBe(true);
    expect(r.body.whatsappUrl).not.toContain('wa.me/0501234567');
    const text = decodeURIComponent(r.body.whatsappUrl?.split('text=')[1] ?? '');
    expect(text).toContain('Layla Haddad');
    expect(text).toMatch(/Demo/);
    const detail = await call<{ patient: { phone: string } }>('GET', `/clinic/consents/${r.body.inviteId}`, {
      token: coordinator,
    });
    expect(detail.body.patient.phone).toBe('+971501234567');
  });

  it('the message is in the patient language', async () => {
    const r = await invite('+971 50 123 4567', {}, 'ar');
    expect(decodeURIComponent(r.body.whatsappUrl?.split('text=')[1] ?? '')).toContain('مرحباً');
  });

  it('a local number at a Cairo branch is +20…', async () => {
    const branches = await call<{ items: Array<{ branchId: string; timeZone: string }> }>(
      'GET',
      '/clinic/branches',
      { token: coordinator },
    );
    const cairo = branches.body.items.find((b) => b.timeZone === 'Africa/Cairo');
    expect(cairo).toBeDefined();
    const r = await invite('010 1234 5678', { branchId: cairo?.branchId });
    expect(r.status).toBe(201);
    expect(r.body.whatsappUrl?.startsWith('https://wa.me/201012345678?')).toBe(true);
  });

  it('a number that cannot exist is a 400 on patient.phone, and nothing is created', async () => {
    const before = await call<{ items: unknown[] }>('GET', '/clinic/consents?q=Layla', {
      token: coordinator,
    });
    const r = await invite('050 12');
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ error: 'validation_failed', issues: [{ path: 'patient.phone' }] });
    const after = await call<{ items: unknown[] }>('GET', '/clinic/consents?q=Layla', { token: coordinator });
    expect(after.body.items.length).toBe(before.body.items.length);
  });
});

describe('GET /clinic/branches', () => {
  it("lists the caller's clinic's branches with their time zones", async () => {
    const r = await call<{ items: Array<Record<string, string>> }>('GET', '/clinic/branches', {
      token: coordinator,
    });
    expect(r.status).toBe(200);
    expect(r.body.items.length).toBeGreaterThanOrEqual(2);
    for (const b of r.body.items) {
      expect(b).toEqual(expect.objectContaining({ branchId: expect.any(String), name: expect.any(String) }));
      expect(b.timeZone).toMatch(/^[A-Za-z]+\/[A-Za-z_]+$/);
    }
    const other = await login('coordinator', 'branch-isolation');
    const theirs = await call<{ items: Array<{ branchId: string }> }>('GET', '/clinic/branches', {
      token: other,
    });
    expect(theirs.body.items.map((b) => b.branchId)).toEqual(['main']);
  });

  it('needs a staff sign-in', async () => {
    expect((await call('GET', '/clinic/branches')).status).toBe(401);
  });
});

describe('a declined consent', () => {
  it('the patient is e-mailed in their language, and their link says the doctor did not countersign', async () => {
    const { api } = await import('./client');
    const doctor = await login('doctor');
    const email = uniqueEmail();
    const s = await api.signed(coordinator, {}, { email, locale: 'ar', fullName: 'ليلى حداد' });
    const d = await call('POST', `/clinic/consents/${s.consentId}/decline`, {
      token: doctor,
      json: { reason: 'Not suitable today: uncontrolled blood pressure' },
    });
    expect(d.status).toBe(200);
    const [mail] = await api.waitForEmails(
      (e) => e.destination.to.includes(email) && e.subject.includes('بخصوص موافقتك'),
    );
    expect(mail?.body.text).toContain('لم يوقّع على موافقتك');
    expect(mail?.body.text).not.toContain('blood pressure');
    const page = await call<{ invite: { status: string } }>('GET', `/intake/${s.linkToken}`);
    expect(page.body.invite.status).toBe('declined');
  });
});

describe('GET /clinic/invites: the links still open', () => {
  it('lists open links oldest expiry first, and leaves out signed, revoked and ineligible ones', async () => {
    const { api } = await import('./client');
    const clinic = `open-links-${Date.now().toString(36)}`;
    const staff = await login('coordinator', clinic);
    const first = await api.invite(staff, { fullName: 'First Patient' });
    const emailedTo = uniqueEmail();
    const emailed = await api.invite(
      staff,
      { fullName: 'Emailed Patient', email: emailedTo, locale: 'ar' },
      { sendEmail: true },
    );
    const revoked = await api.invite(staff, { fullName: 'Revoked Patient' });
    await call('POST', `/clinic/consents/${revoked.consentId}/revoke-link`, { token: staff });
    const ineligible = await api.invite(staff, { fullName: 'Ineligible Patient' });
    expect((await api.answer(ineligible.linkToken, { pregnant: true })).body.screening.outcome).toBe(
      'ineligible',
    );
    const answered = await api.invite(staff, { fullName: 'Answered Patient' });
    await api.answer(answered.linkToken);
    const signed = await api.signed(staff, {}, { fullName: 'Signed Patient' });

    await api.waitForEmails((e) => e.destination.to.includes(emailedTo));
    type OpenList = {
      items: Array<{
        consentId: string;
        patientName: string;
        status: string;
        expiresAt: string;
        lastSentAt: string | null;
        reminders: { sent: number };
      }>;
      nextCursor: string | null;
    };
    // The mailer marks the invite sent right after SES accepts it.
    let r = await call<OpenList>('GET', '/clinic/invites', { token: staff });
    for (let i = 0; i < 50 && !r.body.items.find((x) => x.consentId === emailed.consentId)?.lastSentAt; i++) {
      await new Promise((ok) => setTimeout(ok, 100));
      r = await call<OpenList>('GET', '/clinic/invites', { token: staff });
    }
    expect(r.status).toBe(200);
    expect(r.body.items.find((i) => i.consentId === emailed.consentId)?.lastSentAt).toMatch(/^20\d\d-/);
    const ids = r.body.items.map((i) => i.consentId);
    expect(ids).toEqual(expect.arrayContaining([first.consentId, emailed.consentId, answered.consentId]));
    for (const gone of [revoked.consentId, ineligible.consentId, signed.consentId])
      expect(ids).not.toContain(gone);
    expect(r.body.items).toHaveLength(3);
    const expiries = r.body.items.map((i) => i.expiresAt);
    expect([...expiries].sort()).toEqual(expiries);
    expect(r.body.items.find((i) => i.consentId === answered.consentId)?.status).toBe('answered');
    expect(r.body.items.find((i) => i.consentId === first.consentId)).toMatchObject({
      patientName: 'First Patient',
      lastSentAt: null,
      reminders: { sent: 0 },
    });
    expect(r.body.nextCursor).toBeNull();
    // Another clinic sees none of them.
    const other = await login('coordinator', `${clinic}-other`);
    expect((await call<{ items: unknown[] }>('GET', '/clinic/invites', { token: other })).body.items).toEqual(
      [],
    );
  });
});
