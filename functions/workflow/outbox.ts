import type { ConsentRecord } from '../domain/model';
import type { Locale } from '../domain/template';
import type { OutboxMail } from './ports';

/** A pending outbox e-mail for a consent, written in the same transaction as the state change. */
export function outboxMail(
  consent: ConsentRecord,
  kind: OutboxMail['kind'],
  to: string,
  locale: Locale,
  at: string,
): OutboxMail {
  return {
    clinicId: consent.clinicId,
    consentId: consent.consentId,
    kind,
    to,
    locale,
    status: 'pending',
    attempts: 0,
    createdAt: at,
    nextAttemptAt: at,
  };
}
