import { PDFDocument } from 'pdf-lib';
import type { Locale } from '../../domain/template';
import type { ConsentDocument } from '../consent-document';
import { renderAudit } from './audit-page';
import { Composer } from './compose';
import { EmbeddedFonts } from './font-embedding';
import { labelsFor } from './labels';
import { issuedAt, SectionContext } from './section-context';
import { renderSections } from './sections';
import { embedSignature } from './signature-block';

export { setFontDirectory } from './fonts';
export { PATIENT_NAME_BOXES } from './style';

/**
 * The consent PDF: the whole document in the patient's language, then again in the other one, then the
 * audit trail (final version only), labelled in both. A pure function of the document: no clock, no I/O beyond the
 * bundled fonts (fonts.ts), deterministic bytes for the same input.
 */
export async function renderConsentPdf(doc: ConsentDocument): Promise<Uint8Array> {
  const pdf = await PDFDocument.create({ updateMetadata: false });
  const fonts = new EmbeddedFonts(pdf);
  const images = {
    patient: await embedSignature(pdf, doc.patientSignature),
    doctor: doc.countersignature ? await embedSignature(pdf, doc.countersignature) : undefined,
  };
  const locales: Locale[] = doc.primaryLocale === 'ar' ? ['ar', 'en'] : ['en', 'ar'];
  const out = new Composer(pdf, fonts);
  for (const locale of locales) {
    out.start(locale);
    renderSections(new SectionContext(out, doc, images));
  }
  if (doc.audit) {
    // One audit trail, in the patient's language with the other language's labels beside it: the data
    // (times, addresses, hashes) is the same in both, and a second copy would cost a page and ~4 KB.
    const [first = 'en', second = 'ar'] = locales;
    out.start(first);
    renderAudit(new SectionContext(out, doc, images), doc.audit, second);
  }
  out.finish(doc.documentId);
  fonts.finalize();

  const issued = new Date(issuedAt(doc));
  const title = `${labelsFor('en')('documentTitle')}: ${doc.template.title.en} (${doc.documentId})`;
  pdf.setTitle(title);
  pdf.setSubject(`${doc.template.id} ${doc.template.version}`);
  pdf.setAuthor(doc.clinic.name);
  pdf.setCreator('meso-consent');
  pdf.setProducer('meso-consent (pdf-lib)');
  pdf.setLanguage(doc.primaryLocale);
  if (!Number.isNaN(issued.getTime())) {
    pdf.setCreationDate(issued);
    pdf.setModificationDate(issued);
  }
  return pdf.save({ useObjectStreams: true });
}
