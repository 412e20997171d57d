import type { PDFDocument } from 'pdf-lib';
import type { Locale } from '../../domain/template';
import type { EmbeddedFonts } from './font-embedding';
import { type Labels, labelsFor } from './labels';
import {
  autoDirection,
  type Direction,
  fitLine,
  type LaidOutLine,
  layoutParagraph,
  type ParagraphLayout,
} from './layout';
import { PageCanvas, type Rgb } from './page-canvas';
import {
  ACCENT,
  BODY,
  CONTENT_BOTTOM,
  CONTENT_W,
  FIELD_GAP,
  FIELD_LABEL_W,
  INK,
  MARGIN,
  MUTED,
  PAGE_H,
  PAGE_W,
  PATIENT_NAME_BOXES,
  RULE,
  SMALL,
} from './style';

interface TextOptions {
  size?: number;
  weight?: 'regular' | 'bold';
  color?: Rgb;
  /** Bidi base direction; defaults to the section's. Data values (phones, ids, times) pass 'ltr'. */
  direction?: Direction;
  maxLines?: number;
}

/** A label/value row of `Composer.fields`. */
export interface FieldRow {
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
export class Composer {
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
    rows: FieldRow[],
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
