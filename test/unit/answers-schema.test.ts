import { afterEach, describe, expect, it, vi } from 'vitest';
import { answersSchema } from '../../functions/domain/answers-schema';
import type { TreatmentTemplate } from '../../functions/domain/template';
import { loadTemplate } from '../../functions/domain/template-store';
import { cleanAnswers } from '../fixtures/answers';

const template = loadTemplate('mesotherapy') as TreatmentTemplate;
const schema = answersSchema(template);

function issues(input: unknown) {
  const result = schema.safeParse(input);
  return result.success
    ? []
    : result.error.issues.map((issue) => ({ path: issue.path, message: issue.message }));
}

afterEach(() => {
  vi.useRealTimers();
});

describe('answersSchema', () => {
  it('is built once per template', () => {
    expect(answersSchema(template)).toBe(schema);
  });

  it('accepts the clean answer set unchanged', () => {
    expect(schema.parse(cleanAnswers())).toEqual(cleanAnswers());
  });

  it('accepts details, trimmed, and the optional medication list', () => {
    const parsed = schema.parse(
      cleanAnswers({
        bloodThinners: true,
        bloodThinnerDetails: '  Aspirin 81 mg  ',
        allergies: true,
        allergyDetails: 'Lidocaine',
        previousReaction: true,
        previousReactionDetails: 'Swelling for a week',
        currentMedications: 'Vitamin D',
        treatmentAreas: ['face', 'eye_area'],
        concerns: ['localised_fat', 'cellulite'],
      }),
    );
    expect(parsed.bloodThinnerDetails).toBe('Aspirin 81 mg');
    expect(parsed.currentMedications).toBe('Vitamin D');
  });

  it.each(['pregnant', 'diabetes', 'keloidOrScarring'])('rejects a missing %s with its path', (id) => {
    expect(issues(cleanAnswers({ [id]: undefined }))).toEqual([{ path: [id], message: expect.any(String) }]);
  });

  it('rejects a yes/no answer that is not a boolean', () => {
    expect(issues(cleanAnswers({ pregnant: 'no' }))).toEqual([
      { path: ['pregnant'], message: expect.any(String) },
    ]);
  });

  it('rejects an unknown key', () => {
    const found = issues({ ...cleanAnswers(), smoker: false });
    expect(found).toHaveLength(1);
    expect(found[0]?.message).toContain('smoker');
  });

  it('rejects something that is not an object', () => {
    expect(issues(null)).toHaveLength(1);
    expect(issues(['pregnant'])).toHaveLength(1);
  });

  it.each([
    ['bloodThinners', 'bloodThinnerDetails'],
    ['allergies', 'allergyDetails'],
    ['previousReaction', 'previousReactionDetails'],
  ])('requires %s details when the answer is yes', (boolean, details) => {
    const message = `Required when ${boolean} is yes`;
    expect(issues(cleanAnswers({ [boolean]: true }))).toEqual([{ path: [details], message }]);
    expect(issues(cleanAnswers({ [boolean]: true, [details]: '   ' }))).toEqual([
      { path: [details], message },
    ]);
    expect(issues(cleanAnswers({ [boolean]: true, [details]: 'some detail' }))).toEqual([]);
  });

  it('makes details optional when the answer is no', () => {
    expect(issues(cleanAnswers({ bloodThinners: false }))).toEqual([]);
    expect(issues(cleanAnswers({ bloodThinners: false, bloodThinnerDetails: '' }))).toEqual([]);
  });

  it('reports missing details together with other errors', () => {
    const found = issues(cleanAnswers({ bloodThinners: true, pregnant: undefined }));
    expect(found.map((issue) => issue.path)).toEqual([['pregnant'], ['bloodThinnerDetails']]);
  });

  it('limits text length', () => {
    expect(issues(cleanAnswers({ bloodThinners: true, bloodThinnerDetails: 'x'.repeat(500) }))).toEqual([]);
    expect(issues(cleanAnswers({ bloodThinners: true, bloodThinnerDetails: 'x'.repeat(501) }))).toEqual([
      { path: ['bloodThinnerDetails'], message: expect.any(String) },
    ]);
    expect(issues(cleanAnswers({ currentMedications: 'x'.repeat(1001) }))).toEqual([
      { path: ['currentMedications'], message: expect.any(String) },
    ]);
    expect(issues(cleanAnswers({ currentMedications: 42 as unknown as string }))).toEqual([
      { path: ['currentMedications'], message: expect.any(String) },
    ]);
  });

  it.each([
    '2026-02-30',
    '2023-02-29',
    '1990-13-01',
    '1990-00-10',
    '1990-5-14',
    'yesterday',
    '14/05/1990',
    '1990-05-14T00:00:00Z',
    '1899-12-31',
    '',
  ])('rejects the date of birth %j', (dateOfBirth) => {
    expect(issues(cleanAnswers({ dateOfBirth }))).toEqual([
      { path: ['dateOfBirth'], message: expect.any(String) },
    ]);
  });

  it('accepts a leap day and the earliest year', () => {
    expect(issues(cleanAnswers({ dateOfBirth: '2000-02-29' }))).toEqual([]);
    expect(issues(cleanAnswers({ dateOfBirth: '1900-01-01' }))).toEqual([]);
  });

  it('rejects a date of birth in the future', () => {
    vi.useFakeTimers({ now: new Date('2026-11-21T10:00:00Z'), toFake: ['Date'] });
    expect(issues(cleanAnswers({ dateOfBirth: '2026-11-23' }))).toEqual([
      { path: ['dateOfBirth'], message: 'Date must not be in the future' },
    ]);
    expect(issues(cleanAnswers({ dateOfBirth: '2999-01-01' }))).toHaveLength(1);
    // Today is not in the future, nor is tomorrow where the date line has already passed midnight.
    expect(issues(cleanAnswers({ dateOfBirth: '2026-11-21' }))).toEqual([]);
    expect(issues(cleanAnswers({ dateOfBirth: '2026-11-22' }))).toEqual([]);
  });

  it('rejects an empty or missing list of treatment areas', () => {
    expect(issues(cleanAnswers({ treatmentAreas: [] }))).toEqual([
      { path: ['treatmentAreas'], message: expect.any(String) },
    ]);
    expect(issues(cleanAnswers({ concerns: undefined }))).toEqual([
      { path: ['concerns'], message: expect.any(String) },
    ]);
  });

  it('rejects an unknown option', () => {
    const found = issues(cleanAnswers({ treatmentAreas: ['face', 'elbow'] }));
    expect(found).toEqual([{ path: ['treatmentAreas', 1], message: expect.stringContaining('eye_area') }]);
    expect(issues(cleanAnswers({ concerns: ['tattoo'] }))).toHaveLength(1);
  });

  it('rejects a duplicated option', () => {
    expect(issues(cleanAnswers({ concerns: ['wrinkles', 'wrinkles'] }))).toEqual([
      { path: ['concerns'], message: expect.any(String) },
    ]);
  });
});
