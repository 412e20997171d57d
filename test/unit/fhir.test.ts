import { createHash } from 'node:crypto';
import type {
  Bundle,
  Consent,
  DetectedIssue,
  Patient,
  Practitioner,
  Provenance,
  Questionnaire,
  QuestionnaireResponse,
  Resource,
} from '@medplum/fhirtypes';
import { beforeAll, describe, expect, it } from 'vitest';
import { CODES } from '../../functions/documents/fhir/codes';
import { attachmentHash, consentBundle, consentState } from '../../functions/documents/fhir/consent-bundle';
import { NotFoundError } from '../../functions/domain/errors';
import type { ConsentStatus } from '../../functions/domain/model';
import { loadTemplate } from '../../functions/domain/template-store';
import { consentFhir, templateFhirQuestionnaire } from '../../functions/workflow/consent-fhir';
import { countersignConsent, declineConsent } from '../../functions/workflow/review';
import { APP_URL, demoClinic, doctor, meta, newWorld, otherClinicDoctor, type World } from '../fakes/world';
import { cleanAnswers } from '../fixtures/answers';
import { bundleProblems, codeSystem, concept, fhirProblems, valueSet } from '../support/fhir-validator';

/**
 * The FHIR R4 mapping (functions/documents/fhir/, functions/workflow/consent-fhir.ts) over consents made by
 * the real use cases in memory: every resource validated by two independent validators, then the codes,
 * value sets and links they do not check, checked here.
 */
const template = loadTemplate('mesotherapy');
if (!template) throw new Error('mesotherapy template missing');

/**
 * The only findings allowed: FHIR.js flags codes outside the value set of an extensible or preferred binding
 * (not errors). Both are deliberate (functions/documents/fhir/codes.ts) and checked below against R4.
 */
const ALLOWED = [
  /fhir\.js warning Consent\.policyRule: Code "OPTIN" \(http:\/\/terminology\.hl7\.org\/CodeSystem\/v3-ActCode\) not found in value set$/,
  /fhir\.js warning DetectedIssue\.code: Code "\w+" \(https:\/\/consents\.example\.test\/fhir\/CodeSystem\/mesotherapy-screening-rule\) not found in value set$/,
];
const unexpected = (problems: string[]) => problems.filter((p) => !ALLOWED.some((re) => re.test(p)));

const NOTES = {
  bloodThinners: 'Prescriber agreed to pause aspirin 7 days before.',
  allergies: 'Lidocaine allergy: no anaesthetic cream; lecithin-free cocktail.',
};

interface Case {
  consentId: string;
  token: string;
  bundle: Bundle;
}
let w: World;
let eligible: Case;
let review: Case;
let declined: Case;
let awaiting: Case;
let invited: Case;

const fhirDeps = () => ({ ...w.deps, appUrl: APP_URL });
const fetchBundle = (consentId: string) => consentFhir(fhirDeps(), doctor, consentId);

async function countersign(consentId: string, findingNotes: Record<string, string> = {}) {
  w.clock.advance(3_600_000);
  await countersignConsent(
    { ...w.deps, renderPdf: w.renderer.renderPdf },
    doctor,
    consentId,
    { signature: { kind: 'typed', name: 'Dr. Sara Nasser' }, findingNotes },
    meta,
  );
}

beforeAll(async () => {
  w = await newWorld();
  const e = await w.signed();
  await countersign(e.consentId);
  eligible = { consentId: e.consentId, token: e.token, bundle: await fetchBundle(e.consentId) };

  const r = await w.signed(
    cleanAnswers({
      bloodThinners: true,
      bloodThinnerDetails: 'Aspirin 81 mg daily, Dr. Karim',
      allergies: true,
      allergyDetails: 'Lidocaine: hives',
      // Not shown (previousReaction is no), so not asked: it must not reach the QuestionnaireResponse.
      previousReactionDetails: 'left over from an earlier answer',
      currentMedications: 'Vitamin D',
      treatmentAreas: ['face', 'eye_area'],
      concerns: ['wrinkles', 'dark_circles'],
    }),
  );
  await countersign(r.consentId, NOTES);
  review = { consentId: r.consentId, token: r.token, bundle: await fetchBundle(r.consentId) };

  const d = await w.signed();
  w.clock.advance(3_600_000);
  await declineConsent(
    w.deps,
    doctor,
    d.consentId,
    { reason: 'Wants the treatment during Ramadan; rebook.' },
    meta,
  );
  declined = { consentId: d.consentId, token: d.token, bundle: await fetchBundle(d.consentId) };

  const a = await w.signed();
  awaiting = { consentId: a.consentId, token: a.token, bundle: await fetchBundle(a.consentId) };
  const i = await w.invited();
  invited = { consentId: i.consentId, token: i.token, bundle: await fetchBundle(i.consentId) };
});

const all = () => ({ eligible, review, declined, awaiting, invited });
const resources = <T extends Resource>(b: Bundle, type: T['resourceType']) =>
  (b.entry ?? []).map((e) => e.resource).filter((r): r is T => r?.resourceType === type);
const one = <T extends Resource>(b: Bundle, type: T['resourceType']): T => {
  const found = resources<T>(b, type);
  expect(found, type).toHaveLength(1);
  return found[0] as T;
};

describe('the consent Bundle', () => {
  it('validates, as a whole and entry by entry, for an eligible, a needs-review, a declined, an awaiting and an invited consent', () => {
    for (const [name, c] of Object.entries(all())) {
      expect(c.bundle.resourceType).toBe('Bundle');
      expect(c.bundle.type).toBe('collection');
      expect(unexpected(bundleProblems(c.bundle)), name).toEqual([]);
    }
    const types = (c: Case) => (c.bundle.entry ?? []).map((e) => e.resource?.resourceType).sort();
    expect(types(review)).toEqual([
      'Consent',
      'DetectedIssue',
      'DetectedIssue',
      'DetectedIssue',
      'Organization',
      'Patient',
      'Practitioner',
      'Provenance',
      'Provenance',
      'QuestionnaireResponse',
    ]);
    expect(types(invited)).toEqual(['Consent', 'Organization', 'Patient']);
  });

  it('the validators are not blind: a broken bundle is reported by each', () => {
    const broken = structuredClone(review.bundle);
    const consent = one<Consent>(broken, 'Consent');
    (consent as { status: string }).status = 'signed';
    delete (consent as { policyRule?: unknown }).policyRule;
    delete (consent as { policy?: unknown }).policy;
    const qr = one<QuestionnaireResponse>(broken, 'QuestionnaireResponse');
    (qr.item?.[1]?.answer?.[0] as { valueBoolean: unknown }).valueBoolean = 'no';
    const prov = resources<Provenance>(broken, 'Provenance')[0] as { recorded?: string };
    delete prov.recorded;
    const problems = bundleProblems(broken);
    expect(problems.some((p) => /fhir\.js error Consent\.status/.test(p))).toBe(true);
    expect(problems.some((p) => /medplum error .*ppc-1/.test(p))).toBe(true);
    expect(problems.some((p) => /medplum error QuestionnaireResponse\.item\[1\]\.answer\[0\]/.test(p))).toBe(
      true,
    );
    expect(problems.some((p) => /medplum error Provenance\.recorded/.test(p))).toBe(true);
  });

  it('every reference resolves to an entry of the bundle, and every fullUrl names its resource', () => {
    for (const [name, c] of Object.entries(all())) {
      const entries = c.bundle.entry ?? [];
      const keys = new Set(entries.map((e) => `${e.resource?.resourceType}/${e.resource?.id}`));
      expect(keys.size, name).toBe(entries.length);
      for (const e of entries) {
        expect(e.fullUrl).toBe(`${APP_URL}/fhir/${e.resource?.resourceType}/${e.resource?.id}`);
      }
      const refs = [...JSON.stringify(c.bundle).matchAll(/"reference":"([^"]+)"/g)].map((m) => m[1]);
      expect(refs.length, name).toBeGreaterThan(2);
      for (const ref of refs) expect(keys, `${name} ${ref}`).toContain(ref);
    }
  });

  it('never carries a link token, a signature image or an address the record does not hold', () => {
    for (const c of Object.values(all())) {
      const text = JSON.stringify(c.bundle);
      expect(text).not.toContain(c.token);
      expect(text).not.toContain('/intake/');
      expect(text).not.toMatch(/pngBase64|"data":/);
    }
    const patient = one<Patient>(review.bundle, 'Patient');
    expect(patient).toEqual({
      resourceType: 'Patient',
      id: review.consentId,
      name: [{ text: 'Layla Haddad' }],
      telecom: [{ system: 'email', value: 'layla@example.test' }],
      birthDate: '1990-05-14',
      communication: [
        {
          language: { coding: [{ system: 'urn:ietf:bcp:47', code: 'en', display: 'English' }] },
          preferred: true,
        },
      ],
    });
    expect(one<Patient>(invited.bundle, 'Patient').birthDate).toBeUndefined();
  });
});

describe('the Consent', () => {
  const consentOf = (c: Case) => one<Consent>(c.bundle, 'Consent');

  it('status: active once countersigned, proposed before, rejected when declined — codes of R4 consent-state-codes', () => {
    expect(consentOf(eligible).status).toBe('active');
    expect(consentOf(review).status).toBe('active');
    expect(consentOf(declined).status).toBe('rejected');
    expect(consentOf(awaiting).status).toBe('proposed');
    expect(consentOf(invited).status).toBe('proposed');
    const states: ConsentStatus[] = [
      'invited',
      'answered',
      'awaiting_countersign',
      'countersigned',
      'declined',
    ];
    for (const s of states)
      expect(concept('http://hl7.org/fhir/consent-state-codes', consentState(s))).toBeDefined();
  });

  it('scope treatment, the LOINC category, policy rule, patient, performer, organization, dateTime', () => {
    const consent = consentOf(review);
    expect(consent.scope.coding).toEqual([
      {
        system: 'http://terminology.hl7.org/CodeSystem/consentscope',
        code: 'treatment',
        display: 'Treatment',
      },
    ]);
    expect(consent.category).toEqual([
      { coding: [{ system: 'http://loinc.org', code: '59284-0', display: 'Patient Consent' }] },
    ]);
    expect(consent.policyRule?.coding?.[0]).toMatchObject({
      system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
      code: 'OPTIN',
    });
    expect(consent.policy).toEqual([
      { uri: `${APP_URL}/fhir/Questionnaire/mesotherapy|${template.version}` },
    ]);
    expect(consent.patient).toEqual({ reference: `Patient/${review.consentId}` });
    expect(consent.performer).toEqual([{ reference: `Patient/${review.consentId}` }]);
    expect(consent.organization).toEqual([{ reference: 'Organization/demo' }]);
    expect(one(review.bundle, 'Organization')).toMatchObject({ name: demoClinic.name });
    expect(consent.identifier).toEqual([{ system: `${APP_URL}/fhir/sid/consent`, value: review.consentId }]);
  });

  it('sourceAttachment is the latest stored PDF: contentType, url, size and hash = base64 SHA-1 of its bytes', async () => {
    for (const c of [eligible, review, declined, awaiting]) {
      const record = await w.store.getConsent('demo', c.consentId);
      const latest = record?.pdfVersions.at(-1);
      const stored = await w.store.getPdf('demo', c.consentId, latest?.version ?? 0);
      if (!stored) throw new Error('no stored PDF');
      const attachment = consentOf(c).sourceAttachment;
      expect(attachment?.contentType).toBe('application/pdf');
      expect(attachment?.url).toBe(`${APP_URL}/clinic/consents/${c.consentId}/pdf`);
      expect(attachment?.size).toBe(stored.bytes.length);
      expect(attachment?.hash).toBe(createHash('sha1').update(stored.bytes).digest('base64'));
      expect(Buffer.from(attachment?.hash ?? '', 'base64')).toHaveLength(20);
    }
    expect(consentOf(eligible).sourceAttachment?.title).toMatch(/version 2 \(countersigned\)/);
    expect(consentOf(declined).sourceAttachment?.title).toMatch(/version 1 \(patient signed\)/);
    expect(consentOf(invited).sourceAttachment).toBeUndefined();
    expect(attachmentHash(new TextEncoder().encode('abc'))).toBe('qZk+NkcGgWq6PiVxeFDCbJzQ2J0=');
  });

  it("verification records the doctor's review; provision permits the clinic from the countersignature", async () => {
    const record = await w.store.getConsent('demo', review.consentId);
    expect(consentOf(review).verification).toEqual([
      {
        verified: true,
        verifiedWith: { reference: `Patient/${review.consentId}` },
        verificationDate: record?.countersignedAt,
      },
    ]);
    expect(consentOf(review).provision).toEqual({
      type: 'permit',
      period: { start: record?.countersignedAt },
      actor: [{ role: { coding: [CODES.actorRoleProvider] }, reference: { reference: 'Organization/demo' } }],
    });
    const d = await w.store.getConsent('demo', declined.consentId);
    expect(consentOf(declined).verification).toEqual([
      {
        verified: false,
        verifiedWith: { reference: `Patient/${declined.consentId}` },
        verificationDate: d?.declinedAt,
      },
    ]);
    expect(consentOf(declined).extension).toEqual([
      { url: `${APP_URL}/fhir/StructureDefinition/decline-reason`, valueString: d?.declineReason },
    ]);
    expect(consentOf(awaiting).verification).toBeUndefined();
    expect(consentOf(invited).provision).toEqual({ type: 'permit', actor: expect.any(Array) });
  });

  it('a validity, when given, ends the provision period', async () => {
    const record = await w.store.getConsent('demo', eligible.consentId);
    if (!record) throw new Error('missing');
    const bundle = consentBundle({
      consent: record,
      clinic: demoClinic,
      template,
      appUrl: APP_URL,
      assembledAt: '2026-12-01T00:00:00.000Z',
      validityDays: 180,
    });
    const start = record.countersignedAt as string;
    expect(one<Consent>(bundle, 'Consent').provision?.period).toEqual({
      start,
      end: new Date(Date.parse(start) + 180 * 86_400_000).toISOString(),
    });
    expect(unexpected(bundleProblems(bundle))).toEqual([]);
  });
});

describe('the QuestionnaireResponse', () => {
  const ids = template.questions.map((q) => q.id);
  const typeOf = new Map(template.questions.map((q) => [q.id, q.type]));

  it('names the template version, and its linkIds are question ids in template order, each answer typed', () => {
    for (const c of [eligible, review, declined, awaiting]) {
      const qr = one<QuestionnaireResponse>(c.bundle, 'QuestionnaireResponse');
      expect(qr.questionnaire).toBe(`${APP_URL}/fhir/Questionnaire/mesotherapy|${template.version}`);
      expect(qr.status).toBe('completed');
      const linkIds = (qr.item ?? []).map((i) => i.linkId);
      expect(linkIds).toEqual(ids.filter((id) => linkIds.includes(id)));
      for (const item of qr.item ?? []) {
        const keys = (item.answer ?? []).map((a) => Object.keys(a).filter((k) => k.startsWith('value')));
        const expected = {
          boolean: 'valueBoolean',
          date: 'valueDate',
          text: 'valueString',
          multi: 'valueCoding',
        }[typeOf.get(item.linkId) as string];
        expect(keys.flat(), item.linkId).toEqual(keys.map(() => expected));
        expect(keys.length, item.linkId).toBeGreaterThan(0);
      }
    }
  });

  it('carries exactly the answers that were asked: details only when their question is yes', () => {
    const qr = one<QuestionnaireResponse>(review.bundle, 'QuestionnaireResponse');
    const answer = (id: string) => qr.item?.find((i) => i.linkId === id)?.answer;
    expect(answer('dateOfBirth')).toEqual([{ valueDate: '1990-05-14' }]);
    expect(answer('bloodThinners')).toEqual([{ valueBoolean: true }]);
    expect(answer('pregnant')).toEqual([{ valueBoolean: false }]);
    expect(answer('bloodThinnerDetails')).toEqual([{ valueString: 'Aspirin 81 mg daily, Dr. Karim' }]);
    expect(answer('currentMedications')).toEqual([{ valueString: 'Vitamin D' }]);
    expect(answer('previousReactionDetails')).toBeUndefined();
    expect(answer('treatmentAreas')).toEqual([
      {
        valueCoding: {
          system: `${APP_URL}/fhir/CodeSystem/mesotherapy-treatmentAreas`,
          code: 'face',
          display: 'Face',
        },
      },
      {
        valueCoding: {
          system: `${APP_URL}/fhir/CodeSystem/mesotherapy-treatmentAreas`,
          code: 'eye_area',
          display: 'Around the eyes',
        },
      },
    ]);
    // Every question was answered and shown except previousReactionDetails (previousReaction is no).
    expect((qr.item ?? []).map((i) => i.linkId)).toEqual(
      ids.filter((id) => id !== 'previousReactionDetails'),
    );
    expect(qr.subject).toEqual({ reference: `Patient/${review.consentId}` });
  });
});

describe('findings and the doctor’s notes (DetectedIssue)', () => {
  it('one per screening finding, severity mapped, the note as its mitigation by the countersigning doctor', async () => {
    const issues = resources<DetectedIssue>(review.bundle, 'DetectedIssue');
    const record = await w.store.getConsent('demo', review.consentId);
    expect(issues.map((i) => i.code?.coding?.[0]?.code)).toEqual(
      record?.screening?.findings.map((f) => f.ruleId),
    );
    const by = (ruleId: string) => issues.find((i) => i.code?.coding?.[0]?.code === ruleId) as DetectedIssue;
    expect(by('bloodThinners').severity).toBe('moderate');
    expect(by('eye_area').severity).toBe('low');
    expect(by('bloodThinners').mitigation).toEqual([
      {
        action: { text: NOTES.bloodThinners },
        date: record?.countersignedAt,
        author: { reference: `Practitioner/${review.consentId}-doctor` },
      },
    ]);
    expect(by('allergies').mitigation?.[0]?.action.text).toBe(NOTES.allergies);
    expect(by('eye_area').mitigation).toBeUndefined();
    for (const i of issues) {
      expect(i.implicated).toEqual([{ reference: `Consent/${review.consentId}` }]);
      expect(concept('http://hl7.org/fhir/detectedissue-severity', i.severity as string)).toBeDefined();
      expect(i.detail).toBe(template.rules.find((r) => r.id === i.code?.coding?.[0]?.code)?.message.en);
    }
    const practitioner = one<Practitioner>(review.bundle, 'Practitioner');
    expect(practitioner.name).toEqual([{ text: 'Dr. Sara Nasser' }]);
    expect(practitioner.identifier?.[0]).toMatchObject({
      value: 'DHA-12345',
      type: { coding: [CODES.identifierMedicalLicence] },
    });
    expect(resources(eligible.bundle, 'DetectedIssue')).toEqual([]);
  });
});

describe('Provenance: one per signature', () => {
  it('the patient’s Consent Signature and the doctor’s Verification Signature, with who and when', async () => {
    const count = (c: Case) => resources<Provenance>(c.bundle, 'Provenance').length;
    expect([eligible, review, declined, awaiting, invited].map(count)).toEqual([2, 2, 1, 1, 0]);
    const record = await w.store.getConsent('demo', review.consentId);
    const [patient, doctorSig] = resources<Provenance>(review.bundle, 'Provenance');
    expect(patient?.signature).toEqual([
      {
        type: [CODES.signatureConsent],
        when: record?.patientSignature?.signedAt,
        who: { reference: `Patient/${review.consentId}` },
      },
    ]);
    expect(patient?.recorded).toBe(record?.patientSignature?.signedAt);
    expect(patient?.target).toEqual([
      { reference: `Consent/${review.consentId}` },
      { reference: `QuestionnaireResponse/${review.consentId}` },
    ]);
    expect(doctorSig?.signature?.[0]).toMatchObject({
      type: [CODES.signatureVerification],
      when: record?.countersignedAt,
      who: { reference: `Practitioner/${review.consentId}-doctor` },
      onBehalfOf: { reference: 'Organization/demo' },
    });
    expect(doctorSig?.agent?.[0]?.type?.coding).toEqual([CODES.agentVerifier]);
  });
});

describe('the codes the validators do not check, against the R4 terminology', () => {
  it('every code of the mapping exists in its R4 code system with that display (LOINC: in the consent-category value set)', () => {
    for (const [name, coding] of Object.entries(CODES)) {
      if (coding.system === 'http://loinc.org') {
        const loinc = valueSet('http://hl7.org/fhir/ValueSet/consent-category')?.compose?.include.find(
          (i) => i.system === 'http://loinc.org',
        );
        expect(
          loinc?.concept?.map((c) => c.code),
          name,
        ).toContain(coding.code);
        continue;
      }
      expect(codeSystem(coding.system), name).toBeDefined();
      expect(concept(coding.system, coding.code)?.display, name).toBe(coding.display);
    }
  });

  it('the signature types are in R4 signature-type, the actor role in security-role-type, the agent types in provenance-agent-type', () => {
    const includes = (vs: string, system: string) =>
      valueSet(vs)?.compose?.include.filter((i) => i.system === system) ?? [];
    expect(
      includes('http://hl7.org/fhir/ValueSet/signature-type', 'urn:iso-astm:E1762-95:2013'),
    ).toHaveLength(1);
    expect(
      includes('http://hl7.org/fhir/ValueSet/security-role-type', CODES.actorRoleProvider.system).flatMap(
        (i) => i.concept?.map((c) => c.code) ?? [],
      ),
    ).toContain('PROV');
    expect(
      includes('http://hl7.org/fhir/ValueSet/provenance-agent-type', CODES.agentAuthor.system),
    ).toHaveLength(1);
  });
});

describe('the Questionnaire of a template version', () => {
  let q: Questionnaire;
  beforeAll(() => {
    q = templateFhirQuestionnaire({ appUrl: APP_URL }, 'mesotherapy');
  });

  it('validates, and names the version the QuestionnaireResponses point to', () => {
    expect(fhirProblems(q)).toEqual([]);
    expect(q.url).toBe(`${APP_URL}/fhir/Questionnaire/mesotherapy`);
    expect(q.version).toBe(template.version);
    const qr = one<QuestionnaireResponse>(review.bundle, 'QuestionnaireResponse');
    expect(qr.questionnaire).toBe(`${q.url}|${q.version}`);
    expect(templateFhirQuestionnaire({ appUrl: APP_URL }, 'mesotherapy', template.version)).toEqual(q);
  });

  it('has one item per question (linkId = question id), typed, with the options as codings', () => {
    expect(q.item?.map((i) => i.linkId)).toEqual(template.questions.map((x) => x.id));
    const fhirType = { boolean: 'boolean', date: 'date', text: 'text', multi: 'choice' } as const;
    for (const question of template.questions) {
      const item = q.item?.find((i) => i.linkId === question.id);
      expect(item?.type, question.id).toBe(fhirType[question.type]);
      expect(concept('http://hl7.org/fhir/item-type', item?.type as string)).toBeDefined();
      expect(item?.text).toBe(question.label.en);
      if (question.type === 'multi') {
        expect(item?.repeats).toBe(true);
        expect(item?.answerOption?.map((o) => o.valueCoding?.code)).toEqual(
          question.options.map((o) => o.id),
        );
      }
    }
    expect(q.item?.find((i) => i.linkId === 'currentMedications')?.required).toBe(false);
    expect(q.item?.find((i) => i.linkId === 'pregnant')?.required).toBe(true);
  });

  it('puts enableWhen on exactly the conditional questions: shown when their yes/no question is yes', () => {
    const conditional = template.questions.filter((x) => x.type === 'text' && x.requiredWhen);
    expect(conditional.map((x) => x.id)).toEqual([
      'bloodThinnerDetails',
      'allergyDetails',
      'previousReactionDetails',
    ]);
    for (const item of q.item ?? []) {
      const question = template.questions.find((x) => x.id === item.linkId);
      const when = question?.type === 'text' ? question.requiredWhen : undefined;
      if (!when) {
        expect(item.enableWhen, item.linkId).toBeUndefined();
        continue;
      }
      expect(item.enableWhen).toEqual([{ question: when, operator: '=', answerBoolean: true }]);
      expect(q.item?.find((i) => i.linkId === when)?.type).toBe('boolean');
      expect(item.required).toBe(true);
    }
  });

  it('an unknown treatment or version → 404', () => {
    expect(() => templateFhirQuestionnaire({ appUrl: APP_URL }, 'botox')).toThrow(NotFoundError);
    expect(() => templateFhirQuestionnaire({ appUrl: APP_URL }, 'mesotherapy', '1999.1.1')).toThrow(
      NotFoundError,
    );
  });
});

describe('access', () => {
  it("another clinic's consent, or an unknown one, is a 404", async () => {
    await expect(consentFhir(fhirDeps(), otherClinicDoctor, review.consentId)).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(consentFhir(fhirDeps(), doctor, '01JXXXXXXXXXXXXXXXXXXXXXXX')).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it('reads only: fetching the bundle writes nothing (the record and its audit trail stay as they were)', async () => {
    const before = await w.store.getConsent('demo', eligible.consentId);
    const events = await w.store.listEvents('demo', eligible.consentId);
    const again = await fetchBundle(eligible.consentId);
    expect(await w.store.getConsent('demo', eligible.consentId)).toEqual(before);
    expect(await w.store.listEvents('demo', eligible.consentId)).toEqual(events);
    expect(again.entry).toEqual(eligible.bundle.entry);
  });
});
