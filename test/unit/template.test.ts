import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  type Localized,
  type TreatmentTemplate,
  treatmentTemplateSchema,
} from '../../functions/domain/template';
import {
  canonicalJson,
  loadTemplate,
  templateFileUrl,
  templateIds,
  templateSha256,
} from '../../functions/domain/template-store';

const treatmentsDir = new URL('../../templates/treatments/', import.meta.url);
const i18nDir = new URL('../../templates/i18n/', import.meta.url);
const rawMesotherapy: unknown = JSON.parse(readFileSync(new URL('mesotherapy.json', treatmentsDir), 'utf8'));

function mesotherapy(): TreatmentTemplate {
  const template = loadTemplate('mesotherapy');
  if (!template) throw new Error('mesotherapy template is not registered');
  return template;
}

/** The answer ids of API.md, in the order the form asks them. */
const API_ANSWER_IDS = [
  'dateOfBirth',
  'pregnant',
  'breastfeeding',
  'activeSkinInfection',
  'heartDisease',
  'heartMedication',
  'cancer',
  'immuneDisease',
  'strokeOrClots',
  'bloodDisorder',
  'diabetes',
  'bloodThinners',
  'bloodThinnerDetails',
  'allergies',
  'allergyDetails',
  'previousReaction',
  'previousReactionDetails',
  'keloidOrScarring',
  'currentMedications',
  'treatmentAreas',
  'concerns',
];

/** CLINICAL.md's risk table: id → how common. */
const CLINICAL_RISKS: Record<string, string> = {
  bruising: 'common',
  swelling: 'common',
  redness: 'common',
  pain: 'common',
  burning: 'common',
  infection: 'uncommon',
  allergy: 'rare',
  pigmentation: 'uncommon',
  rash: 'uncommon',
  nausea: 'rare',
  scarring: 'rare',
  lecithin: 'common',
  no_guarantee: 'varies',
};

/** CLINICAL.md's screening table: rule id → severity, in table order. */
const CLINICAL_RULES: Array<[string, string]> = [
  ['dateOfBirth', 'contraindicated'],
  ['pregnant', 'contraindicated'],
  ['breastfeeding', 'contraindicated'],
  ['activeSkinInfection', 'contraindicated'],
  ['heartDisease', 'contraindicated'],
  ['heartMedication', 'contraindicated'],
  ['cancer', 'contraindicated'],
  ['immuneDisease', 'contraindicated'],
  ['strokeOrClots', 'contraindicated'],
  ['bloodDisorder', 'contraindicated'],
  ['diabetes', 'contraindicated'],
  ['bloodThinners', 'review'],
  ['allergies', 'review'],
  ['previousReaction', 'review'],
  ['keloidOrScarring', 'advisory'],
  ['eye_area', 'advisory'],
  ['localised_fat', 'advisory'],
  ['cellulite', 'advisory'],
];

/** Every {en, ar} pair anywhere in a value, with a readable path. */
function localizedTexts(value: unknown, path = '$'): Array<{ path: string; text: Localized }> {
  if (Array.isArray(value)) return value.flatMap((item, i) => localizedTexts(item, `${path}[${i}]`));
  if (value === null || typeof value !== 'object') return [];
  const keys = Object.keys(value).sort();
  if (keys.length === 2 && keys[0] === 'ar' && keys[1] === 'en') return [{ path, text: value as Localized }];
  return Object.entries(value).flatMap(([key, child]) => localizedTexts(child, `${path}.${key}`));
}

const ARABIC_LETTER = /[\u0621-\u064A]/;
const EASTERN_DIGITS = /[\u0660-\u0669\u06F0-\u06F9]/;

describe('mesotherapy template', () => {
  it('parses with the treatment template schema', () => {
    const result = treatmentTemplateSchema.safeParse(rawMesotherapy);
    expect(result.error?.issues).toBeUndefined();
    expect(result.data?.id).toBe('mesotherapy');
    expect(result.data?.version).toMatch(/^\d{4}\.\d{1,2}\.\d+$/);
  });

  it('asks the API.md questions, in order, with their types', () => {
    const template = mesotherapy();
    expect(template.questions.map((q) => q.id)).toEqual(API_ANSWER_IDS);
    const byId = new Map(template.questions.map((q) => [q.id, q]));
    expect(byId.get('dateOfBirth')?.type).toBe('date');
    for (const id of API_ANSWER_IDS.slice(1, 12)) expect(byId.get(id)?.type, id).toBe('boolean');
    for (const id of ['allergies', 'previousReaction', 'keloidOrScarring']) {
      expect(byId.get(id)?.type, id).toBe('boolean');
    }
    expect(byId.get('bloodThinnerDetails')).toMatchObject({
      type: 'text',
      requiredWhen: 'bloodThinners',
      maxLength: 500,
    });
    expect(byId.get('allergyDetails')).toMatchObject({ type: 'text', requiredWhen: 'allergies' });
    expect(byId.get('previousReactionDetails')).toMatchObject({
      type: 'text',
      requiredWhen: 'previousReaction',
    });
    const meds = byId.get('currentMedications');
    expect(meds).toMatchObject({ type: 'text', maxLength: 1000 });
    expect(meds && 'requiredWhen' in meds ? meds.requiredWhen : undefined).toBeUndefined();
  });

  it('offers exactly the API.md areas and concerns, each needing at least one choice', () => {
    const multi = (id: string) => {
      const question = mesotherapy().questions.find((q) => q.id === id);
      if (question?.type !== 'multi') throw new Error(`${id} is not a multi question`);
      return question;
    };
    expect(multi('treatmentAreas').minItems).toBe(1);
    expect(multi('treatmentAreas').options.map((o) => o.id)).toEqual([
      'face',
      'eye_area',
      'neck',
      'scalp',
      'arms',
      'legs',
      'abdomen',
      'buttocks',
    ]);
    expect(multi('concerns').minItems).toBe(1);
    expect(multi('concerns').options.map((o) => o.id)).toEqual([
      'wrinkles',
      'dark_circles',
      'dry_skin',
      'pigmentation',
      'acne_scars',
      'pores',
      'sagging',
      'cellulite',
      'stretch_marks',
      'double_chin',
      'localised_fat',
      'hair_loss',
    ]);
  });

  it("has one rule per row of CLINICAL.md's table, with its severity", () => {
    expect(mesotherapy().rules.map((r) => [r.id, r.severity])).toEqual(CLINICAL_RULES);
  });

  it('refers only to questions, options and risks that exist', () => {
    const template = mesotherapy();
    const questions = new Map(template.questions.map((q) => [q.id, q]));
    const riskIds = new Set(template.risks.map((r) => r.id));
    for (const rule of template.rules) {
      const question = questions.get(rule.when.question);
      expect(question, `${rule.id} → ${rule.when.question}`).toBeDefined();
      const expectedType = { isTrue: 'boolean', underAge: 'date', includesAny: 'multi' }[rule.when.kind];
      expect(question?.type, rule.id).toBe(expectedType);
      if (rule.when.kind === 'includesAny' && question?.type === 'multi') {
        const optionIds = question.options.map((o) => o.id);
        for (const value of rule.when.values) expect(optionIds, rule.id).toContain(value);
      }
      for (const riskId of rule.addsRisks ?? [])
        expect(riskIds.has(riskId), `${rule.id} adds ${riskId}`).toBe(true);
    }
    for (const question of template.questions) {
      if (question.type === 'text' && question.requiredWhen) {
        expect(questions.get(question.requiredWhen)?.type, question.id).toBe('boolean');
      }
    }
  });

  it('uses the age limit of 18 and lets only fat and cellulite add the lecithin risk', () => {
    const rules = mesotherapy().rules;
    expect(rules.find((r) => r.id === 'dateOfBirth')?.when).toEqual({
      kind: 'underAge',
      question: 'dateOfBirth',
      years: 18,
    });
    expect(rules.filter((r) => r.addsRisks?.includes('lecithin')).map((r) => r.id)).toEqual([
      'localised_fat',
      'cellulite',
    ]);
  });

  it("lists every risk of CLINICAL.md's table with its frequency, only lecithin conditional", () => {
    const risks = mesotherapy().risks;
    expect(Object.fromEntries(risks.map((r) => [r.id, r.frequency]))).toEqual(CLINICAL_RISKS);
    expect(risks.map((r) => r.id)).toEqual(Object.keys(CLINICAL_RISKS));
    expect(risks.filter((r) => r.conditional).map((r) => r.id)).toEqual(['lecithin']);
  });

  it('lists the risks the design card requires', () => {
    const ids = mesotherapy().risks.map((r) => r.id);
    for (const id of ['bruising', 'swelling', 'infection', 'allergy']) expect(ids).toContain(id);
  });

  it('has the four declarations', () => {
    expect(mesotherapy().declarations.map((d) => d.id)).toEqual([
      'truthful',
      'questions',
      'treatment',
      'electronic',
    ]);
  });

  it('uses the stricter 7 days for blood thinners before, and 72 hours after', () => {
    const { before, after } = mesotherapy().care;
    expect(before.some((item) => /\b7 days\b/.test(item.en) && /aspirin/i.test(item.en))).toBe(true);
    expect(before.some((item) => /72/.test(item.en))).toBe(false);
    expect(after.some((item) => /72 hours/.test(item.en))).toBe(true);
  });

  it('states the facts the consent must carry', () => {
    const { consent } = mesotherapy();
    expect(consent.procedure.en).toMatch(/1–4 mm/);
    expect(consent.procedure.en).toMatch(/5–30 minutes/);
    expect(consent.procedure.en).toMatch(/anaesthetic/);
    expect(consent.course.en).toMatch(/3–15 sessions/);
    expect(consent.course.en).toMatch(/7–10 days/);
    expect(consent.course.en).toMatch(/3–4 weeks/);
    expect(consent.results.en).toMatch(/no result is guaranteed/);
    expect(consent.alternatives.en).toMatch(/liposuction/);
    expect(consent.rightToRefuse.en).toMatch(/stop it at any time/);
    expect(consent.electronicRecords.en).toMatch(/paper copy/);
    expect(consent.electronicRecords.en).toMatch(/withdraw/);
    expect(consent.electronicRecords.en).toMatch(/e-mailed/);
  });

  it('has every text in English and Arabic, the Arabic in Arabic script with Western digits', () => {
    const texts = localizedTexts(rawMesotherapy);
    expect(texts.length).toBeGreaterThan(100);
    for (const { path, text } of texts) {
      expect(text.en.trim(), path).not.toBe('');
      expect(text.ar.trim(), path).not.toBe('');
      expect(text.ar, path).not.toBe(text.en);
      expect(text.ar, path).toMatch(ARABIC_LETTER);
      expect(text.en, path).not.toMatch(ARABIC_LETTER);
      expect(text.ar, path).not.toMatch(EASTERN_DIGITS);
      // A number in one language must appear in the other (7 days, 72 hours, 1–4 mm …).
      for (const number of text.ar.match(/\d+/g) ?? [])
        expect(text.en, `${path}: ${number}`).toContain(number);
    }
  });

  it('contains no phone numbers or real clinic names', () => {
    const json = JSON.stringify(rawMesotherapy);
    expect(json).not.toMatch(/\+?\d[\d ]{6,}\d/);
    expect(json).not.toMatch(/whatsapp|tel:|clinic dubai|al barsha|motor city|international city/i);
  });
});

describe('template store', () => {
  it('registers every template file on disk, under its own id', () => {
    const files = readdirSync(treatmentsDir).filter((name) => name.endsWith('.json'));
    expect(templateIds().sort()).toEqual(files.map((name) => name.replace(/\.json$/, '')).sort());
    for (const id of templateIds()) {
      const fromDisk = treatmentTemplateSchema.parse(JSON.parse(readFileSync(templateFileUrl(id), 'utf8')));
      expect(loadTemplate(id)).toEqual(fromDisk);
    }
  });

  it('returns undefined for an unknown treatment', () => {
    expect(loadTemplate('botox')).toBeUndefined();
    expect(loadTemplate('__proto__')).toBeUndefined();
    expect(loadTemplate('toString')).toBeUndefined();
  });

  it('hands out a frozen template, the same object each time', () => {
    expect(loadTemplate('mesotherapy')).toBe(loadTemplate('mesotherapy'));
    expect(Object.isFrozen(mesotherapy().rules[0])).toBe(true);
  });

  it('hashes the canonical JSON: independent of key order, sensitive to content', () => {
    const template = mesotherapy();
    const digest = templateSha256(template);
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(templateSha256(template)).toBe(digest);

    const reordered = JSON.parse(JSON.stringify(template), (_key, value) =>
      value && typeof value === 'object' && !Array.isArray(value)
        ? Object.fromEntries(Object.entries(value).reverse())
        : value,
    ) as TreatmentTemplate;
    expect(JSON.stringify(reordered)).not.toBe(JSON.stringify(template));
    expect(templateSha256(reordered)).toBe(digest);

    const edited = structuredClone(template) as TreatmentTemplate;
    edited.ineligibleMessage.en += '!';
    expect(templateSha256(edited)).not.toBe(digest);
  });

  it('sorts keys at every level and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 1, c: 2 }, 3], e: undefined })).toBe(
      '{"a":[{"c":2,"d":1},3],"b":1}',
    );
  });
});

/** Other engineers add ui.json, pdf.json, email.json here: {"en": {key: text}, "ar": {key: text}}. */
const i18nFiles = existsSync(i18nDir) ? readdirSync(i18nDir).filter((name) => name.endsWith('.json')) : [];

describe('templates/i18n bilingual parity', () => {
  for (const file of i18nFiles) {
    it(`${file}: English and Arabic have the same keys and no empty text`, () => {
      const bundle = JSON.parse(readFileSync(new URL(file, i18nDir), 'utf8')) as Record<string, unknown>;
      expect(Object.keys(bundle).sort()).toEqual(['ar', 'en']);
      const en = bundle.en as Record<string, unknown>;
      const ar = bundle.ar as Record<string, unknown>;
      expect(Object.keys(ar).sort()).toEqual(Object.keys(en).sort());
      for (const [locale, strings] of Object.entries({ en, ar })) {
        for (const [key, text] of Object.entries(strings)) {
          expect(typeof text, `${locale}.${key}`).toBe('string');
          expect(String(text).trim(), `${locale}.${key}`).not.toBe('');
        }
      }
    });
  }
});
