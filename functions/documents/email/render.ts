import strings from '../../../templates/i18n/email.json';
import type { Locale } from '../../domain/template';
import { fillPlaceholders, isolate } from '../../domain/text';

/**
 * E-mail templates are pure render functions: typed props in → subject, HTML and text out, in the
 * recipient's language (Arabic with dir="rtl"). Every interpolated value is HTML-escaped.
 */
type Key = keyof typeof strings.en;

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function t(locale: Locale, key: Key, vars: Record<string, string>): string {
  return fillPlaceholders(strings[locale][key], vars);
}

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

interface Block {
  kind: 'p' | 'button' | 'small';
  key: Key;
  href?: string;
}

/** True when a value has characters that could flow against the sentence's direction. */
function mayRunAgainst(value: string, locale: Locale): boolean {
  return locale === 'ar'
    ? /[A-Za-z0-9\u00c0-\u024f+]/.test(value)
    : /[\u0590-\u08ff\ufb1d-\ufefc]/.test(value);
}

/** Plain-text values (subjects, text parts, WhatsApp): isolated wherever they could run against the sentence. */
function plainVars(vars: Record<string, string>, locale: Locale): Record<string, string> {
  return Object.fromEntries(
    Object.entries(vars).map(([k, v]) => [k, mayRunAgainst(v, locale) ? isolate(v) : v]),
  );
}

function render(
  locale: Locale,
  subjectKey: Key,
  blocks: Block[],
  vars: Record<string, string>,
): RenderedEmail {
  const dir = locale === 'ar' ? 'rtl' : 'ltr';
  const align = locale === 'ar' ? 'right' : 'left';
  // Values are isolated, so a name or number can never reorder the sentence around it (an Arabic
  // sentence with a Latin name, a phone number inside Arabic): <bdi> in HTML, FSI…PDI in plain text
  // wherever the value could run against the sentence.
  const escaped = Object.fromEntries(
    Object.entries(vars).map(([k, v]) => [k, `<bdi>${escapeHtml(v)}</bdi>`]),
  );
  const plain = plainVars(vars, locale);
  const htmlBlocks = blocks.map((b) => {
    const text = t(locale, b.key, escaped);
    if (b.kind === 'button' && b.href) {
      return `<p><a href="${escapeHtml(b.href)}" style="display:inline-block;padding:12px 20px;background:#0f5d5d;color:#ffffff;text-decoration:none;border-radius:6px">${text}</a></p>`;
    }
    return b.kind === 'small' ? `<p style="color:#555;font-size:13px">${text}</p>` : `<p>${text}</p>`;
  });
  const footer = t(locale, 'footer', escaped);
  const html = `<!doctype html><html lang="${locale}" dir="${dir}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(t(locale, subjectKey, plain))}</title></head><body dir="${dir}" style="font-family:Arial,'Noto Sans Arabic',sans-serif;font-size:15px;line-height:1.6;color:#1a1a1a;text-align:${align}"><div dir="${dir}" lang="${locale}" style="max-width:560px;margin:0 auto;padding:16px;text-align:${align}">${htmlBlocks.join('')}<hr style="border:none;border-top:1px solid #ddd"><p style="color:#777;font-size:12px">${footer}</p></div></body></html>`;
  const text = [
    ...blocks.map((b) =>
      b.kind === 'button' && b.href ? `${t(locale, b.key, plain)}: ${b.href}` : t(locale, b.key, plain),
    ),
    '',
    t(locale, 'footer', plain),
  ].join('\n\n');
  return { subject: t(locale, subjectKey, plain), html, text };
}

/** Who a message to the patient is about and from: the facts every patient message names. */
export interface PatientMailProps {
  locale: Locale;
  patientName: string;
  clinicName: string;
  branchName: string;
  branchPhone: string;
  treatment: string;
}

const patientVars = (p: PatientMailProps): Record<string, string> => ({
  name: p.patientName,
  clinic: p.clinicName,
  branch: p.branchName,
  phone: p.branchPhone,
  treatment: p.treatment,
});

export interface InviteEmailProps extends PatientMailProps {
  link: string;
  expiresOn: string;
}

export function inviteEmail(p: InviteEmailProps): RenderedEmail {
  return render(
    p.locale,
    'invite.subject',
    [
      { kind: 'p', key: 'invite.greeting' },
      { kind: 'p', key: 'invite.body' },
      { kind: 'button', key: 'invite.button', href: p.link },
      { kind: 'small', key: 'invite.expires' },
      { kind: 'small', key: 'invite.help' },
    ],
    { ...patientVars(p), date: p.expiresOn },
  );
}

export interface ClinicNoticeProps {
  locale: Locale;
  kind: 'signed' | 'ineligible';
  patientName: string;
  clinicName: string;
  branchName: string;
  treatment: string;
  dashboardUrl: string;
}

/** To the clinic: no health data beyond the patient's name and a link to the dashboard. */
export function clinicNoticeEmail(p: ClinicNoticeProps): RenderedEmail {
  const prefix = p.kind === 'signed' ? 'signed' : 'ineligible';
  return render(
    p.locale,
    `${prefix}.subject` as Key,
    [
      { kind: 'p', key: `${prefix}.body` as Key },
      { kind: 'button', key: 'signed.button', href: p.dashboardUrl },
    ],
    { name: p.patientName, clinic: p.clinicName, branch: p.branchName, treatment: p.treatment },
  );
}

export interface FinalEmailProps {
  locale: Locale;
  audience: 'patient' | 'archive';
  patientName: string;
  clinicName: string;
  branchName: string;
  treatment: string;
  doctorName: string;
  consentId: string;
  sha256: string;
  verifyUrl: string;
}

export function finalEmail(p: FinalEmailProps): RenderedEmail {
  const vars = {
    name: p.patientName,
    clinic: p.clinicName,
    branch: p.branchName,
    treatment: p.treatment,
    doctor: p.doctorName,
    consentId: p.consentId,
    sha256: p.sha256,
    verifyUrl: p.verifyUrl,
  };
  if (p.audience === 'archive') {
    return render(p.locale, 'archive.subject', [{ kind: 'p', key: 'archive.body' }], vars);
  }
  return render(
    p.locale,
    'final.subject',
    [
      { kind: 'p', key: 'final.greeting' },
      { kind: 'p', key: 'final.body' },
      { kind: 'small', key: 'final.verify' },
    ],
    vars,
  );
}

export type DeclinedEmailProps = PatientMailProps;

/** To the patient, in their language: the doctor did not countersign, and how to reach the clinic. */
export function declinedEmail(p: DeclinedEmailProps): RenderedEmail {
  return render(
    p.locale,
    'declined.subject',
    [
      { kind: 'p', key: 'declined.greeting' },
      { kind: 'p', key: 'declined.body' },
      { kind: 'p', key: 'declined.contact' },
    ],
    patientVars(p),
  );
}

/** Sample props so each template can be previewed (and tested) on its own. */
export const sampleInviteProps: InviteEmailProps = {
  locale: 'en',
  patientName: 'Layla Haddad',
  clinicName: 'Demo Aesthetics Clinic',
  branchName: 'Jumeirah',
  branchPhone: '+971 50 000 0000',
  treatment: 'Mesotherapy',
  link: 'http://127.0.0.1:3000/intake/sample',
  expiresOn: '2026-11-28',
};

export type WhatsAppInviteProps = Omit<InviteEmailProps, 'branchName'> & { branchName?: string };

/**
 * The text a coordinator sends by WhatsApp: in the patient's language, naming the clinic and the
 * patient, so it does not read like a stranger's link. Names and numbers are isolated against the
 * sentence's direction, as in the e-mails.
 */
export function whatsappInviteText(p: WhatsAppInviteProps): string {
  const vars = { ...patientVars({ ...p, branchName: p.branchName ?? '' }), date: p.expiresOn };
  const plain = plainVars(vars, p.locale);
  // The link stays bare (never inside an isolate): WhatsApp must recognise it as a link.
  return t(p.locale, 'whatsapp.invite', { ...plain, link: p.link });
}
