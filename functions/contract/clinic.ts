import * as z from 'zod';
import { freeTextSchema, hasControlCharacters, personNameSchema } from '../domain/person';
import { signatureSchema } from './intake';
import {
  consentStatusSchema,
  isoTime,
  localeSchema,
  outcomeSchema,
  pdfKindSchema,
  screeningSchema,
  sha256Hex,
} from './shared';

/** The clinic routes (bearer JWT of clinic staff). */

const noLineBreaks = (s: string) => !hasControlCharacters(s);

export const inviteRequestSchema = z
  .object({
    patient: z
      .object({
        fullName: personNameSchema,
        email: z
          .email('Must be a valid e-mail address')
          .max(254)
          .refine(noLineBreaks, 'Must not contain line breaks'),
        phone: z
          .string()
          .trim()
          .regex(/^\+?[0-9][0-9 ()-]{5,22}$/, 'Must be a phone number such as +971 50 000 0000')
          .optional(),
        locale: localeSchema,
      })
      .strict(),
    treatmentId: z.string().min(1).max(64),
    branchId: z.string().min(1).max(64).optional(),
    sendEmail: z.boolean().optional(),
  })
  .meta({ id: 'InviteRequest', description: "A patient's intake link to create." });
export type InviteRequestBody = z.infer<typeof inviteRequestSchema>;

export const inviteCreatedSchema = z
  .object({
    inviteId: z.string(),
    consentId: z.string(),
    intakeUrl: z.url(),
    expiresAt: isoTime,
    status: consentStatusSchema,
    whatsappUrl: z.url().nullable().meta({ description: 'A wa.me hand-off when the patient has a phone.' }),
  })
  .meta({ id: 'InviteCreated', description: 'The new intake link.' });

/** The range of dates the archive list accepts (API.md version 2). */
export const LIST_FIRST_DAY = '2000-01-01';
export const LIST_LAST_DAY = '2100-12-31';

function isRealDate(s: string): boolean {
  const [y, m, d] = s.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/** A real calendar date (2023-02-30 is not one) between LIST_FIRST_DAY and LIST_LAST_DAY. */
const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'Use YYYY-MM-DD')
  .refine(isRealDate, 'Not a real date')
  .refine(
    (s) => s >= LIST_FIRST_DAY && s <= LIST_LAST_DAY,
    `Use a date from ${LIST_FIRST_DAY} to ${LIST_LAST_DAY}`,
  );

/** The query of GET /clinic/consents. */
export const listQuerySchema = z
  .object({
    status: consentStatusSchema.optional(),
    from: day.optional().meta({
      description:
        "First day (YYYY-MM-DD, a real date, 2000-01-01…2100-12-31) in the clinic's time zone (the branch's), inclusive.",
    }),
    to: day.optional().meta({
      description: "Last day (YYYY-MM-DD, same range) in the clinic's time zone (the branch's), inclusive.",
    }),
    q: z.string().trim().min(1).max(100).optional().meta({ description: 'Search text.' }),
    branchId: z.string().max(64).optional(),
    cursor: z.string().max(2000).optional().meta({ description: '`nextCursor` of the previous page.' }),
    limit: z.coerce.number().int().min(1).max(100).default(50),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, {
    message: '`from` must not be after `to`',
    path: ['from'],
  });

export const consentListItemSchema = z
  .object({
    consentId: z.string(),
    patientName: z.string(),
    status: consentStatusSchema,
    outcome: outcomeSchema.nullable(),
    createdAt: isoTime,
    updatedAt: isoTime,
    branchId: z.string(),
    treatmentId: z.string(),
    locale: localeSchema,
    signedAt: isoTime.nullable(),
    countersignedAt: isoTime.nullable(),
    linkRevoked: z.boolean(),
    reviewFindings: z.array(z.string()).meta({ description: 'Rule ids of the non-advisory findings.' }),
  })
  .meta({ id: 'ConsentListItem', description: 'One consent in the archive list.' });

export const consentListSchema = z
  .object({ items: z.array(consentListItemSchema), nextCursor: z.string().nullable() })
  .meta({ id: 'ConsentList', description: "A page of the caller's clinic's consents, newest first." });

const signatureView = z.object({
  kind: z.enum(['drawn', 'typed']),
  signedAt: isoTime,
  typedName: z.string().nullable(),
  hasImage: z.boolean(),
  ip: z.string(),
});

const pdfVersionSchema = z.object({
  version: z.number().int(),
  kind: pdfKindSchema,
  sha256: sha256Hex,
  createdAt: isoTime,
  bytes: z.number().int(),
});

export const consentDetailSchema = consentListItemSchema
  .extend({
    patient: z.object({
      fullName: z.string(),
      email: z.string(),
      phone: z.string().optional(),
      locale: localeSchema,
    }),
    branch: z.looseObject({ id: z.string(), name: z.string() }).nullable(),
    templateVersion: z.string(),
    templateSha256: sha256Hex,
    linkExpiresAt: isoTime,
    answers: z.record(z.string(), z.unknown()).nullable(),
    screening: screeningSchema.extend({ screenedAt: isoTime, clinicDate: z.string() }).loose().nullable(),
    risks: z.array(z.object({ id: z.string(), title: z.string() })),
    acknowledgedRiskIds: z.array(z.string()),
    signatures: z.object({
      patient: signatureView.nullable(),
      doctor: signatureView.extend({ doctorName: z.string(), licence: z.string() }).nullable(),
    }),
    findingNotes: z.record(z.string(), z.string()),
    declineReason: z.string().nullable(),
    events: z
      .array(z.looseObject({ type: z.string(), at: isoTime }))
      .meta({ description: 'The audit events, oldest first.' }),
    emails: z.array(
      z.object({
        kind: z.string(),
        status: z.enum(['pending', 'sent', 'cancelled']).meta({
          description: '`cancelled`: an invite whose link was revoked before it went out; never sent.',
        }),
        attempts: z.number().int(),
        lastError: z.string().nullable(),
        sentAt: isoTime.nullable(),
      }),
    ),
    pdfSha256: sha256Hex.nullable().meta({ description: 'Of the latest PDF version.' }),
    pdfVersions: z.array(pdfVersionSchema),
  })
  .meta({
    id: 'ConsentDetail',
    description: 'One consent in full: answers, screening, signatures, audit events.',
  });

export const countersignRequestSchema = z
  .object({
    signature: signatureSchema,
    findingNotes: z
      .record(z.string().max(64), freeTextSchema(2000))
      .default({})
      .meta({ description: 'Rule id → note; every `review` finding needs one.' }),
  })
  .meta({ id: 'CountersignRequest', description: "The doctor's countersignature." });
export type CountersignRequestBody = z.infer<typeof countersignRequestSchema>;

export const countersignResultSchema = z
  .object({ status: z.literal('countersigned'), pdfSha256: sha256Hex, consentId: z.string() })
  .meta({ id: 'CountersignResult', description: 'Countersigned: the final PDF is issued.' });

export const declineRequestSchema = z
  .object({ reason: freeTextSchema(2000).refine((s) => s.length > 0, 'A reason is required') })
  .meta({ id: 'DeclineRequest', description: 'Why the doctor does not countersign.' });

export const declineResultSchema = z
  .object({ status: z.literal('declined'), consentId: z.string() })
  .meta({ id: 'DeclineResult', description: 'Declined.' });

export const revokeResultSchema = z
  .object({
    consentId: z.string(),
    status: consentStatusSchema,
    linkRevoked: z.literal(true),
    revokedAt: isoTime.optional().meta({ description: 'Absent when the link was already revoked.' }),
  })
  .meta({ id: 'RevokeResult', description: 'The link is withdrawn; patient routes answer 410.' });

export const branchSchema = z
  .object({
    branchId: z.string(),
    name: z.string(),
    timeZone: z.string().meta({ description: 'IANA time zone, e.g. Asia/Dubai' }),
    phone: z.string().optional(),
  })
  .meta({ id: 'Branch' });

export const branchListSchema = z.object({ items: z.array(branchSchema) }).meta({ id: 'BranchList' });

export const openInviteSchema = z
  .object({
    consentId: z.string(),
    patientName: z.string(),
    locale: z.enum(['en', 'ar']),
    branchId: z.string(),
    status: z.enum(['invited', 'answered']),
    createdAt: z.string(),
    expiresAt: z.string(),
    lastSentAt: z
      .string()
      .nullable()
      .meta({ description: 'When an invite e-mail last went out (null: never e-mailed)' }),
    reminders: z.object({ sent: z.number().int().nonnegative(), nextAt: z.string().optional() }),
  })
  .meta({ id: 'OpenInvite' });

export const openInviteListSchema = z
  .object({
    items: z.array(openInviteSchema),
    nextCursor: z
      .string()
      .nullable()
      .meta({ description: 'Always null today: every open link fits one page' }),
  })
  .meta({ id: 'OpenInviteList' });
