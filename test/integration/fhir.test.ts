import { createHash } from 'node:crypto';
import type { Bundle, Consent, Provenance, Questionnaire, QuestionnaireResponse } from '@medplum/fhirtypes';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleProblems, fhirProblems } from '../support/fhir-validator';
import { api, bytes, call, login, type Reply, sha256, signedConsent } from './client';

/**
 * API.md, Interoperability, over HTTP against the local stack: the FHIR bundle of a consent and the PDF
 * it names are the same file (SHA-1 and size), and the response is `application/fhir+json`.
 */
let coordinator: string;
let doctor: string;

beforeAll(async () => {
  coordinator = await login('coordinator');
  doctor = await login('doctor');
});

const fhirJson = (r: Reply) => {
  expect(r.headers.get('content-type')).toBe('application/fhir+json');
  return JSON.parse(r.text);
};
const resource = <T>(bundle: Bundle, type: string) =>
  (bundle.entry ?? []).map((e) => e.resource).filter((r) => r?.resourceType === type) as T[];
/** ALLOWED in test/unit/fhir.test.ts: deliberate codes of extensible/preferred bindings (warnings). */
const unexpected = (problems: string[]) =>
  problems.filter((p) => !/fhir\.js warning (Consent\.policyRule|DetectedIssue\.code): Code /.test(p));

describe('GET /clinic/consents/{consentId}/fhir', () => {
  it("a countersigned consent: a valid Bundle whose Consent is active and whose PDF hash is the downloaded PDF's", async () => {
    const c = await signedConsent(
      coordinator,
      { bloodThinners: true, bloodThinnerDetails: 'Aspirin 81 mg' },
      { fullName: 'Huda Mansour' },
    );
    const before = fhirJson(
      await call('GET', `/clinic/consents/${c.consentId}/fhir`, { token: doctor }),
    ) as Bundle;
    expect(resource<Consent>(before, 'Consent')[0]?.status).toBe('proposed');

    const cs = await api.countersign(doctor, c.consentId, {
      bloodThinners: 'Prescriber agreed to pause aspirin.',
    });
    expect(cs.status).toBe(200);
    const r = await call('GET', `/clinic/consents/${c.consentId}/fhir`, { token: doctor });
    expect(r.status).toBe(200);
    const bundle = fhirJson(r) as Bundle;
    expect(bundle).toMatchObject({ resourceType: 'Bundle', type: 'collection' });
    expect(unexpected(bundleProblems(bundle))).toEqual([]);

    const consent = resource<Consent>(bundle, 'Consent')[0];
    expect(consent?.status).toBe('active');
    const pdf = await call('GET', `/clinic/consents/${c.consentId}/pdf`, { token: doctor });
    expect(pdf.status).toBe(200);
    const file = bytes(pdf);
    expect(sha256(file)).toBe((cs.body as { pdfSha256: string }).pdfSha256);
    expect(consent?.sourceAttachment).toMatchObject({
      contentType: 'application/pdf',
      size: file.length,
      hash: createHash('sha1').update(file).digest('base64'),
    });
    expect(consent?.sourceAttachment?.url).toMatch(new RegExp(`/clinic/consents/${c.consentId}/pdf$`));

    expect(resource<Provenance>(bundle, 'Provenance')).toHaveLength(2);
    const qr = resource<QuestionnaireResponse>(bundle, 'QuestionnaireResponse')[0];
    expect(qr?.item?.find((i) => i.linkId === 'bloodThinnerDetails')?.answer).toEqual([
      { valueString: 'Aspirin 81 mg' },
    ]);
    expect(r.text).not.toContain(c.linkToken);
  });

  it('a declined consent: rejected, its attachment the patient-signed PDF', async () => {
    const c = await signedConsent(coordinator, {}, { fullName: 'Rana Aziz' });
    const d = await call('POST', `/clinic/consents/${c.consentId}/decline`, {
      token: doctor,
      json: { reason: 'Prefers to wait until after the wedding.' },
    });
    expect(d.status).toBe(200);
    const bundle = fhirJson(
      await call('GET', `/clinic/consents/${c.consentId}/fhir`, { token: doctor }),
    ) as Bundle;
    expect(unexpected(bundleProblems(bundle))).toEqual([]);
    const consent = resource<Consent>(bundle, 'Consent')[0];
    expect(consent?.status).toBe('rejected');
    const file = bytes(await call('GET', `/clinic/consents/${c.consentId}/pdf`, { token: doctor }));
    expect(sha256(file)).toBe(c.pdfSha256);
    expect(consent?.sourceAttachment?.hash).toBe(createHash('sha1').update(file).digest('base64'));
  });

  it("another clinic's consent → 404 in the API.md shape; no token → 401", async () => {
    const c = await signedConsent(coordinator, {}, { fullName: 'Tenant Fhir' });
    const intruder = await login('doctor', `fhir-${Date.now().toString(36)}`);
    const r = await call('GET', `/clinic/consents/${c.consentId}/fhir`, { token: intruder });
    expect(r.status).toBe(404);
    expect(r.body).toMatchObject({ error: 'not_found' });
    expect(r.text).not.toContain('Tenant Fhir');
    expect((await call('GET', `/clinic/consents/${c.consentId}/fhir`)).status).toBe(401);
  });
});

describe('GET /clinic/templates/{treatmentId}/questionnaire', () => {
  it('the active template version as a valid Questionnaire; an unknown version → 404', async () => {
    const r = await call('GET', '/clinic/templates/mesotherapy/questionnaire', { token: coordinator });
    expect(r.status).toBe(200);
    const q = fhirJson(r) as Questionnaire;
    expect(fhirProblems(q)).toEqual([]);
    expect(q.item?.find((i) => i.linkId === 'allergyDetails')?.enableWhen).toEqual([
      { question: 'allergies', operator: '=', answerBoolean: true },
    ]);
    const named = await call('GET', `/clinic/templates/mesotherapy/questionnaire?version=${q.version}`, {
      token: coordinator,
    });
    expect(named.status).toBe(200);
    const old = await call('GET', '/clinic/templates/mesotherapy/questionnaire?version=1999.1', {
      token: coordinator,
    });
    expect(old.status).toBe(404);
    expect(old.body).toMatchObject({ error: 'not_found' });
  });
});
