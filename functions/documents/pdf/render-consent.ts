import { PDFDocument } from 'pdf-lib';
import type { AuditEvent } from '../../domain/audit';
import type { Finding, RecordedSignature } from '../../domain/model';
import type { Locale, Localized, Question, TreatmentTemplate } from '../../domain/template';
import type { ConsentDocument } from '../consent-document';
import { EmbeddedFonts } from './font-embedding';
import { type LabelKey, type Labels, labelsFor, PDF_LABELS } from './labels';
import {
  autoDirection,
  type Direction,
  fitLine,
  type LaidOutLine,
  layoutParagraph,
  measureText,
  type ParagraphLayout,
} from './layout';
import { PageCanvas, type Rgb } from './page-canvas';
import { type EmbeddedImage, embedSignatureImage } from './signature-image';
import { localDate, localStamp, usableZone, utcStamp } from './time';

export { setFontDirectory } from './fonts';

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
    new ConsentSections(out, doc, images).render();
  }
  if (doc.audit) {
    // One audit trail, in the patient's language with the other language's labels beside it: the data
    // (times, addresses, hashes) is the same in both, and a second copy would cost a page and ~4 KB.
    const [first = 'en', second = 'ar'] = locales;
    out.start(first);
    new ConsentSections(out, doc, images).renderAudit(doc.audit, second);
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

/**
 * Optional: shapes every text of the template and every PDF label once, so the first real render of
 * a cold process skips most of fontkit's table decoding and the shaping of template words (about 2/3 of
 * a cold first render here). Meant for a handler's init phase; rendering works without it.
 */
export function warmUpConsentPdf(template: TreatmentTemplate): void {
  const texts: Array<[string, Direction]> = [];
  const collect = (value: unknown): void => {
    if (Array.isArray(value)) for (const v of value) collect(v);
    else if (value && typeof value === 'object') {
      const o = value as Record<string, unknown>;
      if (typeof o.en === 'string' && typeof o.ar === 'string') texts.push([o.en, 'ltr'], [o.ar, 'rtl']);
      else for (const v of Object.values(o)) collect(v);
    }
  };
  collect(template);
  for (const locale of ['en', 'ar'] as const) {
    for (const text of Object.values(PDF_LABELS[locale])) texts.push([text, locale === 'ar' ? 'rtl' : 'ltr']);
  }
  for (const [text, direction] of texts) {
    for (const weight of ['regular', 'bold'] as const) measureText(text, { size: BODY, weight, direction });
  }
}

/** The moment this version was issued: the doctor's signature for the final version, else the patient's. */
function issuedAt(doc: ConsentDocument): string {
  return doc.kind === 'countersigned' && doc.countersignature
    ? doc.countersignature.signedAt
    : doc.patientSignature.signedAt;
}

type SignatureImage = EmbeddedImage | 'unreadable' | undefined;

async function embedSignature(pdf: PDFDocument, signature: RecordedSignature): Promise<SignatureImage> {
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

// Page geometry (points). A4, 40 pt margins, footer in the bottom margin.
const PAGE_W = 595.28;
const PAGE_H = 841.89;
const MARGIN = 40;
const CONTENT_W = PAGE_W - 2 * MARGIN;
const CONTENT_BOTTOM = PAGE_H - MARGIN - 14;
const BODY = 9.5;
const SMALL = 8;
const FIELD_LABEL_W = 130;
const FIELD_GAP = 8;
const HEADER_HALF_W = (CONTENT_W - 20) / 2;
const HEADER_LABEL_W = 82;
const SIGNATURE_BOX = { width: 220, height: 62, padding: 8 };

/**
 * Where the patient's name is set, so tests can check that any name stays inside its boxes: the header
 * field, the "signed by" field (both wrapped, at most 3 lines) and a typed signature (one line, shrunk
 * to fit, else cut with an ellipsis).
 */
export const PATIENT_NAME_BOXES = {
  header: { width: HEADER_HALF_W - HEADER_LABEL_W - FIELD_GAP, size: BODY, maxLines: 3 },
  signedBy: { width: CONTENT_W - FIELD_LABEL_W - FIELD_GAP, size: BODY, maxLines: 3 },
  typedSignature: { width: SIGNATURE_BOX.width - 2 * SIGNATURE_BOX.padding, maxSize: 20, minSize: 8 },
} as const;

const INK: Rgb = [0.1, 0.11, 0.13];
const MUTED: Rgb = [0.4, 0.42, 0.46];
const ACCENT: Rgb = [0.05, 0.32, 0.4];
const RULE: Rgb = [0.8, 0.82, 0.85];
const PANEL: Rgb = [0.955, 0.965, 0.97];
const OK: Rgb = [0.08, 0.45, 0.25];
const DANGER: Rgb = [0.7, 0.12, 0.12];
const SEVERITY_COLOUR: Record<Finding['severity'], Rgb> = {
  contraindicated: DANGER,
  review: [0.62, 0.36, 0.02],
  advisory: [0.2, 0.35, 0.6],
};

interface TextOptions {
  size?: number;
  weight?: 'regular' | 'bold';
  color?: Rgb;
  /** Bidi base direction; defaults to the section's. Data values (phones, ids, times) pass 'ltr'. */
  direction?: Direction;
  maxLines?: number;
}

interface PageState {
  canvas: PageCanvas;
  locale: Locale;
}

const containsArabic = /[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]/;

/**
 * Flows laid-out paragraphs down pages in one language, mirroring the layout for Arabic: a box is given
 * by its offset from the reading-start edge, and `x()` turns that into a page coordinate.
 */
class Composer {
  readonly pages: PageState[] = [];
  private current: PageState | undefined;
  /** Distance from the top of the page to the next free line. */
  y = MARGIN;
  locale: Locale = 'en';
  dir: Direction = 'ltr';
  t: Labels = labelsFor('en');

  constructor(
    readonly pdf: PDFDocument,
    private readonly fonts: EmbeddedFonts,
  ) {}

  start(locale: Locale): void {
    this.locale = locale;
    this.dir = locale === 'ar' ? 'rtl' : 'ltr';
    this.t = labelsFor(locale);
    this.newPage();
  }

  get canvas(): PageCanvas {
    if (!this.current) this.newPage();
    return (this.current as PageState).canvas;
  }

  newPage(): void {
    const page = this.pdf.addPage([PAGE_W, PAGE_H]);
    this.current = { canvas: new PageCanvas(page, this.fonts), locale: this.locale };
    this.pages.push(this.current);
    this.y = MARGIN;
  }

  /** Starts a new page unless `height` still fits on this one. */
  ensure(height: number): void {
    if (this.y + height > CONTENT_BOTTOM && this.y > MARGIN) this.newPage();
  }

  /** Page x of a box that starts `offset` points from the reading-start edge. */
  x(offset: number, width: number): number {
    return this.dir === 'ltr' ? MARGIN + offset : PAGE_W - MARGIN - offset - width;
  }

  layout(text: string, width: number, opts: TextOptions = {}): ParagraphLayout {
    return layoutParagraph(text, {
      width,
      size: opts.size ?? BODY,
      weight: opts.weight ?? 'regular',
      direction: opts.direction ?? this.dir,
      ...(opts.maxLines ? { maxLines: opts.maxLines } : {}),
    });
  }

  lineHeight(layout: ParagraphLayout): number {
    const arabic = layout.lines.some((l) => containsArabic.test(l.text));
    return layout.size * (arabic ? 1.6 : 1.38);
  }

  /** Draws laid-out lines in a box whose top is at `top` (no page breaks); returns the height used. */
  drawAt(layout: ParagraphLayout, offset: number, width: number, top: number, color: Rgb = INK): number {
    const lh = this.lineHeight(layout);
    let y = top;
    for (const line of layout.lines) {
      this.drawLine(line, layout.size, offset, width, y, lh, color);
      y += lh;
    }
    return y - top;
  }

  /**
   * Cells side by side whose first lines share one baseline (a small label beside a larger value, Arabic
   * beside Latin), drawn from `top`; returns the row's height.
   */
  row(
    cells: Array<{ layout: ParagraphLayout; offset: number; width: number; color?: Rgb }>,
    top: number,
  ): number {
    const ascent = (l: ParagraphLayout) => this.lineHeight(l) * 0.72;
    const baseline = Math.max(...cells.map((c) => ascent(c.layout)));
    let bottom = top;
    for (const c of cells) {
      const cellTop = top + baseline - ascent(c.layout);
      bottom = Math.max(bottom, cellTop + this.drawAt(c.layout, c.offset, c.width, cellTop, c.color ?? INK));
    }
    return bottom - top;
  }

  private drawLine(
    line: LaidOutLine,
    size: number,
    offset: number,
    width: number,
    top: number,
    lh: number,
    color: Rgb,
    skew = 0,
  ): void {
    const boxX = this.x(offset, width);
    // Lines sit at the reading-start edge: left in English, right in Arabic.
    const x = this.dir === 'ltr' ? boxX : boxX + width - line.width;
    const baseline = PAGE_H - (top + lh * 0.72);
    this.canvas.text(line, x, baseline, size, { color, skew });
  }

  /** A paragraph in the flow, breaking across pages between lines. */
  paragraph(
    text: string,
    opts: TextOptions & { offset?: number; width?: number; gapAfter?: number } = {},
  ): void {
    const offset = opts.offset ?? 0;
    const width = opts.width ?? CONTENT_W - offset;
    const layout = this.layout(text, width, opts);
    const lh = this.lineHeight(layout);
    for (const line of layout.lines) {
      this.ensure(lh);
      this.drawLine(line, layout.size, offset, width, this.y, lh, opts.color ?? INK);
      this.y += lh;
    }
    this.y += opts.gapAfter ?? 4;
  }

  /** One line of large text shrunk to fit (typed signatures), slanted like handwriting. */
  signatureLine(text: string, offset: number, width: number, top: number, height: number): void {
    const { maxSize, minSize } = PATIENT_NAME_BOXES.typedSignature;
    const layout = fitLine(text, { width, maxSize, minSize, direction: autoDirection(text, this.dir) });
    const line = layout.lines[0];
    if (!line) return;
    this.drawLine(
      line,
      layout.size,
      offset,
      width,
      top + height - layout.size * 1.6,
      layout.size * 1.4,
      INK,
      0.2,
    );
  }

  /** A section title; `keepWith` is how much of what follows must fit under it on the same page. */
  heading(text: string, keepWith = 40): void {
    this.ensure(keepWith + 30);
    this.y += 8;
    this.paragraph(text, { size: 12, weight: 'bold', color: ACCENT, gapAfter: 2 });
    this.rule();
    this.y += 5;
  }

  subheading(text: string): void {
    this.ensure(40);
    this.paragraph(text, { size: 10, weight: 'bold', gapAfter: 2 });
  }

  rule(offset = 0, width = CONTENT_W, color: Rgb = RULE): void {
    const y = PAGE_H - this.y;
    const x = this.x(offset, width);
    this.canvas.line(x, y, x + width, y, color, 0.6);
  }

  /** A ticked (or empty) box; `top` is the top of the text line it belongs to. */
  checkbox(offset: number, top: number, checked: boolean, color: Rgb): void {
    const s = 7.5;
    const x = this.x(offset, s);
    const y = PAGE_H - top - 10.5;
    this.canvas.rect(x, y, s, s, { stroke: color, lineWidth: 0.8 });
    if (checked) {
      this.canvas.polyline(
        [
          [x + 1.4, y + 3.9],
          [x + 3.1, y + 1.7],
          [x + 6.4, y + 6.3],
        ],
        color,
        1.2,
      );
    }
  }

  /** Label/value rows (label at the reading start), breaking between rows. */
  fields(
    rows: Array<{
      label: string;
      /** The label again in the other language, smaller, under the first (bilingual audit page). */
      label2?: string;
      value: string;
      /** The value again in the other language, smaller, under the first (bilingual audit page). */
      value2?: string;
      valueDirection?: Direction;
      maxLines?: number;
      size?: number;
      labelColor?: Rgb;
    }>,
    opts: { offset?: number; width?: number; labelWidth?: number; flow?: boolean } = {},
  ): number {
    const offset = opts.offset ?? 0;
    const width = opts.width ?? CONTENT_W;
    const labelWidth = opts.labelWidth ?? FIELD_LABEL_W;
    const gap = FIELD_GAP;
    const top = this.y;
    for (const row of rows) {
      const label = this.layout(row.label, labelWidth, { size: SMALL + 0.5 });
      const valueWidth = width - labelWidth - gap;
      const value = this.layout(row.value, valueWidth, {
        direction: row.valueDirection ?? this.dir,
        ...(row.size ? { size: row.size } : {}),
        ...(row.maxLines ? { maxLines: row.maxLines } : {}),
      });
      const label2 = row.label2 ? this.otherLanguage(row.label2, labelWidth) : undefined;
      const label2Height = label2 ? label2.lines.length * this.lineHeight(label2) : 0;
      const value2 = row.value2 ? this.otherLanguage(row.value2, valueWidth) : undefined;
      const value2Height = value2 ? value2.lines.length * this.lineHeight(value2) : 0;
      const height = Math.max(
        label.lines.length * this.lineHeight(label) + label2Height,
        value.lines.length * this.lineHeight(value) + value2Height,
      );
      if (opts.flow !== false) this.ensure(height + 2);
      const top = this.y;
      const labelColor = row.labelColor ?? MUTED;
      const used = this.row(
        [
          { layout: label, offset, width: labelWidth, color: labelColor },
          { layout: value, offset: offset + labelWidth + gap, width: valueWidth },
        ],
        top,
      );
      let bottom = top + used;
      if (label2) {
        const labelBottom = top + label.lines.length * this.lineHeight(label) + 1;
        this.drawAt(label2, offset, labelWidth, labelBottom, labelColor);
        bottom = Math.max(bottom, labelBottom + label2Height);
      }
      if (value2) {
        // Under the value's own last line (row() put its first baseline level with the label's).
        const ascent = (l: ParagraphLayout) => this.lineHeight(l) * 0.72;
        const valueTop = top + Math.max(ascent(label), ascent(value)) - ascent(value);
        const valueBottom = valueTop + value.lines.length * this.lineHeight(value) + 1;
        this.drawAt(value2, offset + labelWidth + gap, valueWidth, valueBottom, MUTED);
        bottom = Math.max(bottom, valueBottom + value2Height);
      }
      this.y = bottom + 2;
    }
    return this.y - top;
  }

  /** Small text in the other language of a bilingual page, in its own direction. */
  otherLanguage(text: string, width: number, size = 7.5): ParagraphLayout {
    return this.layout(text, width, { size, direction: autoDirection(text, this.dir) });
  }

  bullets(items: string[]): void {
    for (const item of items) {
      const layout = this.layout(item, CONTENT_W - 14);
      this.ensure(this.lineHeight(layout) * layout.lines.length);
      const dot = this.layout('•', 10);
      this.y += this.row(
        [
          { layout: dot, offset: 3, width: 10 },
          { layout, offset: 14, width: CONTENT_W - 14 },
        ],
        this.y,
      );
      this.y += 2;
    }
    this.y += 3;
  }

  /** Writes footers (now that the page count is known) and every page's content stream. */
  finish(documentId: string): void {
    const total = this.pages.length;
    this.pages.forEach((state, index) => {
      this.locale = state.locale;
      this.dir = state.locale === 'ar' ? 'rtl' : 'ltr';
      this.t = labelsFor(state.locale);
      this.current = state;
      const top = PAGE_H - MARGIN + 6;
      this.y = top;
      this.rule(0, CONTENT_W, RULE);
      const idText = this.layout(this.t('footerDocument', { id: documentId }), CONTENT_W / 2, { size: 7.5 });
      const pageText = this.layout(this.t('footerPage', { page: index + 1, pages: total }), CONTENT_W / 2, {
        size: 7.5,
      });
      this.drawAt(idText, 0, CONTENT_W / 2, top + 3, MUTED);
      // Page number at the reading-end edge.
      const line = pageText.lines[0];
      if (line) {
        const x = this.dir === 'ltr' ? PAGE_W - MARGIN - line.width : MARGIN;
        state.canvas.text(line, x, PAGE_H - (top + 3 + 7.5 * 1.38 * 0.72), 7.5, { color: MUTED });
      }
      state.canvas.finish();
    });
  }
}

const OUTCOME_KEY: Record<ConsentDocument['screening']['outcome'], LabelKey> = {
  eligible: 'outcomeEligible',
  needs_review: 'outcomeNeedsReview',
  ineligible: 'outcomeIneligible',
};

const SEVERITY_KEY: Record<Finding['severity'], LabelKey> = {
  contraindicated: 'severityContraindicated',
  review: 'severityReview',
  advisory: 'severityAdvisory',
};

const FREQUENCY_KEY: Record<TreatmentTemplate['risks'][number]['frequency'], LabelKey> = {
  common: 'frequencyCommon',
  uncommon: 'frequencyUncommon',
  rare: 'frequencyRare',
  varies: 'frequencyVaries',
};

const EVENT_KEY: Record<AuditEvent['type'], LabelKey> = {
  invited: 'eventInvited',
  link_opened: 'eventLinkOpened',
  answers_submitted: 'eventAnswersSubmitted',
  screening_result: 'eventScreeningResult',
  signed: 'eventSigned',
  countersigned: 'eventCountersigned',
  declined: 'eventDeclined',
  emailed: 'eventEmailed',
  email_failed: 'eventEmailFailed',
  pdf_downloaded: 'eventPdfDownloaded',
  verified: 'eventVerified',
  link_revoked: 'eventLinkRevoked',
};

const ACTOR_KEY: Record<AuditEvent['actor']['kind'], LabelKey> = {
  patient: 'actorPatient',
  staff: 'actorStaff',
  system: 'actorSystem',
  anonymous: 'actorAnonymous',
};

const MAIL_KEY: Record<string, LabelKey> = {
  invite: 'mailInvite',
  signed_notice: 'mailSignedNotice',
  ineligible_notice: 'mailIneligibleNotice',
  final_patient: 'mailFinalPatient',
  final_archive: 'mailFinalArchive',
};

const CHANNEL_KEY: Record<string, LabelKey> = { email: 'channelEmail', handover: 'channelHandover' };
const SIGNATURE_KEY: Record<string, LabelKey> = { drawn: 'detailDrawn', typed: 'detailTyped' };
const LOCALE_KEY: Record<string, LabelKey> = { en: 'detailEnglish', ar: 'detailArabic' };

/**
 * A short, non-PHI detail of an event for the audit table, in either language: which link was opened,
 * which e-mail went out, how a signature was given... Only known keys with known values are shown (an
 * error's class name at most), never free text from the event.
 */
function eventDetail(event: AuditEvent): ((l: Labels) => string) | undefined {
  const data = event.data ?? {};
  const known = (table: Record<string, LabelKey>, value: unknown): LabelKey | undefined =>
    typeof value === 'string' && Object.hasOwn(table, value) ? table[value] : undefined;
  switch (event.type) {
    case 'link_opened': {
      const key = known(CHANNEL_KEY, data.channel);
      return key ? (l) => l(key) : undefined;
    }
    case 'answers_submitted': {
      const key = known(LOCALE_KEY, data.locale);
      return key ? (l) => l(key) : undefined;
    }
    case 'signed':
    case 'countersigned': {
      const key = known(SIGNATURE_KEY, data.signature);
      return key ? (l) => l(key) : undefined;
    }
    case 'emailed':
    case 'email_failed': {
      const key = known(MAIL_KEY, data.mail);
      const error =
        event.type === 'email_failed' &&
        typeof data.error === 'string' &&
        /^[A-Za-z][\w.]{0,40}$/.test(data.error)
          ? data.error
          : undefined;
      if (!key) return undefined;
      return (l) => (error ? `${l(key)} (${ltr(error)})` : l(key));
    }
    case 'pdf_downloaded':
    case 'verified': {
      const version = typeof data.version === 'number' ? data.version : undefined;
      const seal = typeof data.sealIntact === 'boolean' ? data.sealIntact : undefined;
      if (version === undefined && seal === undefined) return undefined;
      return (l) =>
        [
          version !== undefined ? l('detailVersion', { version }) : undefined,
          seal === undefined ? undefined : l(seal ? 'detailSealIntact' : 'detailSealBroken'),
        ]
          .filter(Boolean)
          .join(' · ');
    }
    default:
      return undefined;
  }
}

/** A staff user id (Cognito `sub`, a UUID) cut to its first 8 characters: enough to look it up. */
function shortId(id: string): string {
  const clean = id.replace(/[^\w-]/g, '');
  return clean.length > 9 ? `${clean.slice(0, 8)}…` : clean;
}

/** How the patient was identified, worded in one language from the masked facts. */
function identificationText(
  l: Labels,
  locale: Locale,
  id: NonNullable<ConsentDocument['audit']>['identification'],
): string {
  const parts = [
    id.channel === 'email' && id.maskedEmail
      ? l('identifiedEmail', { email: ltr(id.maskedEmail) })
      : l('identifiedHandover'),
    id.maskedPhone ? l('identifiedPhone', { phone: ltr(id.maskedPhone) }) : undefined,
  ];
  return parts.filter(Boolean).join(locale === 'ar' ? '؛ ' : '; ');
}

/** The seal and verification line: the seal only when the file will carry one; where to check it. */
function sealText(l: Labels, sealed: boolean | undefined, verifyUrl: string | undefined): string {
  const verify = verifyUrl ? l('verifyAt', { url: ltr(verifyUrl) }) : l('verifyGeneric');
  return sealed ? `${l('sealNotice')} ${verify}` : verify;
}

/** Isolates a left-to-right value (phone, id, date) inside a sentence of either direction. */
function ltr(value: string): string {
  return `\u2066${value}\u2069`;
}

/** The sections of one language, in the order CLINICAL.md lists them. */
class ConsentSections {
  private readonly t: Labels;
  private readonly locale: Locale;
  private readonly zone: string;

  constructor(
    private readonly out: Composer,
    private readonly doc: ConsentDocument,
    private readonly images: { patient: SignatureImage; doctor: SignatureImage },
  ) {
    this.t = out.t;
    this.locale = out.locale;
    this.zone = usableZone(doc.audit?.timeZone ?? doc.clinic.branch.timeZone);
  }

  /** Direction for free text someone typed (names, notes): its own first strong letter decides. */
  private auto(text: string): Direction {
    return autoDirection(text, this.out.dir);
  }

  private l(text: Localized): string {
    return text[this.locale];
  }

  render(): void {
    this.header();
    this.treatment();
    this.risks();
    this.care();
    this.screening();
    this.declarations();
    this.patientSignature();
    this.countersignature();
  }

  private header(): void {
    const { out, t, doc } = this;
    const branch = doc.clinic.branch;
    out.paragraph(doc.clinic.name, { size: 15, weight: 'bold', color: ACCENT, gapAfter: 1 });
    const contact = [
      `${t('branch')}: ${branch.name}`,
      `${t('phone')}: ${ltr(branch.phone)}`,
      `${t('whatsapp')}: ${ltr(branch.whatsapp)}`,
    ].join('  ·  ');
    out.paragraph(contact, { size: SMALL + 0.5, color: MUTED, gapAfter: 6 });
    out.rule(0, CONTENT_W, ACCENT);
    out.y += 8;
    out.paragraph(`${t('documentTitle')}: ${this.l(doc.template.title)}`, {
      size: 14,
      weight: 'bold',
      gapAfter: 1,
    });
    out.paragraph(doc.kind === 'countersigned' ? t('statusCountersigned') : t('statusPatientSigned'), {
      size: SMALL + 0.5,
      color: MUTED,
      gapAfter: 8,
    });

    const half = HEADER_HALF_W;
    const top = out.y;
    out.paragraph(t('sectionDocument'), {
      width: half,
      size: BODY,
      weight: 'bold',
      color: ACCENT,
      gapAfter: 2,
    });
    out.fields(
      [
        { label: t('documentId'), value: doc.documentId, valueDirection: 'ltr' },
        {
          label: t('template'),
          value: t('templateVersion', { id: ltr(doc.template.id), version: ltr(doc.template.version) }),
        },
        { label: t('issueDate'), value: localDate(issuedAt(doc), this.zone), valueDirection: 'ltr' },
        { label: t('treatment'), value: this.l(doc.template.title) },
      ],
      { width: half, labelWidth: HEADER_LABEL_W, flow: false },
    );
    const leftBottom = out.y;
    out.y = top;
    out.paragraph(t('sectionPatient'), {
      offset: half + 20,
      width: half,
      size: BODY,
      weight: 'bold',
      color: ACCENT,
      gapAfter: 2,
    });
    out.fields(
      [
        {
          label: t('patientName'),
          value: doc.patient.fullName,
          valueDirection: this.auto(doc.patient.fullName),
          maxLines: PATIENT_NAME_BOXES.header.maxLines,
        },
        { label: t('dateOfBirth'), value: doc.patient.dateOfBirth, valueDirection: 'ltr' },
        { label: t('email'), value: doc.patient.email, valueDirection: 'ltr', maxLines: 2 },
        ...(doc.patient.phone
          ? [
              {
                label: t('patientPhone'),
                value: doc.patient.phone,
                valueDirection: 'ltr' as const,
                maxLines: 1,
              },
            ]
          : []),
      ],
      { offset: half + 20, width: half, labelWidth: HEADER_LABEL_W, flow: false },
    );
    out.y = Math.max(out.y, leftBottom) + 6;
    const choices = doc.template.questions
      .filter((q): q is Extract<Question, { type: 'multi' }> => q.type === 'multi')
      .map((q) => ({ label: this.l(q.label), value: this.answerText(q) }));
    if (choices.length) out.fields(choices, { labelWidth: 170 });
  }

  private treatment(): void {
    const { out, t, doc } = this;
    const c = doc.template.consent;
    out.heading(t('sectionTreatment'));
    const parts: Array<[LabelKey, Localized]> = [
      ['procedure', c.procedure],
      ['course', c.course],
      ['results', c.results],
      ['alternatives', c.alternatives],
      ['rightToRefuse', c.rightToRefuse],
    ];
    for (const [key, text] of parts) {
      out.subheading(t(key));
      out.paragraph(this.l(text), { gapAfter: 6 });
    }
  }

  private risks(): void {
    const { out, t, doc } = this;
    out.heading(t('sectionRisks'));
    out.paragraph(t('risksIntro'), { color: MUTED, gapAfter: 6 });
    const acknowledged = new Set(doc.acknowledgedRiskIds);
    const applicable = new Set(doc.riskIds);
    const ackWidth = 150;
    for (const risk of doc.template.risks.filter((r) => applicable.has(r.id))) {
      const ok = acknowledged.has(risk.id);
      const title = out.layout(this.l(risk.title), CONTENT_W - ackWidth - 70, { weight: 'bold', size: 10 });
      const freq = out.layout(t(FREQUENCY_KEY[risk.frequency]), 60, { size: SMALL, color: MUTED });
      const mark = out.layout(ok ? t('acknowledged') : t('notAcknowledged'), ackWidth - 12, { size: SMALL });
      const description = out.layout(this.l(risk.description), CONTENT_W);
      const titleHeight = title.lines.length * out.lineHeight(title);
      out.ensure(titleHeight + out.lineHeight(description) + 4);
      const top = out.y;
      const titleWidth = Math.max(...title.lines.map((l) => l.width));
      // The acknowledgement sits at the reading-end edge of the title line.
      const markWidth = Math.max(...mark.lines.map((l) => l.width), 0);
      out.checkbox(CONTENT_W - markWidth - 12, top + 1, ok, ok ? OK : DANGER);
      out.row(
        [
          { layout: title, offset: 0, width: CONTENT_W - ackWidth - 70 },
          { layout: freq, offset: titleWidth + 8, width: 60, color: MUTED },
          { layout: mark, offset: CONTENT_W - markWidth, width: markWidth + 1, color: ok ? OK : DANGER },
        ],
        top,
      );
      out.y = top + titleHeight;
      out.paragraph(this.l(risk.description), { gapAfter: 7 });
    }
  }

  private care(): void {
    const { out, t, doc } = this;
    out.heading(t('sectionCare'));
    out.subheading(t('careBefore'));
    out.bullets(doc.template.care.before.map((c) => this.l(c)));
    out.subheading(t('careAfter'));
    out.bullets(doc.template.care.after.map((c) => this.l(c)));
  }

  private answerText(q: Question): string {
    const { t } = this;
    const answer = this.doc.answers[q.id];
    if (answer === undefined || answer === '' || (Array.isArray(answer) && answer.length === 0)) {
      return t('notAnswered');
    }
    switch (q.type) {
      case 'boolean':
        return answer === true ? t('yes') : answer === false ? t('no') : String(answer);
      case 'multi': {
        const chosen = Array.isArray(answer) ? answer : [String(answer)];
        const labels = chosen.map((id) => {
          const option = q.options.find((o) => o.id === id);
          return option ? this.l(option.label) : id;
        });
        return labels.join(this.locale === 'ar' ? '، ' : ', ');
      }
      case 'date':
        return ltr(String(answer));
      default:
        return Array.isArray(answer) ? answer.join(', ') : String(answer);
    }
  }

  /** The finding's message in this section's language (from the template rule), else as recorded. */
  private findingMessage(finding: Finding): string {
    const rule = this.doc.template.rules.find((r) => r.id === finding.ruleId);
    return rule ? this.l(rule.message) : finding.message;
  }

  private screening(): void {
    const { out, t, doc } = this;
    out.heading(t('sectionScreening'));
    out.subheading(t('screeningAnswers'));
    const rows = doc.template.questions
      .filter((q) => {
        // A follow-up text question is shown only when it applies (its trigger was answered yes) or answered.
        if (q.type !== 'text' || !q.requiredWhen) return true;
        return doc.answers[q.requiredWhen] === true || Boolean(doc.answers[q.id]);
      })
      .map((q) => {
        const value = this.answerText(q);
        return { label: this.l(q.label), value, direction: q.type === 'text' ? this.auto(value) : out.dir };
      });
    this.answerTable(rows);

    out.subheading(t('findings'));
    if (doc.screening.findings.length === 0) out.paragraph(t('noFindings'), { gapAfter: 6 });
    for (const finding of doc.screening.findings) {
      const tag = t(SEVERITY_KEY[finding.severity]);
      out.paragraph(tag, {
        size: SMALL + 0.5,
        weight: 'bold',
        color: SEVERITY_COLOUR[finding.severity],
        gapAfter: 0,
      });
      out.paragraph(this.findingMessage(finding), { gapAfter: 5 });
    }
    out.fields([
      { label: t('outcome'), value: t(OUTCOME_KEY[doc.screening.outcome]) },
      {
        label: t('screenedAt'),
        value: `${ltr(utcStamp(doc.screening.screenedAt))}  ·  ${ltr(`${localStamp(doc.screening.screenedAt, this.zone)} ${this.zone}`)}`,
      },
    ]);
  }

  /** Question | answer, with a light rule between rows. */
  private answerTable(rows: Array<{ label: string; value: string; direction: Direction }>): void {
    const { out } = this;
    const questionWidth = 330;
    const gap = 12;
    const answerWidth = CONTENT_W - questionWidth - gap;
    rows.forEach((row, i) => {
      const q = out.layout(row.label, questionWidth - 4, { size: SMALL + 0.5 });
      const a = out.layout(row.value, answerWidth - 4, {
        weight: 'bold',
        size: SMALL + 0.5,
        direction: row.direction,
      });
      const height = Math.max(q.lines.length * out.lineHeight(q), a.lines.length * out.lineHeight(a)) + 3;
      out.ensure(height);
      if (i % 2 === 0) {
        out.canvas.rect(out.x(0, CONTENT_W), PAGE_H - out.y - height, CONTENT_W, height, { fill: PANEL });
      }
      out.row(
        [
          { layout: q, offset: 4, width: questionWidth - 4 },
          { layout: a, offset: questionWidth + gap, width: answerWidth - 4 },
        ],
        out.y + 1.5,
      );
      out.y += height;
    });
    out.y += 8;
  }

  private declarations(): void {
    const { out, t, doc } = this;
    out.heading(t('sectionDeclarations'));
    const items = [
      ...doc.template.declarations.map((d) => ({
        title: undefined as string | undefined,
        text: this.l(d.text),
      })),
      { title: t('electronicRecords'), text: this.l(doc.template.consent.electronicRecords) },
    ];
    for (const item of items) {
      const body = out.layout(item.text, CONTENT_W - 110);
      out.ensure(out.lineHeight(body) * Math.min(body.lines.length, 3) + 4);
      const top = out.y;
      if (item.title) out.paragraph(item.title, { weight: 'bold', width: CONTENT_W - 110, gapAfter: 1 });
      out.paragraph(item.text, { width: CONTENT_W - 110, gapAfter: 0 });
      const agreed = out.layout(t('agreed'), 90, { size: SMALL, weight: 'bold' });
      const w = Math.max(...agreed.lines.map((l) => l.width), 0);
      out.checkbox(CONTENT_W - w - 12, top, true, OK);
      out.drawAt(agreed, CONTENT_W - w, w + 1, top + 0.5, OK);
      out.y += 6;
    }
  }

  /** Signature box (drawn image, typed name, or a note) with a line under it. */
  private signatureBox(signature: RecordedSignature, image: SignatureImage, typedFallback: string): void {
    const { out, t } = this;
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

  private signatureFacts(
    signature: RecordedSignature,
    rows: Array<{ label: string; value: string; valueDirection?: Direction; maxLines?: number }>,
  ): void {
    const { out, t } = this;
    out.fields([
      ...rows,
      {
        label: t('signatureMethod'),
        value: signature.kind === 'drawn' ? t('signatureDrawn') : t('signatureTyped'),
      },
      { label: t('signedAtUtc'), value: utcStamp(signature.signedAt), valueDirection: 'ltr' },
      {
        label: t('clinicTime', { zone: ltr(this.zone) }),
        value: localStamp(signature.signedAt, this.zone),
        valueDirection: 'ltr',
      },
      { label: t('ipAddress'), value: signature.ip, valueDirection: 'ltr', maxLines: 2 },
      { label: t('device'), value: signature.userAgent, valueDirection: 'ltr', maxLines: 1 },
    ]);
  }

  private patientSignature(): void {
    const { out, t, doc } = this;
    out.heading(t('sectionPatientSignature'), SIGNATURE_BOX.height + 110);
    this.signatureBox(doc.patientSignature, this.images.patient, doc.patient.fullName);
    this.signatureFacts(doc.patientSignature, [
      {
        label: t('signedBy'),
        value: doc.patient.fullName,
        valueDirection: this.auto(doc.patient.fullName),
        maxLines: PATIENT_NAME_BOXES.signedBy.maxLines,
      },
    ]);
  }

  private countersignature(): void {
    const { out, t, doc } = this;
    out.heading(t('sectionCountersignature'), doc.countersignature ? SIGNATURE_BOX.height + 110 : 20);
    const cs = doc.countersignature;
    if (!cs) {
      out.paragraph(t('awaitingCountersignature'), { color: MUTED });
      return;
    }
    this.signatureBox(cs, this.images.doctor, cs.doctorName);
    this.signatureFacts(cs, [
      { label: t('doctor'), value: cs.doctorName, valueDirection: this.auto(cs.doctorName) },
      { label: t('licence'), value: cs.licence, valueDirection: 'ltr' },
    ]);
    if (doc.screening.findings.length === 0) return;
    out.subheading(t('reviewNotes'));
    this.findingNotes();
  }

  private findingNotes(): void {
    const { out, t, doc } = this;
    for (const finding of doc.screening.findings) {
      out.ensure(50);
      out.paragraph(`${t(SEVERITY_KEY[finding.severity])}: ${this.findingMessage(finding)}`, {
        size: SMALL + 0.5,
        color: MUTED,
        gapAfter: 1,
      });
      const note = doc.findingNotes?.[finding.ruleId];
      const text = note?.trim() ? note : t('noNote');
      out.paragraph(text, { offset: 12, gapAfter: 6, direction: this.auto(text) });
    }
  }

  renderAudit(audit: NonNullable<ConsentDocument['audit']>, secondLocale: Locale): void {
    const { out, t, doc } = this;
    const o = labelsFor(secondLocale);
    out.paragraph(`${t('sectionAudit')}: ${this.l(doc.template.title)}`, {
      size: 14,
      weight: 'bold',
      color: ACCENT,
      gapAfter: 0,
    });
    const second = `${o('sectionAudit')}: ${doc.template.title[secondLocale]}`;
    out.paragraph(second, {
      size: 10,
      weight: 'bold',
      color: ACCENT,
      direction: this.auto(second),
      gapAfter: 3,
    });
    out.paragraph(t('auditIntro'), { color: MUTED, size: SMALL + 0.5, gapAfter: 0 });
    out.paragraph(o('auditIntro'), {
      color: MUTED,
      size: 7.5,
      direction: this.auto(o('auditIntro')),
      gapAfter: 6,
    });
    out.rule(0, CONTENT_W, ACCENT);
    out.y += 6;
    const version = { id: ltr(doc.template.id), version: ltr(doc.template.version) };
    out.fields(
      [
        { label: t('documentId'), label2: o('documentId'), value: doc.documentId, valueDirection: 'ltr' },
        { label: t('template'), label2: o('template'), value: t('templateVersion', version) },
        {
          label: t('templateHash'),
          label2: o('templateHash'),
          value: doc.templateSha256,
          valueDirection: 'ltr',
          size: SMALL + 0.5,
        },
        {
          label: t('patientSignedHash'),
          label2: o('patientSignedHash'),
          value: audit.patientSignedSha256,
          valueDirection: 'ltr',
          size: SMALL + 0.5,
        },
        {
          label: t('identification'),
          label2: o('identification'),
          value: identificationText(t, this.locale, audit.identification),
          value2: identificationText(o, secondLocale, audit.identification),
        },
        { label: t('timeZone'), label2: o('timeZone'), value: this.zone, valueDirection: 'ltr' },
        {
          label: t('seal'),
          label2: o('seal'),
          value: sealText(t, audit.sealed, doc.verifyUrl),
          value2: sealText(o, audit.sealed, doc.verifyUrl),
        },
      ],
      { labelWidth: 170 },
    );
    out.y += 8;
    this.eventTable(audit.events, o);
    this.auditScreening(o);
  }

  /** The screening outcome and every finding with its severity and the doctor's note, in both languages. */
  private auditScreening(o: Labels): void {
    const { out, t, doc } = this;
    out.heading(`${t('auditScreening')} · ${o('auditScreening')}`);
    const outcome = OUTCOME_KEY[doc.screening.outcome];
    const rows: Parameters<Composer['fields']>[0] = [
      { label: t('outcome'), label2: o('outcome'), value: t(outcome), value2: o(outcome) },
    ];
    if (doc.screening.findings.length === 0) {
      rows.push({
        label: t('findings'),
        label2: o('findings'),
        value: t('noFindings'),
        value2: o('noFindings'),
      });
    }
    for (const finding of doc.screening.findings) {
      const severity = SEVERITY_KEY[finding.severity];
      const note = doc.findingNotes?.[finding.ruleId]?.trim();
      // The finding's text once, in the page's language (both languages are in the screening sections).
      rows.push(
        {
          label: t(severity),
          label2: o(severity),
          labelColor: SEVERITY_COLOUR[finding.severity],
          value: this.findingMessage(finding),
        },
        note
          ? {
              label: t('findingNote'),
              label2: o('findingNote'),
              value: note,
              valueDirection: this.auto(note),
            }
          : { label: t('findingNote'), label2: o('findingNote'), value: t('noNote'), value2: o('noNote') },
      );
    }
    out.fields(rows, { labelWidth: 170 });
  }

  private eventTable(events: AuditEvent[], o: Labels): void {
    const { out, t } = this;
    const size = 7.5;
    const zone = ltr(this.zone);
    const columns: Array<{ header: [string, string]; width: number }> = [
      { header: [t('columnEvent'), o('columnEvent')], width: 96 },
      { header: [t('columnUtc'), o('columnUtc')], width: 84 },
      { header: [t('columnLocal', { zone }), o('columnLocal', { zone })], width: 84 },
      { header: [t('columnActor'), o('columnActor')], width: 58 },
      { header: [t('columnIp'), o('columnIp')], width: 68 },
      { header: [t('columnUserAgent'), o('columnUserAgent')], width: CONTENT_W - 96 - 84 - 84 - 58 - 68 },
    ];
    const pad = 3;
    // A cell is one or more paragraphs stacked: the value, or a label in both languages.
    type Cell = Array<{ layout: ParagraphLayout; color: Rgb }>;
    const cellHeight = (cell: Cell) =>
      cell.reduce((h, p) => h + p.layout.lines.length * out.lineHeight(p.layout), 0);
    const rowHeight = (cells: Cell[]) => Math.max(...cells.map(cellHeight)) + 2 * pad;
    const drawRow = (cells: Cell[], fill?: Rgb) => {
      const height = rowHeight(cells);
      if (fill) out.canvas.rect(out.x(0, CONTENT_W), PAGE_H - out.y - height, CONTENT_W, height, { fill });
      let offset = 0;
      cells.forEach((cell, i) => {
        const width = columns[i]?.width ?? 0;
        let top = out.y + pad;
        for (const p of cell) top += out.drawAt(p.layout, offset + pad, width - 2 * pad, top, p.color);
        offset += width;
      });
      out.y += height;
      out.rule();
    };
    const inner = (i: number) => (columns[i]?.width ?? 0) - 2 * pad;
    const bilingual = (
      i: number,
      [first, second]: [string, string],
      weight: 'regular' | 'bold' = 'regular',
    ) => [
      { layout: out.layout(first, inner(i), { size, weight }), color: INK },
      { layout: out.otherLanguage(second, inner(i), 7), color: MUTED },
    ];
    const headerCells = columns.map((c, i) => bilingual(i, c.header, 'bold'));
    out.ensure(rowHeight(headerCells) + 30);
    drawRow(headerCells, PANEL);
    const sorted = [...events].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
    for (const event of sorted) {
      const key: LabelKey | undefined = EVENT_KEY[event.type];
      let name: [string, string] = key ? [t(key), o(key)] : [String(event.type), String(event.type)];
      const outcome = event.data?.outcome;
      if (event.type === 'screening_result' && typeof outcome === 'string' && outcome in OUTCOME_KEY) {
        const outcomeKey = OUTCOME_KEY[outcome as keyof typeof OUTCOME_KEY];
        name = [`${name[0]}: ${t(outcomeKey)}`, `${name[1]}: ${o(outcomeKey)}`];
      }
      const detail = eventDetail(event);
      if (detail) name = [`${name[0]}: ${detail(t)}`, `${name[1]}: ${detail(o)}`];
      const actor = ACTOR_KEY[event.actor.kind] ?? 'actorAnonymous';
      const data = (i: number, value: string, maxLines?: number): Cell => [
        {
          layout: out.layout(value, inner(i), { size, direction: 'ltr', ...(maxLines ? { maxLines } : {}) }),
          color: INK,
        },
      ];
      // Staff are named by their (shortened) user id, never by name: the id is enough to look them up.
      const staffId =
        event.actor.kind === 'staff' && event.actor.id
          ? [
              {
                layout: out.layout(shortId(event.actor.id), inner(3), { size: 7, direction: 'ltr' }),
                color: INK,
              },
            ]
          : [];
      const cells: Cell[] = [
        bilingual(0, name),
        data(1, utcStamp(event.at).replace(' UTC', '')),
        data(2, localStamp(event.at, this.zone)),
        [...bilingual(3, [t(actor), o(actor)]), ...staffId],
        data(4, event.ip ?? '—', 2),
        data(5, event.userAgent ?? '—', 2),
      ];
      const before = out.pages.length;
      out.ensure(rowHeight(cells));
      // A table continued on a new page repeats its column headers.
      if (out.pages.length !== before) drawRow(headerCells, PANEL);
      drawRow(cells);
    }
  }
}
