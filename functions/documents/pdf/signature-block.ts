import type { PDFDocument } from 'pdf-lib';
import type { RecordedSignature } from '../../domain/model';
import { localStamp, utcStamp } from '../../domain/time';
import { ltr, SEVERITY_KEY } from './labels';
import type { Direction } from './layout';
import type { SectionContext, SignatureImage } from './section-context';
import { embedSignatureImage } from './signature-image';
import { DANGER, MUTED, PAGE_H, PANEL, PATIENT_NAME_BOXES, SIGNATURE_BOX, SMALL } from './style';

/**
 * The signature sections: the patient's signature and the doctor's countersignature, each a box (the
 * drawn image, the typed name or a note) with the facts of the signing under it, then the doctor's notes.
 * `embedSignature` embeds a drawn signature once per document, before any page is drawn.
 */
export async function embedSignature(
  pdf: PDFDocument,
  signature: RecordedSignature,
): Promise<SignatureImage> {
  if (signature.kind !== 'drawn' || !signature.pngBase64) return undefined;
  try {
    // At most twice the pixels of the area it is drawn in (see signatureBox).
    const { width, height } = SIGNATURE_BOX;
    return await embedSignatureImage(
      pdf,
      Buffer.from(signature.pngBase64, 'base64'),
      2 * (width - 12),
      2 * (height - 10),
    );
  } catch {
    return 'unreadable';
  }
}

export function patientSignature(s: SectionContext): void {
  const { out, t, doc } = s;
  out.heading(t('sectionPatientSignature'), SIGNATURE_BOX.height + 110);
  signatureBox(s, doc.patientSignature, s.images.patient, doc.patient.fullName);
  signatureFacts(s, doc.patientSignature, [
    {
      label: t('signedBy'),
      value: doc.patient.fullName,
      valueDirection: s.auto(doc.patient.fullName),
      maxLines: PATIENT_NAME_BOXES.signedBy.maxLines,
    },
  ]);
}

export function countersignature(s: SectionContext): void {
  const { out, t, doc } = s;
  out.heading(t('sectionCountersignature'), doc.countersignature ? SIGNATURE_BOX.height + 110 : 20);
  const cs = doc.countersignature;
  if (!cs) {
    out.paragraph(t('awaitingCountersignature'), { color: MUTED });
    return;
  }
  signatureBox(s, cs, s.images.doctor, cs.doctorName);
  signatureFacts(s, cs, [
    { label: t('doctor'), value: cs.doctorName, valueDirection: s.auto(cs.doctorName) },
    { label: t('licence'), value: cs.licence, valueDirection: 'ltr' },
  ]);
  if (doc.screening.findings.length === 0) return;
  out.subheading(t('reviewNotes'));
  findingNotes(s);
}

/** Signature box (drawn image, typed name, or a note) with a line under it. */
function signatureBox(
  s: SectionContext,
  signature: RecordedSignature,
  image: SignatureImage,
  typedFallback: string,
): void {
  const { out, t } = s;
  const { width, height, padding } = SIGNATURE_BOX;
  // Keep the box with the first rows of its facts.
  out.ensure(height + 110);
  const top = out.y;
  const x = out.x(0, width);
  out.canvas.rect(x, PAGE_H - top - height, width, height, { fill: PANEL });
  out.canvas.line(x, PAGE_H - top - height, x + width, PAGE_H - top - height, MUTED, 0.8);
  if (image && image !== 'unreadable') {
    const scale = Math.min((width - 12) / image.width, (height - 10) / image.height);
    const w = image.width * scale;
    const h = image.height * scale;
    out.canvas.image(image, x + (width - w) / 2, PAGE_H - top - height + 5, w, h);
  } else if (image === 'unreadable') {
    const note = out.layout(t('signatureUnreadable'), width - 12, { size: SMALL, color: DANGER });
    out.drawAt(note, 6, width - 12, top + height / 2 - 6, DANGER);
  } else {
    out.signatureLine(signature.typedName || typedFallback, padding, width - 2 * padding, top, height);
  }
  out.y = top + height + 8;
}

function signatureFacts(
  s: SectionContext,
  signature: RecordedSignature,
  rows: Array<{ label: string; value: string; valueDirection?: Direction; maxLines?: number }>,
): void {
  const { out, t } = s;
  out.fields([
    ...rows,
    {
      label: t('signatureMethod'),
      value: signature.kind === 'drawn' ? t('signatureDrawn') : t('signatureTyped'),
    },
    { label: t('signedAtUtc'), value: utcStamp(signature.signedAt), valueDirection: 'ltr' },
    {
      label: t('clinicTime', { zone: ltr(s.zone) }),
      value: localStamp(signature.signedAt, s.zone),
      valueDirection: 'ltr',
    },
    { label: t('ipAddress'), value: signature.ip, valueDirection: 'ltr', maxLines: 2 },
    { label: t('device'), value: signature.userAgent, valueDirection: 'ltr', maxLines: 1 },
  ]);
}

function findingNotes(s: SectionContext): void {
  const { out, t, doc } = s;
  for (const finding of doc.screening.findings) {
    out.ensure(50);
    out.paragraph(`${t(SEVERITY_KEY[finding.severity])}: ${s.findingMessage(finding)}`, {
      size: SMALL + 0.5,
      color: MUTED,
      gapAfter: 1,
    });
    const note = doc.findingNotes?.[finding.ruleId];
    const text = note?.trim() ? note : t('noNote');
    out.paragraph(text, { offset: 12, gapAfter: 6, direction: s.auto(text) });
  }
}
