import type {
  Element,
  Questionnaire,
  QuestionnaireItem,
  QuestionnaireItemAnswerOption,
} from '@medplum/fhirtypes';
import type { Question, TreatmentTemplate } from '../../domain/template';
import { type FhirNamespace, fhirNamespace, TRANSLATION_EXTENSION } from './codes';

/**
 * A treatment template version as a FHIR R4 Questionnaire: one item per question, `linkId` = the question
 * id (the same ids as the API's answers and the QuestionnaireResponse), English text with the Arabic as
 * FHIR's translation extension, and `enableWhen` on the detail questions the form shows only when their
 * yes/no question is answered yes (`requiredWhen` in the template). Pure: template in, resource out.
 */

/** A string element's primitive extension (`_text`, `_display`): FHIR's way to carry its translation. */
export type Translatable<T> = T & { _text?: Element; _title?: Element; _display?: Element };

/** The Arabic of a bilingual text, as the translation extension on the (English) element. */
export function arabic(ar: string): Element {
  return {
    extension: [
      {
        url: TRANSLATION_EXTENSION,
        extension: [
          { url: 'lang', valueCode: 'ar' },
          { url: 'content', valueString: ar },
        ],
      },
    ],
  };
}

/** The canonical reference a QuestionnaireResponse names: `url|version`. */
export function questionnaireCanonical(appUrl: string, treatmentId: string, version: string): string {
  return `${fhirNamespace(appUrl).questionnaire(treatmentId)}|${version}`;
}

/** A FHIR id (`[A-Za-z0-9\-\.]{1,64}`) for a template version, e.g. `mesotherapy-2026.11.1`. */
export function questionnaireId(treatmentId: string, version: string): string {
  return `${treatmentId}-${version}`.replace(/[^A-Za-z0-9.-]/g, '-').slice(0, 64);
}

/** A computable name (`[A-Z]([A-Za-z0-9_]){0,254}`, FHIR's inv-0): "Mesotherapy" → "Mesotherapy". */
function computableName(title: string, fallback: string): string {
  const words = title.match(/[A-Za-z0-9]+/g) ?? [];
  const name = words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
  return /^[A-Z]/.test(name) ? name : `Treatment${fallback.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

/** A question the patient must answer whenever it is shown (the API's rules, see answers-schema.ts). */
function isRequired(question: Question): boolean {
  switch (question.type) {
    case 'date':
    case 'boolean':
      return true;
    case 'text':
      // Detail fields are required when shown, i.e. when enableWhen holds; other free text is optional.
      return question.requiredWhen !== undefined;
    case 'multi':
      return question.minItems > 0;
  }
}

export function answerOptions(
  ns: FhirNamespace,
  treatmentId: string,
  question: Extract<Question, { type: 'multi' }>,
): Translatable<QuestionnaireItemAnswerOption>[] {
  const system = ns.optionSystem(treatmentId, question.id);
  return question.options.map((option) => ({
    valueCoding: {
      system,
      code: option.id,
      display: option.label.en,
      _display: arabic(option.label.ar),
    } as Translatable<NonNullable<QuestionnaireItemAnswerOption['valueCoding']>>,
  }));
}

function questionItem(ns: FhirNamespace, template: TreatmentTemplate, question: Question): QuestionnaireItem {
  const base: Translatable<QuestionnaireItem> = {
    linkId: question.id,
    text: question.label.en,
    _text: arabic(question.label.ar),
    type: 'boolean',
    required: isRequired(question),
  };
  switch (question.type) {
    case 'date':
      return { ...base, type: 'date' };
    case 'boolean':
      return { ...base, type: 'boolean' };
    case 'text':
      return {
        ...base,
        type: 'text',
        maxLength: question.maxLength,
        ...(question.requiredWhen !== undefined
          ? { enableWhen: [{ question: question.requiredWhen, operator: '=', answerBoolean: true }] }
          : {}),
      };
    case 'multi':
      return {
        ...base,
        type: 'choice',
        repeats: true,
        answerOption: answerOptions(ns, template.id, question),
      };
  }
}

export interface QuestionnaireInput {
  template: TreatmentTemplate;
  /** The template's canonical SHA-256 (functions/domain/template-store.ts), the id a consent records. */
  templateSha256: string;
  appUrl: string;
  /** Publication status of this version; the shipped templates are the active ones. */
  status?: 'draft' | 'active' | 'retired';
}

export function templateQuestionnaire(input: QuestionnaireInput): Questionnaire {
  const { template } = input;
  const ns = fhirNamespace(input.appUrl);
  const questionnaire: Translatable<Questionnaire> = {
    resourceType: 'Questionnaire',
    id: questionnaireId(template.id, template.version),
    language: 'en',
    url: ns.questionnaire(template.id),
    identifier: [{ system: ns.templateSha256System, value: input.templateSha256 }],
    version: template.version,
    name: computableName(template.title.en, template.id),
    title: template.title.en,
    _title: arabic(template.title.ar),
    status: input.status ?? 'active',
    subjectType: ['Patient'],
    item: template.questions.map((q) => questionItem(ns, template, q)),
  };
  return questionnaire;
}
