import { createHash } from 'node:crypto';
import type {
  Bundle,
  BundleEntry,
  Consent,
  DetectedIssue,
  Organization,
  Patient,
  Practitioner,
  Provenance,
  QuestionnaireResponse,
  QuestionnaireResponseItem,
  QuestionnaireResponseItemAnswer,
  Reference,
  Resource,
} from '@medplum/fhirtypes';
import type { Answers, Clinic, ConsentRecord, ConsentStatus, PdfVersionRef } from '../../domain/model';
import type { Question, TreatmentTemplate } from '../../domain/template';
import { CODES, type FhirNamespace, fhirNamespace, LANGUAGE_SYSTEM } from './codes';
import { arabic, questionnaireCanonical, type Translatable } from './questionnaire';

/**
 * One consent as a FHIR R4 Bundle (`collection`): Patient, QuestionnaireResponse, Consent, Organization
 * (the clinic, custodian), Practitioner (the countersigning doctor), one DetectedIssue per screening
 * finding (with the doctor's note as its mitigation) and one Provenance per signature. Pure: the record,
 * its template, its clinic and the PDF bytes in, JSON out — no clock (the caller passes the time), no I/O.
 * Never carries a link token (the record holds none) nor the signature images (the PDF, pinned by its
 * hash in Consent.sourceAttachment, does).
 */

export interface ConsentBundleInput {
  consent: ConsentRecord;
  clinic: Clinic;
  /** The consent's treatment template: question types, option labels and the findings' wording. */
  template: TreatmentTemplate;
  /** The latest issued PDF version and its bytes (absent until the patient signs). */
  pdf?: { ref: PdfVersionRef; bytes: Uint8Array };
  /** The deployment's public base URL (APP_URL). */
  appUrl: string;
  /** When the bundle is assembled (Bundle.timestamp). */
  assembledAt: string;
  /** How long a consent stays valid once in force; the templates do not declare it yet. */
  validityDays?: number;
}

/** API.md: `proposed` until countersigned, `active` after, `rejected` when the doctor declines. */
export function consentState(status: ConsentStatus): 'proposed' | 'active' | 'rejected' {
  if (status === 'countersigned') return 'active';
  if (status === 'declined') return 'rejected';
  return 'proposed';
}

/** Attachment.hash as FHIR defines it: the base64 of the SHA-1 of the data. */
export function attachmentHash(bytes: Uint8Array): string {
  return createHash('sha1').update(bytes).digest('base64');
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A FHIR id: `[A-Za-z0-9\-\.]{1,64}`. */
function fhirId(raw: string): string {
  return raw.replace(/[^A-Za-z0-9.-]/g, '-').slice(0, 64) || 'x';
}

interface Ids {
  patient: string;
  consent: string;
  response: string;
  organization: string;
  practitioner: string;
}

function ref<T extends Resource>(type: T['resourceType'], id: string): Reference<T> {
  return { reference: `${type}/${id}` };
}

/** The API's answers as typed FHIR answers: booleans, dates, strings and codings of the template's options. */
export function responseItems(
  ns: FhirNamespace,
  template: TreatmentTemplate,
  answers: Answers,
): QuestionnaireResponseItem[] {
  const items: QuestionnaireResponseItem[] = [];
  const byId = new Map<string, Question>(template.questions.map((q) => [q.id, q]));
  for (const question of template.questions) {
    const answer = typedAnswer(ns, template, question, answers);
    if (answer.length) items.push({ linkId: question.id, answer });
  }
  // A record made with another version of the template may hold answers this one does not ask: keep them.
  for (const [id, value] of Object.entries(answers)) {
    if (byId.has(id) || value === undefined) continue;
    const answer = untypedAnswer(value);
    if (answer.length) items.push({ linkId: id, answer });
  }
  return items;
}

function typedAnswer(
  ns: FhirNamespace,
  template: TreatmentTemplate,
  question: Question,
  answers: Answers,
): QuestionnaireResponseItemAnswer[] {
  const value = answers[question.id];
  switch (question.type) {
    case 'boolean':
      return typeof value === 'boolean' ? [{ valueBoolean: value }] : [];
    case 'date':
      return typeof value === 'string' && ISO_DATE.test(value) ? [{ valueDate: value }] : [];
    case 'text': {
      // A detail the form did not show (its yes/no question was no) was not asked: not part of the response.
      if (question.requiredWhen !== undefined && answers[question.requiredWhen] !== true) return [];
      const text = typeof value === 'string' ? value.trim() : '';
      return text ? [{ valueString: text }] : [];
    }
    case 'multi': {
      if (!Array.isArray(value)) return [];
      const system = ns.optionSystem(template.id, question.id);
      return value.map((code) => {
        const option = question.options.find((o) => o.id === code);
        return { valueCoding: { system, code, ...(option ? { display: option.label.en } : {}) } };
      });
    }
  }
}

function untypedAnswer(value: string | boolean | string[]): QuestionnaireResponseItemAnswer[] {
  if (typeof value === 'boolean') return [{ valueBoolean: value }];
  const values = (Array.isArray(value) ? value : [value]).map((v) => v.trim()).filter(Boolean);
  return values.map((v) => (ISO_DATE.test(v) ? { valueDate: v } : { valueString: v }));
}

function patientResource(consent: ConsentRecord, id: string): Patient {
  const { patient } = consent;
  const birthDate = consent.answers?.dateOfBirth;
  return {
    resourceType: 'Patient',
    id,
    name: [{ text: patient.fullName }],
    telecom: [
      { system: 'email', value: patient.email },
      ...(patient.phone ? [{ system: 'phone' as const, value: patient.phone }] : []),
    ],
    ...(typeof birthDate === 'string' && ISO_DATE.test(birthDate) ? { birthDate } : {}),
    communication: [
      {
        language: {
          coding: [
            {
              system: LANGUAGE_SYSTEM,
              code: consent.locale,
              display: consent.locale === 'ar' ? 'Arabic' : 'English',
            },
          ],
        },
        preferred: true,
      },
    ],
  };
}

function responseResource(
  ns: FhirNamespace,
  input: ConsentBundleInput,
  ids: Ids,
  answers: Answers,
): QuestionnaireResponse {
  const { consent, template } = input;
  const patient = ref<Patient>('Patient', ids.patient);
  // Signed answers are definitive; before that the patient may still change them (except after an
  // ineligible screening, which closes the link for answers).
  const final = Boolean(consent.signedAt) || consent.outcome === 'ineligible';
  return {
    resourceType: 'QuestionnaireResponse',
    id: ids.response,
    language: consent.locale,
    questionnaire: questionnaireCanonical(input.appUrl, consent.treatmentId, consent.templateVersion),
    status: final ? 'completed' : 'in-progress',
    subject: patient,
    ...(consent.answeredAt ? { authored: consent.answeredAt } : {}),
    author: patient,
    source: patient,
    item: responseItems(ns, template, answers),
  };
}

function addDays(iso: string, days: number): string {
  return new Date(Date.parse(iso) + days * 86_400_000).toISOString();
}

function consentResource(ns: FhirNamespace, input: ConsentBundleInput, ids: Ids): Consent {
  const { consent, template, pdf } = input;
  const patient = ref<Patient>('Patient', ids.patient);
  // In force from the countersignature; before that the period says from when it would be.
  const start = consent.countersignedAt ?? consent.signedAt;
  const reviewedAt = consent.countersignedAt ?? consent.declinedAt;
  return {
    resourceType: 'Consent',
    id: ids.consent,
    ...(consent.status === 'declined' && consent.declineReason
      ? { extension: [{ url: ns.declineReasonExtension, valueString: consent.declineReason }] }
      : {}),
    identifier: [{ system: ns.consentIdSystem, value: consent.consentId }],
    status: consentState(consent.status),
    scope: { coding: [CODES.consentScopeTreatment] },
    category: [{ coding: [CODES.consentCategoryPatientConsent] }],
    patient,
    dateTime: consent.signedAt ?? consent.answeredAt ?? consent.createdAt,
    performer: [patient],
    organization: [ref<Organization>('Organization', ids.organization)],
    ...(pdf
      ? {
          sourceAttachment: {
            contentType: 'application/pdf',
            language: consent.locale,
            url: `${input.appUrl.replace(/\/$/, '')}/clinic/consents/${consent.consentId}/pdf`,
            size: pdf.bytes.length,
            hash: attachmentHash(pdf.bytes),
            title: `${template.title.en} consent ${consent.consentId}, version ${pdf.ref.version} (${pdf.ref.kind.replace('_', ' ')})`,
            creation: pdf.ref.createdAt,
          },
        }
      : {}),
    // The template version the patient read and agreed to (its consent text, risks and questions).
    policy: [{ uri: questionnaireCanonical(input.appUrl, consent.treatmentId, consent.templateVersion) }],
    policyRule: { coding: [CODES.policyRuleOptIn] },
    // The doctor's review: verified with the patient when countersigned, not verified when declined. R4
    // names only the patient here; the doctor is the countersignature's Provenance (and the Practitioner).
    ...(reviewedAt && (consent.status === 'countersigned' || consent.status === 'declined')
      ? {
          verification: [
            {
              verified: consent.status === 'countersigned',
              verifiedWith: patient,
              verificationDate: reviewedAt,
            },
          ],
        }
      : {}),
    provision: {
      type: 'permit',
      ...(start
        ? {
            period: {
              start,
              ...(input.validityDays ? { end: addDays(start, input.validityDays) } : {}),
            },
          }
        : {}),
      actor: [
        {
          role: { coding: [CODES.actorRoleProvider] },
          reference: ref<Organization>('Organization', ids.organization),
        },
      ],
    },
  };
}

function findingIssues(
  ns: FhirNamespace,
  input: ConsentBundleInput,
  ids: Ids,
  hasResponse: boolean,
): DetectedIssue[] {
  const { consent, template } = input;
  const severity = { contraindicated: 'high', review: 'moderate', advisory: 'low' } as const;
  return (consent.screening?.findings ?? []).map((finding, i) => {
    const rule = template.rules.find((r) => r.id === finding.ruleId);
    const note = consent.findingNotes?.[finding.ruleId];
    const issue: Translatable<DetectedIssue> & { _detail?: ReturnType<typeof arabic> } = {
      resourceType: 'DetectedIssue',
      id: fhirId(`${consent.consentId}-finding-${i + 1}`),
      status: 'final',
      code: {
        coding: [{ system: ns.ruleSystem(template.id), code: finding.ruleId }],
        text: rule?.message.en ?? finding.message,
      },
      severity: severity[finding.severity],
      patient: ref<Patient>('Patient', ids.patient),
      ...(consent.screening ? { identifiedDateTime: consent.screening.screenedAt } : {}),
      implicated: [ref<Consent>('Consent', ids.consent)],
      ...(hasResponse
        ? { evidence: [{ detail: [ref<QuestionnaireResponse>('QuestionnaireResponse', ids.response)] }] }
        : {}),
      detail: rule?.message.en ?? finding.message,
      ...(rule ? { _detail: arabic(rule.message.ar) } : {}),
      // The doctor's note on this finding, written with the countersignature.
      ...(note && consent.countersignature
        ? {
            mitigation: [
              {
                action: { text: note },
                ...(consent.countersignedAt ? { date: consent.countersignedAt } : {}),
                author: ref<Practitioner>('Practitioner', ids.practitioner),
              },
            ],
          }
        : {}),
    };
    return issue;
  });
}

function provenances(input: ConsentBundleInput, ids: Ids, hasResponse: boolean): Provenance[] {
  const { consent } = input;
  const out: Provenance[] = [];
  const patient = ref<Patient>('Patient', ids.patient);
  const consentRef = ref<Consent>('Consent', ids.consent);
  if (consent.patientSignature) {
    const at = consent.patientSignature.signedAt;
    out.push({
      resourceType: 'Provenance',
      id: fhirId(`${consent.consentId}-patient-signature`),
      // The patient signed the consent and, with it, the answers it was built on.
      target: [
        consentRef,
        ...(hasResponse ? [ref<QuestionnaireResponse>('QuestionnaireResponse', ids.response)] : []),
      ],
      occurredDateTime: at,
      recorded: at,
      agent: [{ type: { coding: [CODES.agentAuthor] }, who: patient }],
      signature: [{ type: [CODES.signatureConsent], when: at, who: patient }],
    });
  }
  if (consent.countersignature) {
    const at = consent.countersignature.signedAt;
    const doctor = ref<Practitioner>('Practitioner', ids.practitioner);
    const clinic = ref<Organization>('Organization', ids.organization);
    out.push({
      resourceType: 'Provenance',
      id: fhirId(`${consent.consentId}-countersignature`),
      target: [consentRef],
      occurredDateTime: at,
      recorded: at,
      agent: [{ type: { coding: [CODES.agentVerifier] }, who: doctor, onBehalfOf: clinic }],
      signature: [{ type: [CODES.signatureVerification], when: at, who: doctor, onBehalfOf: clinic }],
    });
  }
  return out;
}

export function consentBundle(input: ConsentBundleInput): Bundle {
  const { consent, clinic } = input;
  const ns = fhirNamespace(input.appUrl);
  const id = fhirId(consent.consentId);
  const ids: Ids = {
    patient: id,
    consent: id,
    response: id,
    organization: fhirId(clinic.clinicId),
    practitioner: fhirId(`${consent.consentId}-doctor`),
  };
  const answers = consent.answers;
  const resources: Resource[] = [
    consentResource(ns, input, ids),
    patientResource(consent, ids.patient),
    ...(answers ? [responseResource(ns, input, ids, answers)] : []),
    { resourceType: 'Organization', id: ids.organization, name: clinic.name },
    ...(consent.countersignature
      ? [
          {
            resourceType: 'Practitioner',
            id: ids.practitioner,
            identifier: [
              {
                type: { coding: [CODES.identifierMedicalLicence] },
                system: ns.licenceSystem,
                value: consent.countersignature.licence,
              },
            ],
            name: [{ text: consent.countersignature.doctorName }],
          } satisfies Practitioner,
        ]
      : []),
    ...findingIssues(ns, input, ids, Boolean(answers)),
    ...provenances(input, ids, Boolean(answers)),
  ];
  return {
    resourceType: 'Bundle',
    type: 'collection',
    timestamp: input.assembledAt,
    entry: resources.map(
      (resource): BundleEntry => ({
        fullUrl: `${ns.base}/${resource.resourceType}/${resource.id}`,
        resource,
      }),
    ),
  };
}
