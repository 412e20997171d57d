import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import * as mupdf from 'mupdf';
import pixelmatch from 'pixelmatch';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ConsentDocument } from '../../../functions/documents/consent-document';
import { PDF_LABELS } from '../../../functions/documents/pdf/labels';
import { renderConsentPdf } from '../../../functions/documents/pdf/render-consent';
import { generateLocalSealIdentity, LocalSealSigner, sealPdf } from '../../../functions/documents/seal';
import { SAMPLE_PATIENT_NAME, sampleConsentDocument, signaturePng } from '../../fixtures/consent-document';
import { anyName } from './names';

const KB = 1024;
const en = PDF_LABELS.en;
const ar = PDF_LABELS.ar;

interface Rendered {
  bytes: Uint8Array;
  pages: string[];
  text: string;
  pdf: mupdf.PDFDocument;
}

function read(bytes: Uint8Array): Rendered {
  const pdf = mupdf.Document.openDocument(bytes, 'application/pdf') as mupdf.PDFDocument;
  const pages: string[] = [];
  for (let i = 0; i < pdf.countPages(); i++)
    pages.push(pdf.loadPage(i).toStructuredText('preserve-whitespace').asText());
  return { bytes, pages, text: pages.join('\n'), pdf };
}

async function render(doc: ConsentDocument): Promise<Rendered> {
  return read(await renderConsentPdf(doc));
}

/** Text with line breaks folded to spaces, for phrases that may wrap. */
const flat = (text: string) => text.replace(/\s+/g, ' ');
/** The audit pages (from the one with the audit title to the end), folded like `flat`. */
const auditText = (r: Rendered) =>
  flat(
    r.pages
      .slice(r.pages.findIndex((p) => p.includes(`${en.sectionAudit}:`) || p.includes(`${ar.sectionAudit}:`)))
      .join('\n'),
  );
const count = (text: string, needle: string) => text.split(needle).length - 1;

const base = sampleConsentDocument();
const arabicName = SAMPLE_PATIENT_NAME.ar;
let finalEn: Rendered;
let finalAr: Rendered;
let patientSigned: Rendered;

beforeAll(async () => {
  finalEn = await render(base);
  finalAr = await render({
    ...base,
    primaryLocale: 'ar',
    patient: { ...base.patient, fullName: arabicName },
  });
  patientSigned = await render(sampleConsentDocument({ kind: 'patient_signed' }));
});

describe('consent PDF content (text extracted with MuPDF)', () => {
  it('has every section of CLINICAL.md in English and in Arabic', () => {
    const sections = [
      'documentTitle',
      'sectionTreatment',
      'sectionRisks',
      'sectionCare',
      'sectionScreening',
      'sectionDeclarations',
      'sectionPatientSignature',
      'sectionCountersignature',
      'sectionAudit',
    ] as const;
    for (const key of sections) {
      expect(finalEn.text, key).toContain(en[key]);
      expect(finalEn.text, key).toContain(ar[key]);
    }
  });

  it('shows the header: clinic, branch contacts, treatment, document and template ids, patient', () => {
    const text = flat(finalEn.text);
    for (const value of [
      'Demo Aesthetics Clinic',
      'Jumeirah',
      '+971 50 000 0000',
      'Mesotherapy',
      base.documentId,
      base.template.version,
      'Layla Haddad',
      '1990-05-14',
      'layla.haddad@example.test',
      '2026-03-02',
      'Face, Neck',
      'Wrinkles and fine lines',
    ]) {
      expect(text, value).toContain(value);
    }
  });

  it('lists every applicable risk, each acknowledged, in both languages', () => {
    const text = flat(finalEn.text);
    for (const title of [
      'Bruising',
      'Swelling',
      'Skin infection',
      'Allergic reaction',
      'Results are not guaranteed',
    ]) {
      expect(text).toContain(title);
    }
    const risks = base.template.risks.filter((r) => base.riskIds.includes(r.id));
    for (const risk of risks) {
      expect(text).toContain(risk.title.en);
      expect(text).toContain(risk.title.ar);
    }
    expect(count(finalEn.text, en.acknowledged)).toBe(base.riskIds.length);
    expect(count(finalEn.text, ar.acknowledged)).toBe(base.riskIds.length);
    expect(finalEn.text).not.toContain(en.notAcknowledged);
  });

  it('marks a risk the patient did not acknowledge', async () => {
    const doc = sampleConsentDocument({ acknowledgedRiskIds: base.riskIds.filter((id) => id !== 'nausea') });
    const { text } = await render(doc);
    expect(count(text, en.acknowledged)).toBe(base.riskIds.length - 1);
    expect(count(text, en.notAcknowledged)).toBe(1);
  });

  it('extracts Arabic as whole words in logical order (ActualText), including an Arabic patient name', () => {
    const text = flat(finalAr.text);
    const t = base.template;
    expect(text).toContain(t.title.ar);
    expect(text).toContain(`${ar.documentTitle}: ${t.title.ar}`);
    for (const id of ['bruising', 'allergy', 'rash']) {
      const risk = t.risks.find((r) => r.id === id);
      expect(text).toContain(risk?.title.ar);
    }
    expect(text).toContain(t.declarations[0]?.text.ar);
    expect(text).toContain('الأدوية المميعة للدم');
    expect(text).toContain(arabicName);
    // Arabic first: the first page is the Arabic header, the English one follows later.
    expect(finalAr.pages[0]).toContain(ar.documentTitle);
    expect(finalAr.pages[0]).not.toContain(en.documentTitle);
    expect(finalEn.pages[0]).toContain(en.documentTitle);
  });

  it('shows screening answers, findings with severity and the outcome', () => {
    const text = flat(finalEn.text);
    expect(text).toContain('Do you take any blood-thinning medicine? Yes');
    expect(text).toContain('Aspirin 81 mg once a day');
    expect(text).toContain(en.severityReview);
    expect(text).toContain(ar.severityReview);
    expect(text).toContain(en.outcomeNeedsReview);
    expect(text).toContain('Takes blood thinners (including aspirin)');
  });

  it('shows the declarations and electronic-records consent as agreed', () => {
    expect(count(finalEn.text, en.agreed)).toBe(base.template.declarations.length + 1);
    expect(flat(finalEn.text)).toContain(base.template.consent.electronicRecords.en.slice(0, 60));
  });

  it('shows the patient signature facts with UTC and clinic time', () => {
    const text = flat(finalEn.text);
    expect(text).toContain('2026-03-02 06:15:05 UTC');
    expect(text).toContain('2026-03-02 10:15:05');
    expect(text).toContain('Clinic time (Asia/Dubai)');
    expect(text).toContain('203.0.113.24');
  });

  it('has the doctor block and review notes only in the countersigned version', () => {
    const note = base.findingNotes?.bloodThinners ?? '';
    expect(flat(finalEn.text)).toContain('Dr. Samir Nasser');
    expect(flat(finalEn.text)).toContain('DHA-P-0000000');
    expect(flat(finalEn.text)).toContain(note);
    expect(flat(finalEn.text)).toContain(en.reviewNotes);

    const first = flat(patientSigned.text);
    expect(first).not.toContain('Dr. Samir Nasser');
    expect(first).not.toContain('DHA-P-0000000');
    expect(first).not.toContain(note);
    expect(first).toContain(en.awaitingCountersignature);
    expect(first).toContain(en.statusPatientSigned);
  });

  it('ends the final version with the audit trail: hashes, identification and every event', () => {
    const audit = base.audit;
    if (!audit) throw new Error('fixture has no audit');
    const text = flat(finalEn.text);
    expect(text).toContain(audit.patientSignedSha256);
    expect(text).toContain(base.templateSha256);
    expect(text).toContain(`Clinic time (${audit.timeZone})`);
    for (const key of [
      'eventInvited',
      'eventLinkOpened',
      'eventSigned',
      'eventCountersigned',
      'eventEmailed',
    ] as const) {
      expect(text).toContain(en[key]);
    }
    // The countersigned event at 09:41:12 UTC is 13:41:12 in Dubai.
    expect(text).toContain('2026-03-02 09:41:12');
    expect(text).toContain('2026-03-02 13:41:12');
    // The audit trail starts on a page of its own, titled in both languages, and runs to the end.
    const start = finalEn.pages.findIndex((p) => p.includes(`${en.sectionAudit}:`));
    expect(start).toBeGreaterThan(0);
    expect(finalEn.pages[start]).toContain(ar.sectionAudit);
    expect(finalEn.pages[start]).not.toContain(en.sectionCountersignature);
    expect(finalEn.pages.at(-1)).toContain(en.auditScreening);

    expect(patientSigned.text).not.toContain(audit.patientSignedSha256);
    expect(patientSigned.text).not.toContain(en.sectionAudit);
  });

  it('names the staff member who acted on the audit page, and a doctor with the licence', async () => {
    const audit = base.audit;
    if (!audit) throw new Error('fixture has no audit');
    const events = audit.events.map((e) =>
      e.type === 'countersigned'
        ? { ...e, actor: { ...e.actor, name: 'Dr. Hind Qasimi', licence: 'DHA-P-0098765' } }
        : e.type === 'invited'
          ? { ...e, actor: { ...e.actor, name: 'Rana Coordinator' } }
          : e,
    );
    const text = auditText(await render({ ...base, audit: { ...audit, events } }));
    expect(text).toContain('Dr. Hind Qasimi');
    expect(text).toContain('DHA-P-0098765');
    expect(text).toContain('Rana Coordinator');
  });

  it('says on the audit page how the patient was identified, masked, in both languages', async () => {
    for (const text of [auditText(finalEn), auditText(finalAr)]) {
      expect(text).toContain('handed over by the clinic and e-mailed to l***@example.test');
      expect(text).toContain('وأُرسل بالبريد الإلكتروني إلى l***@example.test');
      expect(text).toContain("patient's phone on file +971 *** **00");
      expect(text).toContain('رقم هاتف المريض المسجَّل +971 *** **00');
      expect(text).not.toContain(base.patient.email);
    }
    const audit = base.audit;
    if (!audit) throw new Error('fixture has no audit');
    const handedOver = auditText(
      await render({ ...base, audit: { ...audit, identification: { channel: 'handover' } } }),
    );
    expect(handedOver).toContain(en.identifiedHandover);
    expect(handedOver).toContain(ar.identifiedHandover);
    expect(handedOver).not.toContain('e-mailed to');
  });

  it("names staff by a shortened user id and shows each event's non-PHI details", () => {
    const text = auditText(finalEn);
    expect(text).toContain('5b1e7c2a…'); // the coordinator who invited
    expect(text).toContain('9c4d2e71…'); // the doctor who countersigned
    expect(text).not.toContain('5b1e7c2a-90d4');
    for (const detail of [
      `${en.eventEmailed}: ${en.mailInvite}`,
      `${en.eventEmailed}: ${en.mailSignedNotice}`,
      `${en.eventLinkOpened}: ${en.channelEmail}`,
      `${en.eventAnswersSubmitted}: ${en.detailEnglish}`,
      `${en.eventSigned}: ${en.detailDrawn}`,
      `${en.eventCountersigned}: ${en.detailDrawn}`,
      `${en.eventScreeningResult}: ${en.outcomeNeedsReview}`,
    ]) {
      expect(text).toContain(detail);
    }
    expect(text).toContain(`${ar.eventLinkOpened}: ${ar.channelEmail}`);
  });

  it('lists the screening outcome and every finding with its severity and note on the audit page', async () => {
    const note = base.findingNotes?.bloodThinners ?? '';
    for (const [r, l] of [
      [finalEn, en],
      [finalAr, ar],
    ] as const) {
      const text = auditText(r);
      expect(text).toContain(`${l.auditScreening}`);
      expect(text).toContain(l.outcomeNeedsReview);
      expect(text).toContain(l.severityReview);
      expect(text).toContain(l.findingNote);
      expect(text).toContain(note);
    }
    expect(auditText(finalEn)).toContain('Takes blood thinners (including aspirin)');
    // Without notes the findings are still listed, each saying that no note was recorded.
    const withoutNotes = auditText(await render({ ...base, findingNotes: {} }));
    expect(withoutNotes).toContain(en.severityReview);
    expect(withoutNotes).toContain('Takes blood thinners (including aspirin)');
    expect(withoutNotes).toContain(en.noNote);
    const noFindings = auditText(
      await render({ ...base, screening: { ...base.screening, outcome: 'eligible', findings: [] } }),
    );
    expect(noFindings).toContain(en.outcomeEligible);
    expect(noFindings).toContain(en.noFindings);
  });

  it('says the final version is sealed and where to check it (a generic page without a URL)', async () => {
    const url = base.verifyUrl ?? '';
    expect(url).not.toBe('');
    for (const text of [auditText(finalEn), auditText(finalAr)]) {
      expect(text).toContain(en.sealNotice);
      expect(text).toContain(ar.sealNotice);
      expect(text).toContain(url);
    }
    const audit = base.audit;
    if (!audit) throw new Error('fixture has no audit');
    const { verifyUrl: _, ...withoutUrl } = base;
    const unsealed = auditText(await render({ ...withoutUrl, audit: { ...audit, sealed: false } }));
    expect(unsealed).not.toContain(en.sealNotice);
    expect(unsealed).toContain(en.verifyGeneric);
  });

  it('numbers every page "page X of Y" with the document id', () => {
    const total = finalEn.pages.length;
    finalEn.pages.forEach((page, i) => {
      const english = page.includes(`Page ${i + 1} of ${total}`);
      const arabic = page.includes(`الصفحة ${i + 1} من ${total}`);
      expect(english || arabic, `page ${i + 1}`).toBe(true);
      expect(page).toContain(base.documentId);
    });
  });
});

describe('consent PDF structure', () => {
  it('embeds only subset fonts (BaseFont with a six-letter tag)', () => {
    for (const { pdf } of [finalEn, finalAr, patientSigned]) {
      const names = new Set<string>();
      for (let i = 0; i < pdf.countPages(); i++) {
        const fonts = pdf.loadPage(i).getObject().get('Resources').get('Font');
        fonts.forEach((font) => {
          names.add(font.get('BaseFont').asName());
          names.add(font.get('DescendantFonts').get(0).get('BaseFont').asName());
        });
      }
      expect(names.size).toBeGreaterThanOrEqual(4);
      for (const name of names) expect(name).toMatch(/^[A-Z]{6}\+Noto/);
    }
  });

  it('keeps the sealed bilingual final version (two drawn signatures, audit trail) within 80 KB', async () => {
    expect(base.patientSignature.kind).toBe('drawn');
    expect(base.countersignature?.kind).toBe('drawn');
    // Sealed as countersignConsent seals it (workflow/clinic.ts, adapters/runtime.ts), with a local key.
    const identity = await generateLocalSealIdentity({
      commonName: 'Demo Aesthetics Clinic consent seal',
      country: 'AE',
    });
    const signer = new LocalSealSigner(identity.keyPem, identity.certificatePem);
    const details = {
      reason: `Consent ${base.documentId}: countersigned by the clinic, sealed against any change`,
      location: 'Demo Aesthetics Clinic, Jumeirah',
      contactInfo: 'Check this document at https://consents.example.test/verify',
      signingTime: new Date(base.countersignature?.signedAt ?? 0),
    };
    for (const { bytes } of [finalEn, finalAr]) {
      const sealed = await sealPdf(bytes, signer, details);
      expect(sealed.length).toBeLessThanOrEqual(80_000);
    }
  }, 30_000);

  it('is deterministic: the same document gives the same bytes, dated from the document', async () => {
    const again = await renderConsentPdf(base);
    expect(Buffer.from(again).equals(Buffer.from(finalEn.bytes))).toBe(true);
    const info = finalEn.pdf.getTrailer().get('Info');
    expect(info.get('CreationDate').asString()).toContain('20260302094112');
  });

  it('renders typed signatures and survives an unreadable signature image', async () => {
    const typed = sampleConsentDocument({
      patientSignature: { ...base.patientSignature, kind: 'typed', typedName: 'Layla Haddad' },
      countersignature: base.countersignature
        ? { ...base.countersignature, kind: 'drawn', pngBase64: 'bm90IGEgcG5n' }
        : undefined,
    });
    const { text } = await render(typed);
    expect(text).toContain(en.signatureTyped);
    expect(text).toContain(en.signatureUnreadable);
    expect(signaturePng(3)).not.toBe(signaturePng(1));
  });
});

describe('property: any patient name renders', () => {
  it('never throws, whatever the name (scripts, bidi controls, emoji, line breaks, very long)', async () => {
    const doc = sampleConsentDocument({ kind: 'patient_signed' });
    await fc.assert(
      fc.asyncProperty(anyName, fc.boolean(), async (name, typed) => {
        const bytes = await renderConsentPdf({
          ...doc,
          primaryLocale: typed ? 'ar' : 'en',
          patient: { ...doc.patient, fullName: name },
          patientSignature: typed
            ? { ...doc.patientSignature, kind: 'typed', typedName: name, pngBase64: undefined }
            : doc.patientSignature,
        });
        expect(bytes.length).toBeGreaterThan(10 * KB);
      }),
      { numRuns: 12 },
    );
  });
});

const GOLDEN_DIR = new URL('../../golden/', import.meta.url);
const DPI = 96;

/** Page `index` rendered in grey at a fixed resolution. */
function raster(rendered: Rendered, index: number): PNG {
  const scale = DPI / 72;
  const pixmap = rendered.pdf
    .loadPage(index)
    .toPixmap(mupdf.Matrix.scale(scale, scale), mupdf.ColorSpace.DeviceGray, false, true);
  return PNG.sync.read(Buffer.from(pixmap.asPNG()));
}

/**
 * Compares a page with test/golden/<name>.png. A missing golden fails, unless UPDATE_GOLDEN=1, which
 * writes it (then review the PNG and commit it). Anti-aliasing differences are tolerated.
 */
function expectGolden(name: string, actual: PNG): void {
  const file = new URL(`${name}.png`, GOLDEN_DIR);
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(GOLDEN_DIR, { recursive: true });
    writeFileSync(file, PNG.sync.write(actual, { colorType: 0 }));
  }
  if (!existsSync(file))
    throw new Error(`Missing golden ${file.pathname}: run with UPDATE_GOLDEN=1 and review it`);
  const golden = PNG.sync.read(readFileSync(file));
  expect([actual.width, actual.height]).toEqual([golden.width, golden.height]);
  const diff = new PNG({ width: golden.width, height: golden.height });
  const mismatched = pixelmatch(actual.data, golden.data, diff.data, golden.width, golden.height, {
    threshold: 0.1,
  });
  if (mismatched > 0) {
    const out = join(tmpdir(), `${name}.diff.png`);
    writeFileSync(out, PNG.sync.write(diff));
    console.warn(`${name}: ${mismatched} pixels differ from the golden; diff written to ${out}`);
  }
  expect(mismatched / (golden.width * golden.height)).toBeLessThan(0.0005);
}

describe('consent PDF pixels (golden images)', () => {
  it('Arabic-first page 1 matches its golden', () => {
    expectGolden('consent-ar-page1', raster(finalAr, 0));
  });

  it('English-first risks page matches its golden', () => {
    expectGolden('consent-en-page2', raster(finalEn, 1));
  });
});
