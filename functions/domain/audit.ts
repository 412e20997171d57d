import * as z from 'zod';

/**
 * Audit events: a closed, versioned set of types stored as data (as Documenso does). Each type has its
 * own data schema, so whoever reads an event (the audit page, the detail view) gets typed facts and never
 * re-checks fields. Each event is appended in the same conditional transaction as the state change it
 * records and never updated. Adding a type or a field is a schema change: bump AUDIT_SCHEMA_VERSION and
 * keep the old shapes readable (a field added later is optional here).
 */
export const AUDIT_SCHEMA_VERSION = 1;

const locale = z.enum(['en', 'ar']);
const signatureKind = z.enum(['drawn', 'typed']);
const mailKind = z.enum([
  'invite',
  'signed_notice',
  'ineligible_notice',
  'declined_patient',
  'final_patient',
  'final_archive',
]);
const sha256 = z.string().regex(/^[0-9a-f]{64}$/);
const version = z.number().int().positive();

/** The data each event type carries: small, non-PHI facts (outcome, hashes, mail kind, versions...). */
const eventData = {
  invited: z.object({ treatmentId: z.string(), templateVersion: z.string(), sendEmail: z.boolean() }),
  link_opened: z.object({ channel: z.enum(['handover', 'email']) }),
  answers_submitted: z.object({ locale }),
  screening_result: z.object({
    outcome: z.enum(['eligible', 'needs_review', 'ineligible']),
    /** `ruleId:severity` pairs, comma-separated. */
    findings: z.string(),
  }),
  signed: z.object({ signature: signatureKind, pdfSha256: sha256, locale }),
  countersigned: z.object({
    notes: z.number().int().nonnegative(),
    signature: signatureKind,
    /** Absent only in the copy printed on the final PDF itself: its hash is known after rendering. */
    pdfSha256: sha256.optional(),
    sealed: z.boolean().optional(),
  }),
  declined: z.object({}),
  emailed: z.object({ mail: mailKind, recipient: z.enum(['clinic', 'patient']) }),
  /** `error` is the error's class name only: SES messages can echo addresses. */
  email_failed: z.object({ mail: mailKind, error: z.string().regex(/^[A-Za-z][\w.]{0,63}$/) }),
  pdf_downloaded: z.object({ version }),
  verified: z.object({ version, sealIntact: z.boolean() }),
  link_revoked: z.object({ status: z.enum(['invited', 'answered']) }),
} satisfies Record<string, z.ZodObject>;

export type AuditEventType = keyof typeof eventData;
export const AUDIT_EVENT_TYPES = Object.keys(eventData) as AuditEventType[];
export type AuditEventData<T extends AuditEventType> = z.infer<(typeof eventData)[T]>;

export interface AuditActor {
  kind: 'patient' | 'staff' | 'system' | 'anonymous';
  /** Staff `sub`, or `link-holder` for the patient; never the patient's name or e-mail. */
  id: string;
  /** The staff member who acted, as the clinic's directory or sign-in names them (evidence names people). */
  name?: string;
  /** A doctor's licence number, when a doctor acted. */
  licence?: string;
}

interface AuditEventBase {
  schemaVersion: number;
  consentId: string;
  at: string;
  actor: AuditActor;
  ip?: string;
  userAgent?: string;
}

/** One event: its `type` decides the shape of its `data`. */
export type AuditEvent = {
  [T in AuditEventType]: AuditEventBase & { type: T; data: AuditEventData<T> };
}[AuditEventType];

/** The event of one type (e.g. `AuditEventOf<'signed'>`). */
export type AuditEventOf<T extends AuditEventType> = Extract<AuditEvent, { type: T }>;

export interface RequestMeta {
  ip: string;
  userAgent: string;
}

export function auditEvent<T extends AuditEventType>(
  consentId: string,
  type: T,
  at: string,
  actor: AuditActor,
  meta: RequestMeta | undefined,
  data: AuditEventData<T>,
): AuditEventOf<T> {
  return {
    schemaVersion: AUDIT_SCHEMA_VERSION,
    consentId,
    type,
    at,
    actor,
    ...(meta ? { ip: meta.ip, userAgent: meta.userAgent.slice(0, 512) } : {}),
    data,
  } as AuditEventOf<T>;
}

const eventBase = z.object({
  schemaVersion: z.number().int().positive(),
  consentId: z.string(),
  at: z.string(),
  actor: z.object({
    kind: z.enum(['patient', 'staff', 'system', 'anonymous']),
    id: z.string(),
    name: z.string().optional(),
    licence: z.string().optional(),
  }),
  ip: z.string().optional(),
  userAgent: z.string().optional(),
});

/**
 * Reads a stored event back into the typed union. A stored event that does not match its type's schema
 * was not written by this code (or by a newer schema version than this one knows): that is corruption,
 * not input, so it throws.
 */
export function parseAuditEvent(raw: unknown): AuditEvent {
  const base = eventBase.parse(raw);
  const type = (raw as { type?: unknown }).type;
  if (typeof type !== 'string' || !Object.hasOwn(eventData, type)) {
    throw new Error(`Unknown audit event type in consent ${base.consentId}`);
  }
  const schema = eventData[type as AuditEventType];
  const data = schema.parse((raw as { data?: unknown }).data ?? {});
  return { ...base, type, data } as AuditEvent;
}
