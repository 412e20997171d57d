import {
  clinicNoticeEmail,
  declinedEmail,
  finalEmail,
  inviteEmail,
  type RenderedEmail,
} from '../documents/email/render';
import { auditEvent } from '../domain/audit';
import { branchOf } from '../domain/clinic';
import type { ConsentRecord } from '../domain/model';
import { loadTemplate } from '../domain/template-store';
import { hashLinkToken, newLinkToken } from '../domain/tokens';
import { intakeUrl, verifyPageUrl } from '../domain/urls';
import { LEASE_MARGIN_MS, type MailTiming, mailTiming } from './mail-timing';
import type { Clock, ConsentStore, EmailSender, OutboxMail, OutgoingEmail } from './ports';

export interface MailDeps {
  store: ConsentStore;
  sender: EmailSender;
  clock: Clock;
  appUrl: string;
  from: string;
  /** The lease and the worst-case send it must cover (mail-timing.ts); the default 60 s lease if unset. */
  timing?: MailTiming;
}

/** Retry spacing: 10 s, 20 s, 40 s … capped at 15 minutes. Mail is never given up on. */
export function nextAttemptDelayMs(attempts: number): number {
  return Math.min(15 * 60_000, 10_000 * 2 ** Math.max(0, attempts - 1));
}

export type DeliveryResult = 'sent' | 'skipped' | 'failed';

/**
 * Delivers one outbox mail at most once at a time: a conditional lease stops the stream mailer
 * and the sweeper from both sending it; success and failure are both recorded on the outbox item.
 */
export async function deliverMail(deps: MailDeps, mail: OutboxMail): Promise<DeliveryResult> {
  const timing = deps.timing ?? mailTiming();
  const now = deps.clock.now();
  // The lease: while it runs no other worker may take this mail (covers a crashed worker too).
  const leaseUntil = now.getTime() + timing.leaseMs;
  const claimed = await deps.store.claimMail(mail, now.toISOString(), new Date(leaseUntil).toISOString());
  if (!claimed) return 'skipped';
  const current = (await deps.store.getMail(mail.clinicId, mail.consentId, mail.kind)) ?? mail;
  const consent = await deps.store.getConsent(mail.clinicId, mail.consentId);
  if (!consent) {
    await deps.store.markMailFailed(current, 'ConsentMissing', farFuture(now));
    return 'failed';
  }
  // An invite whose link was revoked (or can no longer be used) is never sent, retry or not.
  const closed = current.kind === 'invite' ? inviteClosed(consent, deps.clock.now()) : undefined;
  if (closed) {
    await deps.store.cancelMail(current, deps.clock.now().toISOString(), closed);
    return 'skipped';
  }
  let messageId: string;
  try {
    const email = await composeMail(deps, current, consent);
    // Send only while the lease still covers the worst-case send: then the send has ended (accepted,
    // failed or timed out by the SES client) before the lease does, and nobody else can send it twice.
    if (deps.clock.now().getTime() + timing.worstCaseSendMs + LEASE_MARGIN_MS > leaseUntil)
      throw Object.assign(new Error('lease too short for a send'), { name: 'LeaseExpiring' });
    ({ messageId } = await deps.sender.send(email));
  } catch (err) {
    // Only the error's class is recorded: SES messages can echo addresses.
    const raw = String((err as Error)?.name ?? '');
    const name = /^[A-Za-z][\w.]{0,63}$/.test(raw) ? raw : 'Error';
    const attempts = current.attempts;
    const next = new Date(deps.clock.now().getTime() + nextAttemptDelayMs(attempts)).toISOString();
    await deps.store.markMailFailed(
      current,
      name,
      next,
      attempts <= 1
        ? auditEvent(
            mail.consentId,
            'email_failed',
            deps.clock.now().toISOString(),
            { kind: 'system', id: 'mailer' },
            undefined,
            {
              mail: mail.kind,
              error: name,
            },
          )
        : undefined,
    );
    return 'failed';
  }
  // SES accepted it: a failure to record that now is thrown (the stream retries the record), never
  // counted as a failed send that the sweeper would send again.
  const at = deps.clock.now().toISOString();
  await deps.store.markMailSent(
    current,
    at,
    messageId,
    auditEvent(mail.consentId, 'emailed', at, { kind: 'system', id: 'mailer' }, undefined, {
      mail: mail.kind,
      recipient: mail.kind === 'final_archive' || mail.kind.endsWith('notice') ? 'clinic' : 'patient',
    }),
  );
  return 'sent';
}

/** Why an invite e-mail must not go out any more, if it must not. */
function inviteClosed(consent: ConsentRecord, now: Date): string | undefined {
  if (consent.linkRevoked) return 'link_revoked';
  if (consent.status !== 'invited' && consent.status !== 'answered') return 'already_signed';
  if (consent.status === 'answered' && consent.outcome === 'ineligible') return 'closed_ineligible';
  if (Date.parse(consent.linkExpiresAt) <= now.getTime()) return 'link_expired';
  return undefined;
}

function farFuture(now: Date): string {
  return new Date(now.getTime() + 365 * 24 * 3600_000).toISOString();
}

async function composeMail(deps: MailDeps, mail: OutboxMail, consent: ConsentRecord): Promise<OutgoingEmail> {
  const clinic = await deps.store.getClinic(consent.clinicId);
  const template = loadTemplate(consent.treatmentId);
  if (!clinic || !template)
    throw Object.assign(new Error('clinic or template missing'), { name: 'ConfigurationMissing' });
  const branch = branchOf(clinic, consent.branchId);
  const treatment = template.title[mail.locale];
  const dashboardUrl = `${deps.appUrl.replace(/\/$/, '')}/clinic#/consents/${consent.consentId}`;
  let rendered: RenderedEmail;
  let attachments: OutgoingEmail['attachments'];
  const about = {
    locale: mail.locale,
    patientName: consent.patient.fullName,
    clinicName: clinic.name,
    branchName: branch.name,
    branchPhone: branch.phone,
    treatment,
  };
  switch (mail.kind) {
    case 'invite': {
      // The token exists only in this e-mail: a fresh link for this channel, stored as its hash. An
      // earlier attempt's link is withdrawn in the same write, so one e-mail carries one valid link
      // however many attempts it takes (docs/design.md, "Intake links").
      const token = newLinkToken();
      await deps.store.attachMailLink(
        mail,
        {
          tokenHash: hashLinkToken(token),
          clinicId: consent.clinicId,
          consentId: consent.consentId,
          expiresAt: consent.linkExpiresAt,
          channel: 'email',
          createdAt: deps.clock.now().toISOString(),
        },
        mail.linkTokenHash,
      );
      rendered = inviteEmail({
        ...about,
        link: intakeUrl(deps.appUrl, token),
        expiresOn: consent.linkExpiresAt.slice(0, 10),
      });
      break;
    }
    case 'signed_notice':
    case 'ineligible_notice':
      rendered = clinicNoticeEmail({
        ...about,
        kind: mail.kind === 'signed_notice' ? 'signed' : 'ineligible',
        dashboardUrl,
      });
      break;
    case 'declined_patient':
      rendered = declinedEmail(about);
      break;
    case 'final_patient':
    case 'final_archive': {
      const latest = consent.pdfVersions.at(-1);
      const pdf = latest
        ? await deps.store.getPdf(consent.clinicId, consent.consentId, latest.version)
        : undefined;
      if (!latest || !pdf) throw Object.assign(new Error('pdf missing'), { name: 'PdfMissing' });
      rendered = finalEmail({
        ...about,
        audience: mail.kind === 'final_patient' ? 'patient' : 'archive',
        doctorName: consent.countersignature?.doctorName ?? '',
        consentId: consent.consentId,
        sha256: latest.sha256,
        verifyUrl: verifyPageUrl(deps.appUrl),
      });
      attachments = [
        { filename: `consent-${consent.consentId}.pdf`, contentType: 'application/pdf', content: pdf.bytes },
      ];
      break;
    }
  }
  return { from: deps.from, to: mail.to, ...rendered, ...(attachments ? { attachments } : {}) };
}

/** The sweeper's pass: every due, unsent mail gets another delivery attempt. */
export async function sweepMail(
  deps: MailDeps,
  limit = 50,
  onResult?: (mail: OutboxMail, result: DeliveryResult) => void,
  /** False once the worker could no longer finish a send before its own timeout: the rest waits. */
  hasTime: () => boolean = () => true,
) {
  const due = await deps.store.listDueMails(deps.clock.now().toISOString(), limit);
  const results = { sent: 0, failed: 0, skipped: 0 };
  for (const mail of due) {
    if (!hasTime()) break;
    const result = await deliverMail(deps, mail);
    results[result]++;
    onResult?.(mail, result);
  }
  return results;
}
