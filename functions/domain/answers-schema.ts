import * as z from 'zod';
import type { Answers } from './model';
import type { Question, TreatmentTemplate } from './template';

/**
 * The `answers` object a patient submits, validated against the template's questions. The shape is known
 * only at run time (it comes from the template), so the static type is the generic answer record.
 */
export type AnswersInput = Answers;
export type AnswersSchema = z.ZodType<AnswersInput, unknown>;

const cache = new WeakMap<TreatmentTemplate, AnswersSchema>();

/**
 * Builds (once per template object) the zod schema for `answers`. Issue paths are `[questionId]`, so the
 * handler can report them as `answers.<questionId>`; an unknown key is reported at the object's own path.
 */
export function answersSchema(template: TreatmentTemplate): AnswersSchema {
  let schema = cache.get(template);
  if (!schema) {
    schema = buildAnswersSchema(template);
    cache.set(template, schema);
  }
  return schema;
}

function buildAnswersSchema(template: TreatmentTemplate): AnswersSchema {
  const shape: Record<string, z.ZodType> = {};
  for (const question of template.questions) shape[question.id] = questionSchema(question);

  const conditional = template.questions.flatMap((q) =>
    q.type === 'text' && q.requiredWhen !== undefined ? [{ id: q.id, when: q.requiredWhen }] : [],
  );

  return z.strictObject(shape).superRefine(
    (answers, ctx) => {
      for (const { id, when } of conditional) {
        const text = answers[id];
        if (answers[when] === true && (typeof text !== 'string' || text.trim() === '')) {
          ctx.addIssue({ code: 'custom', path: [id], message: `Required when ${when} is yes` });
        }
      }
    },
    // Run even when other answers are invalid, so the patient sees every missing detail in one go.
    { when: (payload) => isRecord(payload.value) },
  ) as unknown as AnswersSchema;
}

function questionSchema(question: Question): z.ZodType {
  switch (question.type) {
    case 'date':
      return dateOfPastSchema();
    case 'boolean':
      return z.boolean({
        error: (issue) => (issue.input === undefined ? 'Required: answer yes or no' : 'Expected yes or no'),
      });
    case 'text':
      return z.string().trim().max(question.maxLength).optional();
    case 'multi': {
      const ids = question.options.map((option) => option.id);
      return z
        .array(z.enum(ids as [string, ...string[]], { error: `Expected one of: ${ids.join(', ')}` }), {
          error: (issue) => (issue.input === undefined ? 'Required' : 'Expected a list'),
        })
        .min(question.minItems, `Choose at least ${question.minItems}`)
        .refine((values) => new Set(values).size === values.length, 'Each choice may appear only once');
    }
  }
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MIN_YEAR = 1900;
/** The furthest-ahead time zone (UTC+14): a date is "in the future" only once it is future everywhere. */
const EARLIEST_DATE_LINE_OFFSET_MS = 14 * 60 * 60 * 1000;

/** YYYY-MM-DD, a real calendar date, year ≥ 1900, not after today. */
function dateOfPastSchema() {
  return z
    .string({ error: (issue) => (issue.input === undefined ? 'Required' : 'Expected a date (YYYY-MM-DD)') })
    .superRefine((value, ctx) => {
      const match = ISO_DATE.exec(value);
      if (!match) {
        ctx.addIssue({ code: 'custom', message: 'Expected a date (YYYY-MM-DD)' });
        return;
      }
      const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
      if (year < MIN_YEAR) {
        ctx.addIssue({ code: 'custom', message: `Year must be ${MIN_YEAR} or later` });
      } else if (!isCalendarDate(year, month, day)) {
        ctx.addIssue({ code: 'custom', message: 'Not a real calendar date' });
      } else if (value > latestDateOnEarth()) {
        ctx.addIssue({ code: 'custom', message: 'Date must not be in the future' });
      }
    });
}

function isCalendarDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  // Day 0 of the next month is the last day of this one; UTC avoids any local DST effects.
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day <= daysInMonth;
}

/**
 * Today's date where it is latest (UTC+14). The schema has no clinic time zone, and rejecting a date that is
 * already "today" in the patient's zone would be wrong; the screening's age rule uses the clinic's date.
 */
function latestDateOnEarth(): string {
  return new Date(Date.now() + EARLIEST_DATE_LINE_OFFSET_MS).toISOString().slice(0, 10);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
