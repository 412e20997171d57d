import * as z from 'zod';
import type { Media } from './common';

/** The FHIR routes (API.md, Interoperability): bodies are FHIR R4 JSON, described by the FHIR specification. */
export const fhirBundleBody: Media = {
  mediaType: 'application/fhir+json',
  description:
    'A FHIR R4 Bundle (`type: "collection"`): Patient, QuestionnaireResponse, Consent (the PDF as `sourceAttachment` with its SHA-1 `hash`), Organization, Practitioner, a DetectedIssue per screening finding and a Provenance per signature (docs/design.md, "FHIR").',
};

export const fhirQuestionnaireBody: Media = {
  mediaType: 'application/fhir+json',
  description: 'A FHIR R4 Questionnaire: the template version, `enableWhen` on conditional questions.',
};

/** The query of GET /clinic/templates/{treatmentId}/questionnaire. */
export const templateQuestionnaireQuerySchema = z.object({
  version: z
    .string()
    .min(1)
    .max(64)
    .optional()
    .meta({ description: 'A template version (default: the one new invites use); another → 404.' }),
});
