import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { buildMime, encodeHeader } from '../../functions/documents/email/mime';
import {
  clinicNoticeEmail,
  finalEmail,
  inviteEmail,
  sampleInviteProps,
} from '../../functions/documents/email/render';
import strings from '../../templates/i18n/email.json';

describe('e-mail templates', () => {
  it('render the invite in the patient language, Arabic right-to-left', () => {
    const en = inviteEmail(sampleInviteProps);
    expect(en.subject).toBe('Your consent form for Mesotherapy at Demo Aesthetics Clinic');
    expect(en.html).toContain('dir="ltr"');
    expect(en.text).toContain(sampleInviteProps.link);
    const ar = inviteEmail({
      ...sampleInviteProps,
      locale: 'ar',
      treatment: 'الميزوثيرابي',
      patientName: 'ليلى حداد',
    });
    expect(ar.html).toContain('dir="rtl"');
    expect(ar.html).toContain('lang="ar"');
    expect(ar.subject).toContain('نموذج الموافقة');
    expect(ar.text).toContain('ليلى حداد');
  });

  it('isolate names and numbers, and carry the direction on the content itself (clients drop <body> attributes)', () => {
    const ar = inviteEmail({
      ...sampleInviteProps,
      locale: 'ar',
      treatment: 'الميزوثيرابي',
      patientName: 'Layla Haddad',
      branchPhone: '+971 4 000 0000',
    });
    expect(ar.html).toMatch(/<div dir="rtl" lang="ar"[^>]*text-align:right/);
    expect(ar.html).toContain('<bdi>Layla Haddad</bdi>');
    expect(ar.html).toContain('<bdi>+971 4 000 0000</bdi>');
    // Plain text and subject: FSI … PDI around the Latin name and the number inside Arabic.
    expect(ar.text).toContain('\u2068Layla Haddad\u2069');
    expect(ar.text).toContain('\u2068+971 4 000 0000\u2069');
    const en = inviteEmail({ ...sampleInviteProps, patientName: 'ليلى حداد' });
    expect(en.text).toContain('\u2068ليلى حداد\u2069');
    expect(en.subject).toBe('Your consent form for Mesotherapy at Demo Aesthetics Clinic');
  });

  it('escape every interpolated value in HTML', () => {
    const evil = '<script>alert(1)</script>"><img src=x onerror=alert(2)>';
    const mail = inviteEmail({ ...sampleInviteProps, patientName: evil, clinicName: evil });
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).not.toContain('<img');
    expect(mail.html).toContain('&#60;script&#62;');
  });

  it('clinic notices carry no health data, only the name and a dashboard link', () => {
    const n = clinicNoticeEmail({
      locale: 'en',
      kind: 'ineligible',
      patientName: 'Mona Salem',
      clinicName: 'Demo',
      branchName: 'Jumeirah',
      treatment: 'Mesotherapy',
      dashboardUrl: 'http://x/clinic#/consents/1',
    });
    expect(n.text).toContain('Mona Salem');
    expect(n.text.toLowerCase()).not.toMatch(/pregnan|heart|cancer|diabetes/);
  });

  it('every English string has its Arabic twin', () => {
    expect(Object.keys(strings.ar).sort()).toEqual(Object.keys(strings.en).sort());
  });
});

describe('MIME', () => {
  it('builds a message that a real parser reads back: Arabic subject, both parts, PDF attachment', async () => {
    const pdf = Buffer.from('%PDF-1.7\nfake pdf bytes\n%%EOF');
    const rendered = finalEmail({
      locale: 'ar',
      audience: 'patient',
      patientName: 'ليلى حداد',
      clinicName: 'عيادة التجميل التجريبية',
      branchName: 'جميرا',
      treatment: 'الميزوثيرابي',
      doctorName: 'د. أمل ناصر',
      consentId: '01J',
      sha256: 'abc',
      verifyUrl: 'http://x/verify',
    });
    const raw = buildMime({
      from: 'Demo Clinic <consents@example.test>',
      to: 'layla@example.test',
      ...rendered,
      attachments: [{ filename: 'consent-01J.pdf', contentType: 'application/pdf', content: pdf }],
    });
    const parsed = await simpleParser(Buffer.from(raw));
    expect(parsed.subject).toBe(rendered.subject);
    expect(parsed.text?.trim()).toContain('ليلى حداد');
    expect(parsed.html).toContain('dir="rtl"');
    expect(parsed.attachments).toHaveLength(1);
    expect(parsed.attachments[0]?.contentType).toBe('application/pdf');
    expect(Buffer.compare(parsed.attachments[0]?.content as Buffer, pdf)).toBe(0);
  });

  it('refuses CR/LF in anything that reaches a header', () => {
    const base = { from: 'a@example.test', to: 'b@example.test', subject: 'ok', text: 't', html: 'h' };
    expect(() => buildMime({ ...base, subject: 'hi\r\nBcc: victim@example.test' })).toThrow(/line break/);
    expect(() => buildMime({ ...base, to: 'b@example.test\nBcc: x@example.test' })).toThrow(/line break/);
  });

  it('encodes non-ASCII headers as RFC 2047 words of legal length', () => {
    const h = encodeHeader('نموذج الموافقة الخاص بك لجلسة الميزوثيرابي في عيادة التجميل التجريبية');
    for (const word of h.split('\r\n ')) {
      expect(word).toMatch(/^=\?UTF-8\?B\?[A-Za-z0-9+/=]+\?=$/);
      expect(word.length).toBeLessThanOrEqual(75);
    }
    expect(encodeHeader('plain ascii')).toBe('plain ascii');
  });
});
