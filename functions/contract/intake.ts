import * as z from 'zod';
import { signatureSchema as domainSignature } from '../workflow/signature';
import {
  consentStatusSchema,
  findingSchema,
  isoTime,
  localeSchema,
  localizedSchema,
  outcomeSchema,
  pdfKindSchema,
  screeningSchema,
  sha256Hex,
} from './shared';

/** The patient routes (authorised by the intake-link token in the path). */

export const signatureSchema = domainSignature.meta({
  id: 'Signature',
  description: 'A drawn signature (a canvas PNG, base64, at most 200 KB and 2400×1200 px) or a typed name.',
});

/** Body of POST /intake/{token}/answers; the answers themselves are checked against the template. */
export const answersRequestSchema = z
  .object({
    answers: z.record(z.string(), z.unknown()).meta({
      description:
        "Answer id → value, checked against the treatment template's questions (ids as in CLINICAL.md; the form in GET /intake/{token} lists them).",
    }),
    locale: localeSchema.optional().meta({ description: "Defaults to the invite's." }),
  })
  .meta({ id: 'AnswersRequest', description: 'The questionnaire answers.' });
export type AnswersRequest = z.infer<typeof answersRequestSchema>;

export const signatureRequestSchema = z
  .object({
    signature: signatureSchema,
    acknowledgedRiskIds: z
      .array(z.string().max(64))
      .max(100)
      .meta({ description: 'Every risk id the consent listed.' }),
    agreeToTreatment: z.literal(true, { error: 'You must agree to the treatment to sign' }),
    agreeToElectronicRecords: z.literal(true, {
      error: 'You must agree to electronic records and signature to sign',
    }),
    locale: localeSchema.optional(),
  })
  .meta({ id: 'SignatureRequest', description: "The patient's signature and agreements." });
export type SignatureRequestBody = z.infer<typeof signatureRequestSchema>;

export const consentTextSchema = z
  .looseObject({
    locale: localeSchema,
    title: z.string(),
    risks: z.array(
      z.object({
        id: z.string(),
        title: z.string(),
        description: z.string(),
        frequency: z.string().optional(),
      }),
    ),
    procedure: z.string(),
    course: z.string(),
    results: z.string(),
    alternatives: z.string(),
    rightToRefuse: z.string(),
    electronicRecords: z.string(),
    before: z.array(z.string()),
    after: z.array(z.string()),
    declarations: z.array(z.object({ id: z.string(), text: z.string() })),
    otherLocale: localeSchema,
  })
  .meta({ id: 'ConsentText', description: 'The consent a patient reads for a screening, in one language.' });

export const intakeViewSchema = z
  .object({
    invite: z.object({
      patientName: z.string(),
      treatmentId: z.string(),
      clinic: z.object({
        name: z.string(),
        branch: z.object({ id: z.string(), name: z.string(), phone: z.string(), whatsapp: z.string() }),
      }),
      locale: localeSchema,
      expiresAt: isoTime,
      status: consentStatusSchema,
      outcome: outcomeSchema.nullable(),
    }),
    form: z.object({
      treatmentId: z.string(),
      templateVersion: z.string(),
      title: localizedSchema,
      questions: z
        .array(z.looseObject({ id: z.string() }))
        .meta({ description: 'The questions, both languages.' }),
    }),
    screening: screeningSchema.optional(),
    consent: z.object({ en: consentTextSchema, ar: consentTextSchema }).optional().meta({
      description: 'Present while the consent can be signed.',
    }),
    ineligibleMessage: localizedSchema.optional(),
    pdf: z.object({ sha256: sha256Hex, kind: pdfKindSchema }).optional(),
  })
  .meta({
    id: 'IntakeView',
    description: 'The invite and the bilingual form (GET /intake/{token} as JSON).',
  });

export const answersResultSchema = z
  .object({
    screening: z.object({ outcome: outcomeSchema, findings: z.array(findingSchema) }),
    consent: consentTextSchema.optional().meta({ description: 'Absent when ineligible.' }),
  })
  .meta({ id: 'AnswersResult', description: 'The screening, and the consent to read and sign.' });

export const signatureResultSchema = z
  .object({ consentId: z.string(), status: consentStatusSchema, pdfSha256: sha256Hex })
  .meta({ id: 'SignatureResult', description: 'Signed: the record awaits the doctor.' });
