import * as z from 'zod';

/**
 * A treatment template is data (templates/treatments/<id>.json): questions, screening rules with
 * their severities, risks, before/after care and the consent text, each in English and Arabic.
 * A clinic changes wording or severities there, never in a handler. This schema is the contract.
 */
export const LOCALES = ['en', 'ar'] as const;
export const localeSchema = z.enum(LOCALES);
export type Locale = z.infer<typeof localeSchema>;

/** A text every patient-facing surface shows in both languages. */
export const localizedSchema = z.object({ en: z.string().min(1), ar: z.string().min(1) }).strict();
export type Localized = z.infer<typeof localizedSchema>;

export const severitySchema = z.enum(['contraindicated', 'review', 'advisory']);
export type Severity = z.infer<typeof severitySchema>;

const questionBase = {
  id: z.string().regex(/^[a-zA-Z][a-zA-Z0-9]*$/),
  label: localizedSchema,
  help: localizedSchema.optional(),
};

export const questionSchema = z.discriminatedUnion('type', [
  z.object({ ...questionBase, type: z.literal('date') }).strict(),
  z.object({ ...questionBase, type: z.literal('boolean') }).strict(),
  z
    .object({
      ...questionBase,
      type: z.literal('text'),
      maxLength: z.number().int().positive(),
      /** Required (and shown) only when this boolean question is answered yes. */
      requiredWhen: z.string().optional(),
    })
    .strict(),
  z
    .object({
      ...questionBase,
      type: z.literal('multi'),
      minItems: z.number().int().nonnegative(),
      options: z.array(z.object({ id: z.string(), label: localizedSchema }).strict()).min(1),
    })
    .strict(),
]);
export type Question = z.infer<typeof questionSchema>;

/** When a rule fires. Kept to a small closed set so the engine stays total and auditable. */
export const ruleConditionSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('isTrue'), question: z.string() }).strict(),
  z
    .object({ kind: z.literal('underAge'), question: z.string(), years: z.number().int().positive() })
    .strict(),
  z
    .object({ kind: z.literal('includesAny'), question: z.string(), values: z.array(z.string()).min(1) })
    .strict(),
]);
export type RuleCondition = z.infer<typeof ruleConditionSchema>;

export const ruleSchema = z
  .object({
    /** The finding's ruleId in the API: the question id, or the area/concern id. */
    id: z.string(),
    when: ruleConditionSchema,
    severity: severitySchema,
    message: localizedSchema,
    /** Risk ids that become applicable when this rule fires (e.g. lecithin for fat/cellulite). */
    addsRisks: z.array(z.string()).optional(),
  })
  .strict();
export type Rule = z.infer<typeof ruleSchema>;

export const riskSchema = z
  .object({
    id: z.string(),
    title: localizedSchema,
    description: localizedSchema,
    frequency: z.enum(['common', 'uncommon', 'rare', 'varies']),
    /** Listed only when some fired rule adds it; otherwise always listed. */
    conditional: z.boolean().default(false),
  })
  .strict();
export type Risk = z.infer<typeof riskSchema>;

export const treatmentTemplateSchema = z
  .object({
    id: z.string(),
    version: z.string(),
    title: localizedSchema,
    questions: z.array(questionSchema).min(1),
    rules: z.array(ruleSchema),
    risks: z.array(riskSchema).min(1),
    consent: z
      .object({
        procedure: localizedSchema,
        course: localizedSchema,
        results: localizedSchema,
        alternatives: localizedSchema,
        rightToRefuse: localizedSchema,
        electronicRecords: localizedSchema,
      })
      .strict(),
    care: z
      .object({ before: z.array(localizedSchema).min(1), after: z.array(localizedSchema).min(1) })
      .strict(),
    declarations: z.array(z.object({ id: z.string(), text: localizedSchema }).strict()).min(1),
    /** Message shown to an ineligible patient (before the clinic's phone/WhatsApp). */
    ineligibleMessage: localizedSchema,
  })
  .strict();
export type TreatmentTemplate = z.infer<typeof treatmentTemplateSchema>;
