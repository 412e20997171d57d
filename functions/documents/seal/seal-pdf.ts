import { SignPdf } from '@signpdf/signpdf';
import {
  ANNOTATION_FLAGS,
  DEFAULT_BYTE_RANGE_PLACEHOLDER,
  SIG_FLAGS,
  Signer,
  SUBFILTER_ETSI_CADES_DETACHED,
} from '@signpdf/utils';
import {
  PDFArray,
  PDFDict,
  PDFDocument,
  PDFHexString,
  PDFInvalidObject,
  PDFName,
  PDFNumber,
  PDFString,
} from 'pdf-lib';
import { replaceControlCharacters } from '../../domain/text';
import type { PdfSealSigner } from '../../workflow/ports';
import { parseCertificateChain } from './certificate';
import { cmsLength, detachedCms } from './cms';
import { verifySeal } from './verify-seal';

/** What the signature dictionary says besides the signature itself (viewers show these). */
export interface SealDetails {
  reason: string;
  location: string;
  contactInfo: string;
  /** Signer name shown by viewers next to the certificate's; the certificate's CN when omitted. */
  name?: string;
  /** The signature dictionary's /M: the moment of sealing (PAdES has no signing-time attribute). */
  signingTime?: Date;
}

/** Bridges @signpdf's Signer interface to our CMS builder: it hands over the /ByteRange bytes. */
class CmsSigner extends Signer {
  constructor(private readonly signer: PdfSealSigner) {
    super();
  }

  override async sign(pdfBuffer: Buffer): Promise<Buffer> {
    return detachedCms(pdfBuffer, this.signer);
  }
}

/** Text for the signature dictionary: one line, no control characters, bounded. Any script is fine. */
export function dictionaryText(text: string, fallback: string): string {
  const clean = replaceControlCharacters(text).replace(/\s+/g, ' ').trim();
  return clean.slice(0, 200) || fallback;
}

/**
 * Adds the signature field and its dictionary, with /ByteRange and /Contents placeholders for @signpdf to
 * fill: /Type /Sig, /Filter /Adobe.PPKLite, /SubFilter /ETSI.CAdES.detached, /M, /Name, /Reason, /Location,
 * /ContactInfo — the shape Acrobat, pdf.js and Poppler list as a signature — on an invisible, read-only
 * widget of the first page, and /SigFlags 3 (signatures exist, append only) on the AcroForm.
 *
 * What @signpdf/placeholder-pdf-lib does, written against our own pdf-lib import: that package `require`s
 * pdf-lib, and wherever the ESM and CommonJS builds of pdf-lib both load (vitest's module runner does), its
 * PDFArray is foreign to our PDFDocument, which then writes the /ByteRange as a dictionary and the seal
 * fails. Text values are UTF-16 hex strings, so an Arabic clinic name shows as written.
 */
function addSignaturePlaceholder(
  pdfDoc: PDFDocument,
  text: { reason: string; location: string; contactInfo: string; name: string },
  signingTime: Date,
  contentsBytes: number,
): void {
  const ctx = pdfDoc.context;
  const byteRange = PDFArray.withContext(ctx);
  byteRange.push(PDFNumber.of(0));
  for (let i = 0; i < 3; i++) byteRange.push(PDFName.of(DEFAULT_BYTE_RANGE_PLACEHOLDER));
  const signature = ctx.obj({
    Type: 'Sig',
    Filter: 'Adobe.PPKLite',
    SubFilter: SUBFILTER_ETSI_CADES_DETACHED,
    ByteRange: byteRange,
    Contents: PDFHexString.of('0'.repeat(contentsBytes * 2)),
    M: PDFString.fromDate(signingTime),
    Name: PDFHexString.fromText(text.name),
    Reason: PDFHexString.fromText(text.reason),
    Location: PDFHexString.fromText(text.location),
    ContactInfo: PDFHexString.fromText(text.contactInfo),
    Prop_Build: { Filter: { Name: 'Adobe.PPKLite' }, App: { Name: 'meso-consent' } },
  });
  // Registered as opaque bytes, written exactly as serialised here: the placeholders stay plain text.
  const bytes = new Uint8Array(signature.sizeInBytes());
  signature.copyBytesInto(bytes, 0);
  const signatureRef = ctx.register(PDFInvalidObject.of(bytes));

  const page = pdfDoc.getPage(0);
  const widgetRef = ctx.register(
    ctx.obj({
      Type: 'Annot',
      Subtype: 'Widget',
      FT: 'Sig',
      Rect: [0, 0, 0, 0],
      V: signatureRef,
      T: PDFString.of('ClinicSeal'),
      F: ANNOTATION_FLAGS.PRINT | ANNOTATION_FLAGS.READ_ONLY,
      P: page.ref,
      // An (empty) appearance: PDF/A wants one; Resources avoids an old Acrobat quirk.
      AP: { N: ctx.register(ctx.formXObject([], { BBox: [0, 0, 0, 0], Resources: {} })) },
    }),
  );
  const annots = page.node.lookupMaybe(PDFName.of('Annots'), PDFArray) ?? ctx.obj([]);
  annots.push(widgetRef);
  page.node.set(PDFName.of('Annots'), annots);

  let acroForm = pdfDoc.catalog.lookupMaybe(PDFName.of('AcroForm'), PDFDict);
  if (!acroForm) {
    acroForm = ctx.obj({ Fields: [] });
    pdfDoc.catalog.set(PDFName.of('AcroForm'), ctx.register(acroForm));
  }
  const flags = acroForm.lookupMaybe(PDFName.of('SigFlags'), PDFNumber)?.asNumber() ?? 0;
  acroForm.set(
    PDFName.of('SigFlags'),
    PDFNumber.of(flags | SIG_FLAGS.SIGNATURES_EXIST | SIG_FLAGS.APPEND_ONLY),
  );
  const fields = acroForm.lookupMaybe(PDFName.of('Fields'), PDFArray) ?? ctx.obj([]);
  fields.push(widgetRef);
  acroForm.set(PDFName.of('Fields'), fields);
}

/**
 * Seals a finished PDF (PAdES B-B): loads it into pdf-lib, adds the signature field, saves, and lets
 * @signpdf fill /Contents with our detached CMS over every byte outside it. pdf-lib rewrites the whole file,
 * so this is the last step: nothing may touch the bytes afterwards. The result is checked before it is
 * returned.
 *
 * Saved with object streams, like the renderer's file: the signature dictionary is an opaque object of
 * the same pdf-lib that writes the file, which never packs those into an object stream, so /ByteRange and
 * /Contents stay plain text for @signpdf (test/unit/seal.test.ts checks this and that viewers read the
 * result). Without object streams the file would be about 6 KB larger.
 */
export async function sealPdf(
  bytes: Uint8Array,
  signer: PdfSealSigner,
  details: SealDetails,
): Promise<Uint8Array> {
  const cert = parseCertificateChain(signer.certificatePem);
  const pdfDoc = await PDFDocument.load(bytes, { updateMetadata: false });
  addSignaturePlaceholder(
    pdfDoc,
    {
      reason: dictionaryText(details.reason, 'Sealed'),
      location: dictionaryText(details.location, 'Unknown'),
      contactInfo: dictionaryText(details.contactInfo, 'Unknown'),
      name: dictionaryText(details.name ?? cert.commonName, 'Seal'),
    },
    details.signingTime ?? new Date(),
    // Exactly what the CMS needs, and a few bytes spare.
    (await cmsLength(signer)) + 8,
  );
  const prepared = await pdfDoc.save({
    useObjectStreams: true,
    addDefaultPage: false,
    updateFieldAppearances: false,
  });
  const sealed = new Uint8Array(await new SignPdf().sign(Buffer.from(prepared), new CmsSigner(signer)));
  // A key that does not match the certificate would otherwise yield seals no one can verify, silently.
  const check = verifySeal(sealed);
  if (!check.intact) throw new Error(`The sealed PDF does not verify (${check.problem ?? 'unknown'}).`);
  return sealed;
}
