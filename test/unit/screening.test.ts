import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Answers } from '../../functions/domain/model';
import { clinicLocalDate, outcomeOf, screenAnswers } from '../../functions/domain/screening';
import type { TreatmentTemplate } from '../../functions/domain/template';
import { loadTemplate } from '../../functions/domain/template-store';
import { cleanAnswers } from '../fixtures/answers';

const template = loadTemplate('mesotherapy') as TreatmentTemplate;
const TODAY = '2026-11-21';
const ALL_RISKS_BUT_LECITHIN = [
  'bruising',
  'swelling',
  'redness',
  'pain',
  'burning',
  'infection',
  'allergy',
  'pigmentation',
  'rash',
  'nausea',
  'scarring',
  'no_guarantee',
];

function screen(answers: Answers, clinicDate = TODAY, locale: 'en' | 'ar' = 'en') {
  return screenAnswers(template, answers, clinicDate, locale);
}

/** One row of CLINICAL.md's table: the answers that trigger it, and what must follow. */
const CLINICAL_TABLE: Array<{ ruleId: string; answers: Answers; severity: string; outcome: string }> = [
  {
    ruleId: 'dateOfBirth',
    answers: { dateOfBirth: '2010-01-01' },
    severity: 'contraindicated',
    outcome: 'ineligible',
  },
  { ruleId: 'pregnant', answers: { pregnant: true }, severity: 'contraindicated', outcome: 'ineligible' },
  {
    ruleId: 'breastfeeding',
    answers: { breastfeeding: true },
    severity: 'contraindicated',
    outcome: 'ineligible',
  },
  {
    ruleId: 'activeSkinInfection',
    answers: { activeSkinInfection: true },
    severity: 'contraindicated',
    outcome: 'ineligible',
  },
  {
    ruleId: 'heartDisease',
    answers: { heartDisease: true },
    severity: 'contraindicated',
    outcome: 'ineligible',
  },
  {
    ruleId: 'heartMedication',
    answers: { heartMedication: true },
    severity: 'contraindicated',
    outcome: 'ineligible',
  },
  { ruleId: 'cancer', answers: { cancer: true }, severity: 'contraindicated', outcome: 'ineligible' },
  {
    ruleId: 'immuneDisease',
    answers: { immuneDisease: true },
    severity: 'contraindicated',
    outcome: 'ineligible',
  },
  {
    ruleId: 'strokeOrClots',
    answers: { strokeOrClots: true },
    severity: 'contraindicated',
    outcome: 'ineligible',
  },
  {
    ruleId: 'bloodDisorder',
    answers: { bloodDisorder: true },
    severity: 'contraindicated',
    outcome: 'ineligible',
  },
  { ruleId: 'diabetes', answers: { diabetes: true }, severity: 'contraindicated', outcome: 'ineligible' },
  {
    ruleId: 'bloodThinners',
    answers: { bloodThinners: true, bloodThinnerDetails: 'Aspirin 81 mg daily' },
    severity: 'review',
    outcome: 'needs_review',
  },
  {
    ruleId: 'allergies',
    answers: { allergies: true, allergyDetails: 'Lidocaine' },
    severity: 'review',
    outcome: 'needs_review',
  },
  {
    ruleId: 'previousReaction',
    answers: { previousReaction: true, previousReactionDetails: 'Hives after filler' },
    severity: 'review',
    outcome: 'needs_review',
  },
  {
    ruleId: 'keloidOrScarring',
    answers: { keloidOrScarring: true },
    severity: 'advisory',
    outcome: 'eligible',
  },
  {
    ruleId: 'eye_area',
    answers: { treatmentAreas: ['face', 'eye_area'] },
    severity: 'advisory',
    outcome: 'eligible',
  },
  {
    ruleId: 'localised_fat',
    answers: { concerns: ['localised_fat'] },
    severity: 'advisory',
    outcome: 'eligible',
  },
  { ruleId: 'cellulite', answers: { concerns: ['cellulite'] }, severity: 'advisory', outcome: 'eligible' },
];

describe('screenAnswers: each rule of CLINICAL.md', () => {
  it('covers every rule of the template', () => {
    expect(CLINICAL_TABLE.map((row) => row.ruleId)).toEqual(template.rules.map((rule) => rule.id));
  });

  it.each(CLINICAL_TABLE)(
    '$ruleId → $severity, outcome $outcome',
    ({ ruleId, answers, severity, outcome }) => {
      const result = screen(cleanAnswers(answers));
      expect(result.findings).toHaveLength(1);
      expect(result.findings[0]).toMatchObject({ ruleId, severity });
      expect(result.findings[0]?.message).toBe(template.rules.find((rule) => rule.id === ruleId)?.message.en);
      expect(result.outcome).toBe(outcome);
    },
  );
});

describe('screenAnswers: outcomes', () => {
  it('clean answers are eligible with no findings and every unconditional risk', () => {
    expect(screen(cleanAnswers())).toEqual({
      outcome: 'eligible',
      findings: [],
      applicableRiskIds: ALL_RISKS_BUT_LECITHIN,
    });
  });

  it('contraindicated beats review and advisory', () => {
    const result = screen(
      cleanAnswers({
        bloodThinners: true,
        bloodThinnerDetails: 'warfarin',
        keloidOrScarring: true,
        diabetes: true,
      }),
    );
    expect(result.outcome).toBe('ineligible');
    expect(result.findings.map((f) => [f.ruleId, f.severity])).toEqual([
      ['diabetes', 'contraindicated'],
      ['bloodThinners', 'review'],
      ['keloidOrScarring', 'advisory'],
    ]);
  });

  it('review beats advisory', () => {
    const result = screen(
      cleanAnswers({ allergies: true, allergyDetails: 'penicillin', keloidOrScarring: true }),
    );
    expect(result.outcome).toBe('needs_review');
  });

  it('advisory findings alone stay eligible, but are reported', () => {
    const result = screen(
      cleanAnswers({ keloidOrScarring: true, treatmentAreas: ['eye_area'], concerns: ['dark_circles'] }),
    );
    expect(result.outcome).toBe('eligible');
    expect(result.findings.map((f) => f.ruleId)).toEqual(['keloidOrScarring', 'eye_area']);
    expect(result.findings.every((f) => f.severity === 'advisory')).toBe(true);
  });

  it('reports findings in template rule order, whatever the answer order', () => {
    const answers = cleanAnswers({
      concerns: ['cellulite', 'localised_fat'],
      pregnant: true,
      allergies: true,
    });
    const reversed = Object.fromEntries(Object.entries(answers).reverse());
    const ids = ['pregnant', 'allergies', 'localised_fat', 'cellulite'];
    expect(screen(answers).findings.map((f) => f.ruleId)).toEqual(ids);
    expect(screen(reversed).findings.map((f) => f.ruleId)).toEqual(ids);
  });

  it('only a literal true triggers a yes/no rule', () => {
    expect(screen(cleanAnswers({ pregnant: 'true' as unknown as boolean })).findings).toEqual([]);
  });
});

describe('screenAnswers: eye area and lecithin', () => {
  it('treatment around the eyes is an advisory finding', () => {
    const result = screen(cleanAnswers({ treatmentAreas: ['eye_area'] }));
    expect(result.findings).toEqual([
      { ruleId: 'eye_area', severity: 'advisory', message: expect.stringMatching(/eyes/) },
    ]);
    expect(result.applicableRiskIds).not.toContain('lecithin');
  });

  it.each(['localised_fat', 'cellulite'])('%s adds the lecithin risk, in template risk order', (concern) => {
    const { applicableRiskIds } = screen(cleanAnswers({ concerns: ['wrinkles', concern] }));
    expect(applicableRiskIds).toEqual([...ALL_RISKS_BUT_LECITHIN.slice(0, -1), 'lecithin', 'no_guarantee']);
  });

  it('both fat and cellulite list lecithin once', () => {
    const { applicableRiskIds, findings } = screen(
      cleanAnswers({ concerns: ['localised_fat', 'cellulite'] }),
    );
    expect(applicableRiskIds.filter((id) => id === 'lecithin')).toHaveLength(1);
    expect(findings.map((f) => f.ruleId)).toEqual(['localised_fat', 'cellulite']);
  });

  it('lecithin is absent for other concerns and areas', () => {
    const everythingElse = cleanAnswers({
      treatmentAreas: ['face', 'eye_area', 'neck', 'scalp', 'arms', 'legs', 'abdomen', 'buttocks'],
      concerns: ['wrinkles', 'dark_circles', 'dry_skin', 'pigmentation', 'acne_scars', 'pores', 'sagging'],
    });
    expect(screen(everythingElse).applicableRiskIds).not.toContain('lecithin');
  });
});

describe('screenAnswers: age on the clinic date', () => {
  const dobFinding = (dateOfBirth: string, clinicDate: string) =>
    screen(cleanAnswers({ dateOfBirth }), clinicDate).findings.find((f) => f.ruleId === 'dateOfBirth');

  it('exactly 18 today is not under age', () => {
    const result = screen(cleanAnswers({ dateOfBirth: '2008-11-21' }), '2026-11-21');
    expect(result.outcome).toBe('eligible');
    expect(result.findings).toEqual([]);
  });

  it('one day short of 18 is ineligible, with ruleId dateOfBirth', () => {
    const result = screen(cleanAnswers({ dateOfBirth: '2008-11-22' }), '2026-11-21');
    expect(result.outcome).toBe('ineligible');
    expect(result.findings).toEqual([
      { ruleId: 'dateOfBirth', severity: 'contraindicated', message: expect.stringMatching(/18/) },
    ]);
  });

  it('compares across month and year boundaries', () => {
    expect(dobFinding('2008-12-01', '2026-11-30')).toBeDefined();
    expect(dobFinding('2008-01-01', '2025-12-31')).toBeDefined();
    expect(dobFinding('2008-01-01', '2026-01-01')).toBeUndefined();
    expect(dobFinding('1950-06-15', TODAY)).toBeUndefined();
  });

  it('a 29 February birthday counts as 1 March in a non-leap year', () => {
    // Born 2008-02-29: 18th birthday falls in 2026, not a leap year.
    expect(dobFinding('2008-02-29', '2026-02-28')).toBeDefined();
    expect(dobFinding('2008-02-29', '2026-03-01')).toBeUndefined();
  });

  it('a 29 February birthday is 29 February when the anniversary year is a leap year', () => {
    // 18 is not a multiple of 4, so an 18th birthday never falls in a leap year: check the rule with 4 years.
    const adultAt4: TreatmentTemplate = {
      ...template,
      rules: [{ ...(template.rules[0] as TreatmentTemplate['rules'][number]), when: underAge(4) }],
    };
    const under = (clinicDate: string) =>
      screenAnswers(adultAt4, cleanAnswers({ dateOfBirth: '2020-02-29' }), clinicDate, 'en').outcome;
    expect(under('2024-02-28')).toBe('ineligible');
    expect(under('2024-02-29')).toBe('eligible');
  });

  it('fails closed when the age cannot be established', () => {
    expect(dobFinding('not a date', TODAY)).toBeDefined();
    expect(dobFinding('2008-02-30', TODAY)).toBeDefined();
    expect(screen(cleanAnswers({ dateOfBirth: undefined })).outcome).toBe('ineligible');
    expect(dobFinding('1990-05-14', 'garbage')).toBeDefined();
  });
});

function underAge(years: number) {
  return { kind: 'underAge' as const, question: 'dateOfBirth', years };
}

describe('clinicLocalDate', () => {
  it('is already tomorrow in Dubai when it is 21:30 UTC', () => {
    const now = new Date('2026-11-21T21:30:00Z');
    expect(clinicLocalDate(now, 'UTC')).toBe('2026-11-21');
    expect(clinicLocalDate(now, 'Asia/Dubai')).toBe('2026-11-22');
  });

  it('follows Cairo, and the moment of midnight in Dubai', () => {
    expect(clinicLocalDate(new Date('2026-11-21T21:59:59Z'), 'Africa/Cairo')).toBe('2026-11-21');
    expect(clinicLocalDate(new Date('2026-11-21T19:59:59Z'), 'Asia/Dubai')).toBe('2026-11-21');
    expect(clinicLocalDate(new Date('2026-11-21T20:00:00Z'), 'Asia/Dubai')).toBe('2026-11-22');
  });

  it('decides the age rule: a patient turning 18 on the Dubai date is eligible before UTC midnight', () => {
    const now = new Date('2026-11-21T21:30:00Z');
    const answers = cleanAnswers({ dateOfBirth: '2008-11-22' });
    expect(screen(answers, clinicLocalDate(now, 'UTC')).outcome).toBe('ineligible');
    expect(screen(answers, clinicLocalDate(now, 'Asia/Dubai')).outcome).toBe('eligible');
  });

  it('rejects an unknown time zone', () => {
    expect(() => clinicLocalDate(new Date(), 'Mars/Olympus_Mons')).toThrow(RangeError);
  });
});

describe('screenAnswers: locale', () => {
  it('returns Arabic messages for the Arabic locale', () => {
    const answers = cleanAnswers({ pregnant: true, bloodThinners: true, bloodThinnerDetails: 'أسبرين' });
    const ar = screen(answers, TODAY, 'ar');
    const en = screen(answers, TODAY, 'en');
    expect(ar.outcome).toBe(en.outcome);
    expect(ar.findings.map((f) => [f.ruleId, f.severity])).toEqual(
      en.findings.map((f) => [f.ruleId, f.severity]),
    );
    for (const finding of ar.findings) expect(finding.message).toMatch(/[\u0621-\u064A]/);
    expect(ar.findings[1]?.message).toContain('7');
    expect(ar.findings[1]?.message).toContain('72');
  });
});

describe('screenAnswers: properties', () => {
  const multiOptions = (id: string) => {
    const question = template.questions.find((q) => q.id === id);
    return question?.type === 'multi' ? question.options.map((o) => o.id) : [];
  };
  const booleanIds = template.questions.filter((q) => q.type === 'boolean').map((q) => q.id);
  const isoDate = fc
    .date({
      min: new Date('1900-01-01T00:00:00Z'),
      max: new Date('2030-12-31T00:00:00Z'),
      noInvalidDate: true,
    })
    .map((d) => d.toISOString().slice(0, 10));

  const validAnswers = fc.record({
    dateOfBirth: isoDate,
    ...Object.fromEntries(booleanIds.map((id) => [id, fc.boolean()])),
    treatmentAreas: fc.subarray(multiOptions('treatmentAreas'), { minLength: 1 }),
    concerns: fc.subarray(multiOptions('concerns'), { minLength: 1 }),
  }) as fc.Arbitrary<Answers>;

  it('never throws, is deterministic, and its outcome follows the findings', () => {
    fc.assert(
      fc.property(
        validAnswers,
        isoDate,
        fc.constantFrom('en' as const, 'ar' as const),
        (answers, day, locale) => {
          const first = screenAnswers(template, answers, day, locale);
          const second = screenAnswers(template, structuredClone(answers), day, locale);
          expect(second).toEqual(first);
          expect(first.outcome).toBe(outcomeOf(first.findings));
          const severities = new Set(first.findings.map((f) => f.severity));
          if (severities.has('contraindicated')) expect(first.outcome).toBe('ineligible');
          else if (severities.has('review')) expect(first.outcome).toBe('needs_review');
          else expect(first.outcome).toBe('eligible');
          const ruleOrder = template.rules.map((r) => r.id);
          const indexes = first.findings.map((f) => ruleOrder.indexOf(f.ruleId));
          expect(indexes).toEqual([...indexes].sort((a, b) => a - b));
          expect(first.applicableRiskIds.includes('lecithin')).toBe(
            first.findings.some((f) => f.ruleId === 'localised_fat' || f.ruleId === 'cellulite'),
          );
        },
      ),
      { numRuns: 500 },
    );
  });

  it('never throws on arbitrary JSON answers', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), fc.string(), (answers, day) => {
        const result = screenAnswers(template, answers as Answers, day, 'en');
        expect(['eligible', 'needs_review', 'ineligible']).toContain(result.outcome);
      }),
      { numRuns: 300 },
    );
  });
});
