import { describe, expect, it } from 'vitest';
import { whatsappInviteText } from '../../functions/documents/email/render';
import { branchCountry, toE164 } from '../../functions/domain/phone';
import { whatsappLink } from '../../functions/workflow/invites';

const dubai = { phone: '+971 4 000 0000', timeZone: 'Asia/Dubai' };
const cairo = { phone: '+20 2 0000 0000', timeZone: 'Africa/Cairo' };

describe('phone numbers', () => {
  it('assume the branch country when no code is given', () => {
    expect(toE164('050 123 4567', branchCountry(dubai))).toBe('+971501234567');
    expect(toE164('010 1234 5678', branchCountry(cairo))).toBe('+201012345678');
    // The branch's time zone decides when its own number does not parse.
    expect(toE164('050 123 4567', branchCountry({ phone: '', timeZone: 'Asia/Dubai' }))).toBe(
      '+971501234567',
    );
  });
  it('keep a number that has its own country code', () => {
    expect(toE164('+44 20 7946 0958', branchCountry(dubai))).toBe('+442079460958');
    expect(toE164('+20 101 234 5678', branchCountry(dubai))).toBe('+201012345678');
  });
  it('refuse numbers that cannot exist', () => {
    expect(toE164('050 12', branchCountry(dubai))).toBeUndefined();
    expect(toE164('000 000 0000', branchCountry(dubai))).toBeUndefined();
    expect(toE164('0501234567', undefined)).toBeUndefined();
  });
});

describe('the WhatsApp hand-off', () => {
  const props = {
    patientName: 'Layla Haddad',
    clinicName: 'Demo Aesthetics Clinic',
    branchPhone: '+971 4 000 0000',
    treatment: 'Mesotherapy',
    link: 'https://consents.example.test/intake/abc',
    expiresOn: '2026-12-09',
  };
  it('is written in the patient language and names the clinic and the patient', () => {
    const en = whatsappInviteText({ ...props, locale: 'en' });
    expect(en).toMatch(/^Hello Layla Haddad, this is Demo Aesthetics Clinic\./);
    expect(en).toContain('https://consents.example.test/intake/abc');
    const ar = whatsappInviteText({ ...props, locale: 'ar', treatment: 'الميزوثيرابي' });
    expect(ar).toContain('مرحباً');
    expect(ar).toContain('\u2068Layla Haddad\u2069');
    expect(ar).toContain('\u2068Demo Aesthetics Clinic\u2069');
    // The link stays outside any isolate so WhatsApp links it.
    expect(ar).toContain(' https://consents.example.test/intake/abc\n');
  });
  it('goes to wa.me with the E.164 digits, never a local 0-number', () => {
    const url = whatsappLink('+971501234567', { ...props, locale: 'en' });
    expect(url.startsWith('https://wa.me/971501234567?text=')).toBe(true);
    expect(decodeURIComponent(url.split('text=')[1] ?? '')).toContain('Layla Haddad');
  });
});
