import type { Answers, Finding, Outcome } from './model';
import type { Locale, RuleCondition, TreatmentTemplate } from './template';

export interface ScreeningResult {
  outcome: Outcome;
  /** In template rule order, messages in the requested locale. */
  findings: Finding[];
  /** Every non-conditional risk plus the conditional ones added by fired rules, in template risk order. */
  applicableRiskIds: string[];
}

/**
 * Screens validated answers against the template's rules. Pure, total and deterministic: no clock (the
 * clinic-local date is a parameter), no I/O, and it never throws, even on answers that skipped validation.
 */
export function screenAnswers(
  template: TreatmentTemplate,
  answers: Answers,
  clinicDate: string,
  locale: Locale,
): ScreeningResult {
  const findings: Finding[] = [];
  const addedRisks = new Set<string>();

  for (const rule of template.rules) {
    if (!conditionHolds(rule.when, answers, clinicDate)) continue;
    findings.push({ ruleId: rule.id, severity: rule.severity, message: rule.message[locale] });
    for (const riskId of rule.addsRisks ?? []) addedRisks.add(riskId);
  }

  const applicableRiskIds = template.risks
    .filter((risk) => !risk.conditional || addedRisks.has(risk.id))
    .map((risk) => risk.id);

  return { outcome: outcomeOf(findings), findings, applicableRiskIds };
}

/** Any contraindicated finding → ineligible; else any review → needs_review; else eligible. */
export function outcomeOf(findings: readonly Pick<Finding, 'severity'>[]): Outcome {
  if (findings.some((f) => f.severity === 'contraindicated')) return 'ineligible';
  if (findings.some((f) => f.severity === 'review')) return 'needs_review';
  return 'eligible';
}

function conditionHolds(condition: RuleCondition, answers: Answers, clinicDate: string): boolean {
  const answer = answers[condition.question];
  switch (condition.kind) {
    case 'isTrue':
      return answer === true;
    case 'includesAny':
      return Array.isArray(answer) && condition.values.some((value) => answer.includes(value));
    case 'underAge': {
      // Fail closed: an age that cannot be established never passes an age limit.
      const birth = typeof answer === 'string' ? parseIsoDate(answer) : undefined;
      const today = parseIsoDate(clinicDate);
      if (!birth || !today) return true;
      return compareDates(today, anniversary(birth, condition.years)) < 0;
    }
  }
}

interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

/**
 * The date on which someone born on `birth` turns `years` old. A 29 February birthday is taken as 1 March in
 * non-leap years: the later of the two candidate days, so nobody counts as of age before they have lived
 * the full number of years (28 February would admit them a day early). The conservative reading for a limit
 * that protects minors; a clinic that wants otherwise changes it here, with a test.
 */
function anniversary(birth: CalendarDate, years: number): CalendarDate {
  const year = birth.year + years;
  if (birth.month === 2 && birth.day === 29 && !isLeapYear(year)) return { year, month: 3, day: 1 };
  return { year, month: birth.month, day: birth.day };
}

function compareDates(a: CalendarDate, b: CalendarDate): number {
  return a.year - b.year || a.month - b.month || a.day - b.day;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function parseIsoDate(value: string): CalendarDate | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return undefined;
  const date = { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) };
  if (date.month < 1 || date.month > 12 || date.day < 1 || date.day > daysInMonth(date.year, date.month)) {
    return undefined;
  }
  return date;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeapYear(year) ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
}

/** The clinic's calendar date, on which age is judged (one implementation: domain/time.ts). */
export { clinicLocalDate } from './time';
