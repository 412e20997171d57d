/**
 * Audit events: a closed, versioned set of types stored as data (as Documenso does). Each is
 * appended in the same conditional transaction as the state change it records and never updated.
 * Adding a type is a schema change: bump AUDIT_SCHEMA_VERSION and keep old types readable.
 */
export const AUDIT_SCHEMA_VERSION = 1;

export const AUDIT_EVENT_TYPES = [
  'invited',
  'link_opened',
  'answers_submitted',
  'screening_result',
  'signed',
  'countersigned',
  'declined',
  'emailed',
  'email_failed',
  'pdf_downloaded',
  'verified',
  'link_revoked',
] as const;
export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

export interface AuditActor {
  kind: 'patient' | 'staff' | 'system' | 'anonymous';
  /** Staff `sub`, or `patient` (the link holder); never a name or e-mail. */
  id: string;
}

export interface AuditEvent {
  schemaVersion: number;
  consentId: string;
  type: AuditEventType;
  at: string;
  actor: AuditActor;
  ip?: string;
  userAgent?: string;
  /** Small, non-PHI facts about the event (outcome, pdf sha256, mail kind, role...). */
  data?: Record<string, string | number | boolean>;
}

export interface RequestMeta {
  ip: string;
  userAgent: string;
}

export function auditEvent(
  consentId: string,
  type: AuditEventType,
  at: string,
  actor: AuditActor,
  meta?: RequestMeta,
  data?: AuditEvent['data'],
): AuditEvent {
  return {
    schemaVersion: AUDIT_SCHEMA_VERSION,
    consentId,
    type,
    at,
    actor,
    ...(meta ? { ip: meta.ip, userAgent: meta.userAgent.slice(0, 512) } : {}),
    ...(data ? { data } : {}),
  };
}
