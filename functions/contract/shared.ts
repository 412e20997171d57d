import * as z from 'zod';
import { localeSchema as domainLocale } from '../domain/template';

/** Schemas more than one area answers with. Response schemas describe; the handlers do not parse them. */

export const localeSchema = domainLocale.meta({ id: 'Locale', description: 'The patient-facing language.' });

export const consentStatusSchema = z
  .enum(['invited', 'answered', 'awaiting_countersign', 'countersigned', 'declined'])
  .meta({
    id: 'ConsentStatus',
    description: 'invited → answered → awaiting_countersign → countersigned | declined.',
  });

export const outcomeSchema = z
  .enum(['eligible', 'needs_review', 'ineligible'])
  .meta({ id: 'Outcome', description: 'The screening outcome.' });

export const findingSchema = z
  .object({
    ruleId: z.string().meta({ description: 'The question (or area/concern) id that triggered it.' }),
    severity: z.enum(['contraindicated', 'review', 'advisory']),
    message: z.string(),
  })
  .meta({ id: 'Finding', description: 'One screening finding.' });

export const screeningSchema = z
  .object({ outcome: outcomeSchema, findings: z.array(findingSchema) })
  .meta({ id: 'Screening', description: 'The result of screening the answers.' });

export const localizedSchema = z
  .object({ en: z.string(), ar: z.string() })
  .meta({ id: 'Localized', description: 'A text in both languages.' });

export const isoTime = z.string().meta({ description: 'ISO 8601 time (UTC).' });
export const sha256Hex = z
  .string()
  .regex(/^[0-9a-f]{64}$/)
  .meta({ description: 'Hex SHA-256.' });
export const pdfKindSchema = z.enum(['patient_signed', 'countersigned']);
