import type { Bundle, Questionnaire } from '@medplum/fhirtypes';
import { consentBundle } from '../documents/fhir/consent-bundle';
import { templateQuestionnaire } from '../documents/fhir/questionnaire';
import { NotFoundError } from '../domain/errors';
import type { StaffIdentity } from '../domain/model';
import { loadTemplate, templateSha256 } from '../domain/template-store';
import { type ClinicDeps, loadOwnConsent } from './staff-access';

/**
 * The clinic's FHIR views (API.md, Interoperability): one consent as a Bundle, and a treatment template
 * as a Questionnaire. Read-only: nothing is written, so the same consent gives the same resources (only
 * Bundle.timestamp moves), and a countersigned record stays untouched.
 */

export async function consentFhir(
  deps: ClinicDeps & { appUrl: string },
  staff: StaffIdentity,
  consentId: string,
): Promise<Bundle> {
  // Another clinic's consent is a 404, like a missing one (loadOwnConsent reads the caller's partition).
  const consent = await loadOwnConsent(deps, staff, consentId);
  const clinic = await deps.store.getClinic(staff.clinicId);
  const template = loadTemplate(consent.treatmentId);
  if (!clinic || !template) throw new NotFoundError('No such consent in your clinic.');
  const latest = consent.pdfVersions.at(-1);
  const stored = latest ? await deps.store.getPdf(staff.clinicId, consentId, latest.version) : undefined;
  // A version the record lists but the store lacks would make the hash unverifiable: refuse rather than omit.
  if (latest && !stored) throw new NotFoundError('The document was not found.');
  return consentBundle({
    consent,
    clinic,
    template,
    ...(stored ? { pdf: { ref: stored.ref, bytes: stored.bytes } } : {}),
    appUrl: deps.appUrl,
    assembledAt: deps.clock.now().toISOString(),
  });
}

/**
 * A treatment template as a FHIR Questionnaire: the version new invites use (the one shipped), or the one
 * asked for; any other version is a 404 (the archive names a consent's version in its
 * QuestionnaireResponse, and the shipped registry holds one version per treatment).
 */
export function templateFhirQuestionnaire(
  deps: { appUrl: string },
  treatmentId: string,
  version?: string,
): Questionnaire {
  const template = loadTemplate(treatmentId);
  if (!template || (version !== undefined && version !== template.version)) {
    throw new NotFoundError('No such treatment template version.');
  }
  return templateQuestionnaire({ template, templateSha256: templateSha256(template), appUrl: deps.appUrl });
}
