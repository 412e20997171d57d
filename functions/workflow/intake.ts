import { answersSchema } from '../domain/answers-schema';
import { auditEvent, type RequestMeta } from '../domain/audit';
import { branchOf } from '../domain/clinic';
import { ConflictError, LinkExpiredError, NotFoundError, ValidationFailedError } from '../domain/errors';
import { sha256Hex } from '../domain/ids';
import {
  type AnsweredConsent,
  type Clinic,
  type ConsentRecord,
  isAnswered,
  type SignatureInput,
  type SignedConsent,
} from '../domain/model';
import { clinicLocalDate, screenAnswers } from '../domain/screening';
import type { Locale, TreatmentTemplate } from '../domain/template';
import { loadTemplate } from '../domain/template-store';
import { hashLinkToken, isWellFormedToken } from '../domain/tokens';
import { buildConsentDocument } from './consent-document';
import { issueTo } from './issues';
import { outboxMail } from './outbox';
import type { Clock, ConsentStore, IntakeLink, OutboxMail, RenderPdf } from './ports';
import { enforceRateLimit } from './rate-limit';
import { appendLookupEvent } from './repeat-events';
import { recordSignature } from './signature';

export interface IntakeDeps {
  store: ConsentStore;
  clock: Clock;
}

/** What a valid link opens: everything the patient routes need, read once. */
export interface IntakeContext {
  link: IntakeLink;
  consent: ConsentRecord;
  clinic: Clinic;
  template: TreatmentTemplate;
}

/**
 * Resolves a link token: unknown or malformed → 404 (nothing revealed), past expiry or withdrawn
 * → 410. The token is hashed before it reaches the store; it is never logged or stored.
 */
export async function openIntake(
  deps: IntakeDeps,
  token: string,
  meta?: RequestMeta,
): Promise<IntakeContext> {
  if (meta) await enforceRateLimit(deps, 'patientIp', meta.ip);
  if (!isWellFormedToken(token)) throw new NotFoundError('This intake link is not valid.');
  await enforceRateLimit(deps, 'link', token);
  const link = await deps.store.getLink(hashLinkToken(token));
  if (!link) throw new NotFoundError('This intake link is not valid.');
  const consent = await deps.store.getConsent(link.clinicId, link.consentId);
  if (!consent) throw new NotFoundError('This intake link is not valid.');
  const signedOrDone = ['awaiting_countersign', 'countersigned', 'declined'].includes(consent.status);
  // After signing the link still opens (read-only: status page and the patient's PDF) until expiry.
  if (consent.linkRevoked && !signedOrDone) throw new LinkExpiredError();
  if (Date.parse(link.expiresAt) <= deps.clock.now().getTime()) throw new LinkExpiredError();
  const clinic = await deps.store.getClinic(link.clinicId);
  const template = loadTemplate(consent.treatmentId);
  if (!clinic || !template) throw new NotFoundError('This intake link is not valid.');
  return { link, consent, clinic, template };
}

export async function recordLinkOpened(
  deps: IntakeDeps,
  ctx: IntakeContext,
  meta: RequestMeta,
): Promise<void> {
  const at = deps.clock.now().toISOString();
  await appendLookupEvent(
    deps,
    ctx.consent.clinicId,
    auditEvent(ctx.consent.consentId, 'link_opened', at, { kind: 'patient', id: 'link-holder' }, meta, {
      channel: ctx.link.channel,
    }),
  );
}

/** Answers may change until the patient signs — except after an ineligible screening. */
export function assertCanAnswer(consent: ConsentRecord): void {
  if (consent.status === 'answered' && consent.outcome === 'ineligible') {
    throw new ConflictError(
      'Your answers were reviewed and the clinic will contact you. This link is closed for changes.',
    );
  }
  if (consent.status !== 'invited' && consent.status !== 'answered') {
    throw new ConflictError('This consent has already been signed; answers can no longer be changed.');
  }
}

export function assertCanSign(consent: ConsentRecord): asserts consent is AnsweredConsent {
  if (consent.status === 'invited')
    throw new ConflictError('Please answer the medical questions before signing.');
  if (consent.status === 'answered' && consent.outcome === 'ineligible') {
    throw new ConflictError(
      'Based on the screening, this consent cannot be signed. The clinic will contact you.',
    );
  }
  if (consent.status !== 'answered') throw new ConflictError('This consent has already been signed.');
  if (!isAnswered(consent)) throw new ConflictError('Please answer the medical questions before signing.');
}

/** The consent a patient reads for a screening: every applicable risk, care, declarations. */
export function consentView(template: TreatmentTemplate, riskIds: string[], locale: Locale) {
  const other: Locale = locale === 'en' ? 'ar' : 'en';
  return {
    locale,
    title: template.title[locale],
    risks: template.risks
      .filter((r) => riskIds.includes(r.id))
      .map((r) => ({
        id: r.id,
        title: r.title[locale],
        description: r.description[locale],
        frequency: r.frequency,
      })),
    procedure: template.consent.procedure[locale],
    course: template.consent.course[locale],
    results: template.consent.results[locale],
    alternatives: template.consent.alternatives[locale],
    rightToRefuse: template.consent.rightToRefuse[locale],
    electronicRecords: template.consent.electronicRecords[locale],
    before: template.care.before.map((t) => t[locale]),
    after: template.care.after.map((t) => t[locale]),
    declarations: template.declarations.map((d) => ({ id: d.id, text: d.text[locale] })),
    /** The same consent in the other language, for the language switch. */
    otherLocale: other,
  };
}

export async function submitAnswers(
  deps: IntakeDeps,
  ctx: IntakeContext,
  input: { answers: unknown; locale?: Locale },
  meta: RequestMeta,
) {
  const { consent, template, clinic } = ctx;
  assertCanAnswer(consent);
  const parsed = answersSchema(template).safeParse(input.answers);
  if (!parsed.success) {
    throw new ValidationFailedError(
      'Some answers are missing or not valid.',
      issueTo('answers', parsed.error),
    );
  }
  const answers = parsed.data as Record<string, string | boolean | string[] | undefined>;
  const now = deps.clock.now();
  const at = now.toISOString();
  const locale = input.locale ?? consent.locale;
  const branch = branchOf(clinic, consent.branchId);
  const clinicDate = clinicLocalDate(now, branch.timeZone);
  const result = screenAnswers(template, answers, clinicDate, locale);
  const next: ConsentRecord = {
    ...consent,
    status: 'answered',
    outcome: result.outcome,
    locale,
    answers,
    screening: { outcome: result.outcome, findings: result.findings, screenedAt: at, clinicDate },
    applicableRiskIds: result.applicableRiskIds,
    answeredAt: at,
    updatedAt: at,
    rev: consent.rev + 1,
  };
  const patient = { kind: 'patient' as const, id: 'link-holder' };
  const mails: OutboxMail[] = [];
  if (result.outcome === 'ineligible') {
    mails.push(outboxMail(next, 'ineligible_notice', clinic.archiveEmail, 'en', at));
  }
  await deps.store.writeConsent({
    consent: next,
    expectedRev: consent.rev,
    expectedStatus: ['invited', 'answered'],
    events: [
      auditEvent(consent.consentId, 'answers_submitted', at, patient, meta, { locale }),
      auditEvent(consent.consentId, 'screening_result', at, patient, meta, {
        outcome: result.outcome,
        findings: result.findings.map((f) => `${f.ruleId}:${f.severity}`).join(','),
      }),
    ],
    mails,
  });
  return {
    screening: { outcome: result.outcome, findings: result.findings },
    ...(result.outcome === 'ineligible'
      ? {}
      : { consent: consentView(template, result.applicableRiskIds, locale) }),
  };
}

export interface SignatureRequest {
  signature: SignatureInput;
  acknowledgedRiskIds: string[];
  agreeToTreatment: true;
  agreeToElectronicRecords: true;
  locale?: Locale;
}

export async function signConsent(
  deps: IntakeDeps & { renderPdf: RenderPdf },
  ctx: IntakeContext,
  input: SignatureRequest,
  meta: RequestMeta,
) {
  const { consent, clinic, template } = ctx;
  assertCanSign(consent);
  const required = consent.applicableRiskIds ?? [];
  const missing = required.filter((id) => !input.acknowledgedRiskIds.includes(id));
  const unknown = input.acknowledgedRiskIds.filter((id) => !required.includes(id));
  if (missing.length || unknown.length) {
    throw new ValidationFailedError('Every risk listed in the consent must be acknowledged.', [
      ...missing.map((id) => ({ path: 'acknowledgedRiskIds', message: `Risk "${id}" was not acknowledged` })),
      ...unknown.map((id) => ({
        path: 'acknowledgedRiskIds',
        message: `Risk "${id}" is not part of this consent`,
      })),
    ]);
  }
  const now = deps.clock.now();
  const at = now.toISOString();
  const { signature, image } = recordSignature(input.signature, at, meta, 'patient');
  const locale = input.locale ?? consent.locale;
  const signed: SignedConsent = {
    ...consent,
    status: 'awaiting_countersign',
    locale,
    patientSignature: signature,
    acknowledgedRiskIds: [...required],
    agreements: { treatment: true, electronicRecords: true },
    signedAt: at,
    updatedAt: at,
    rev: consent.rev + 1,
  };
  const bytes = await deps.renderPdf(
    buildConsentDocument({
      consent: signed,
      clinic,
      template,
      kind: 'patient_signed',
      ...(image ? { images: { patient: image.png } } : {}),
    }),
  );
  const sha256 = sha256Hex(bytes);
  const ref = { version: 1, kind: 'patient_signed' as const, sha256, createdAt: at, bytes: bytes.length };
  signed.pdfVersions = [...consent.pdfVersions, ref];
  await deps.store.writeConsent({
    consent: signed,
    expectedRev: consent.rev,
    expectedStatus: ['answered'],
    events: [
      auditEvent(consent.consentId, 'signed', at, { kind: 'patient', id: 'link-holder' }, meta, {
        signature: signature.kind,
        pdfSha256: sha256,
        locale,
      }),
    ],
    pdf: { ref, bytes },
    ...(image ? { signatureImages: [image] } : {}),
    mails: [outboxMail(signed, 'signed_notice', clinic.archiveEmail, 'en', at)],
  });
  return { consentId: consent.consentId, status: signed.status, pdfSha256: sha256 };
}

export async function patientPdf(deps: IntakeDeps, ctx: IntakeContext, meta: RequestMeta) {
  const latest = ctx.consent.pdfVersions.at(-1);
  if (!latest) throw new ConflictError('There is no signed consent to download yet.');
  const pdf = await deps.store.getPdf(ctx.consent.clinicId, ctx.consent.consentId, latest.version);
  if (!pdf) throw new NotFoundError('The document was not found.');
  await appendLookupEvent(
    deps,
    ctx.consent.clinicId,
    auditEvent(
      ctx.consent.consentId,
      'pdf_downloaded',
      deps.clock.now().toISOString(),
      { kind: 'patient', id: 'link-holder' },
      meta,
      {
        version: latest.version,
      },
    ),
  );
  return pdf;
}
