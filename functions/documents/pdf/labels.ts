import pdfLabels from '../../../templates/i18n/pdf.json' with { type: 'json' };
import type { AuditEvent, AuditEventData } from '../../domain/audit';
import type { Finding } from '../../domain/model';
import type { Locale, TreatmentTemplate } from '../../domain/template';
import { fillPlaceholders } from '../../domain/text';
import type { ConsentDocument } from '../consent-document';

/**
 * The PDF's own wording (section titles, Yes/No, severities, event names…), from templates/i18n/pdf.json:
 * `{ "en": {key: text}, "ar": {key: text} }` with identical keys. Imported statically so esbuild bundles it.
 * `{name}` placeholders are filled from `vars`.
 */
export type LabelKey = keyof typeof pdfLabels.en;
export type Labels = (key: LabelKey, vars?: Record<string, string | number>) => string;

const TABLES: Record<Locale, Record<LabelKey, string>> = pdfLabels;

export function labelsFor(locale: Locale): Labels {
  const table = TABLES[locale];
  return (key, vars) => {
    const text = table[key];
    return fillPlaceholders(text, vars);
  };
}

export const PDF_LABELS = TABLES;

// The label for each value of a document field (outcomes, severities, event types…).

export const OUTCOME_KEY: Record<ConsentDocument['screening']['outcome'], LabelKey> = {
  eligible: 'outcomeEligible',
  needs_review: 'outcomeNeedsReview',
  ineligible: 'outcomeIneligible',
};

export const SEVERITY_KEY: Record<Finding['severity'], LabelKey> = {
  contraindicated: 'severityContraindicated',
  review: 'severityReview',
  advisory: 'severityAdvisory',
};

export const FREQUENCY_KEY: Record<TreatmentTemplate['risks'][number]['frequency'], LabelKey> = {
  common: 'frequencyCommon',
  uncommon: 'frequencyUncommon',
  rare: 'frequencyRare',
  varies: 'frequencyVaries',
};

export const EVENT_KEY: Record<AuditEvent['type'], LabelKey> = {
  invited: 'eventInvited',
  link_opened: 'eventLinkOpened',
  answers_submitted: 'eventAnswersSubmitted',
  screening_result: 'eventScreeningResult',
  signed: 'eventSigned',
  countersigned: 'eventCountersigned',
  declined: 'eventDeclined',
  emailed: 'eventEmailed',
  email_failed: 'eventEmailFailed',
  pdf_downloaded: 'eventPdfDownloaded',
  verified: 'eventVerified',
  link_revoked: 'eventLinkRevoked',
};

export const ACTOR_KEY: Record<AuditEvent['actor']['kind'], LabelKey> = {
  patient: 'actorPatient',
  staff: 'actorStaff',
  system: 'actorSystem',
  anonymous: 'actorAnonymous',
};

export const MAIL_KEY: Record<AuditEventData<'emailed'>['mail'], LabelKey> = {
  invite: 'mailInvite',
  signed_notice: 'mailSignedNotice',
  ineligible_notice: 'mailIneligibleNotice',
  declined_patient: 'mailDeclinedPatient',
  final_patient: 'mailFinalPatient',
  final_archive: 'mailFinalArchive',
};

export const CHANNEL_KEY: Record<AuditEventData<'link_opened'>['channel'], LabelKey> = {
  email: 'channelEmail',
  handover: 'channelHandover',
};
export const SIGNATURE_KEY: Record<AuditEventData<'signed'>['signature'], LabelKey> = {
  drawn: 'detailDrawn',
  typed: 'detailTyped',
};
export const LOCALE_KEY: Record<Locale, LabelKey> = { en: 'detailEnglish', ar: 'detailArabic' };

/** Isolates a left-to-right value (phone, id, date) inside a sentence of either direction. */
export function ltr(value: string): string {
  return `\u2066${value}\u2069`;
}
