import { PDFName, type PDFPage, type PDFRef } from 'pdf-lib';
import type { EmbeddedFonts } from './font-embedding';
import type { FaceId } from './fonts';
import { compile } from './glyph-run';
import type { LaidOutLine } from './layout';
import { flateStream, num } from './pdf-streams';

export type Rgb = readonly [number, number, number];

const FACE_RESOURCE: Record<FaceId, string> = {
  'latin-regular': 'F1',
  'latin-bold': 'F2',
  'arabic-regular': 'F3',
  'arabic-bold': 'F4',
};
/** Two bytes, big-endian, as two latin1 characters (content streams are written as latin1). */
function bytes2(n: number): string {
  return String.fromCharCode((n >> 8) & 0xff, n & 0xff);
}

/** The latin1 characters of UTF-16BE text with its byte-order mark (ActualText). */
function utf16Bytes(text: string): string {
  let out = '\u00fe\u00ff';
  for (let i = 0; i < text.length; i++) out += bytes2(text.charCodeAt(i));
  return out;
}

/**
 * A PDF literal string of raw bytes (latin1 characters): half the size of the hex form. Only the
 * delimiters, the backslash and the line ends are escaped (a raw CR would read as LF, PDF 32000 §7.3.4.2).
 */
function literal(raw: string): string {
  return `(${raw.replace(/[()\\\r\n]/g, (c) => (c === '\r' ? '\\r' : c === '\n' ? '\\n' : `\\${c}`))})`;
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

function color(c: Rgb): string {
  return `${num(c[0])} ${num(c[1])} ${num(c[2])}`;
}

/**
 * One page's drawing, in PDF coordinates (origin bottom-left, points). Operators are collected as text
 * and written as a single Flate-compressed content stream by `finish()`.
 *
 * Written compactly, because the bilingual final version has a size budget (issue 4): consecutive text
 * lines share one text object and move by `Td` relative to the previous line (a repeated line step
 * compresses to almost nothing, absolute positions do not); glyph codes are literal strings of raw
 * bytes, consecutive glyphs in one string; colour and font are written only when they change.
 */
export class PageCanvas {
  private readonly ops: string[] = [];
  private readonly fontsUsed = new Set<FaceId>();
  private readonly images = new Map<string, PDFRef>();
  private fill: string | undefined;
  private font: string | undefined;
  /** Inside a text object (BT without its ET yet), and where its current line starts (rounded). */
  private inText = false;
  private lineX = 0;
  private lineY = 0;

  constructor(
    readonly page: PDFPage,
    private readonly fonts: EmbeddedFonts,
  ) {}

  /**
   * Draws a laid-out line with its left edge at x and its baseline at y. The glyph program (order,
   * TJ adjustments, rises, cluster boundaries) is compiled once per line and size and cached; only
   * CIDs and the ActualText decisions depend on the document.
   */
  text(
    line: LaidOutLine,
    x: number,
    y: number,
    size: number,
    opts: { color?: Rgb; skew?: number } = {},
  ): void {
    if (line.runs.length === 0) return;
    const ops = this.ops;
    const fonts = this.fonts;
    const skew = opts.skew ?? 0;
    // Colour and font are graphics state: they persist across text objects (and q/Q restores them),
    // so they are written only when they change.
    const fill = color(opts.color ?? [0, 0, 0]);
    if (skew !== 0) {
      // A slanted line (typed signature) gets a text object of its own with a full matrix.
      this.endText();
      ops.push('BT', `1 0 ${num(skew)} 1 ${num(x)} ${num(y)} Tm`);
    } else {
      if (!this.inText) {
        ops.push('BT');
        this.inText = true;
        this.lineX = 0;
        this.lineY = 0;
      }
      // Td moves the start of the line relative to the previous one; from rounded positions, so the
      // rounding never accumulates.
      const rx = round2(x);
      const ry = round2(y);
      ops.push(`${num(rx - this.lineX)} ${num(ry - this.lineY)} Td`);
      this.lineX = rx;
      this.lineY = ry;
    }
    if (fill !== this.fill) ops.push(`${fill} rg`);
    this.fill = fill;
    // The TJ array being built: finished items, and the glyph bytes of the string in progress.
    let array = '';
    let glyphs = '';
    const flushString = () => {
      if (glyphs) array += literal(glyphs);
      glyphs = '';
    };
    const flushArray = () => {
      flushString();
      if (array) ops.push(`[${array}]TJ`);
      array = '';
    };
    const open: boolean[] = [];
    for (const part of compile(line, size)) {
      switch (part.kind) {
        case 'op':
          flushArray();
          ops.push(part.op);
          break;
        case 'font': {
          const font = `/${FACE_RESOURCE[part.face]} ${num(part.size)} Tf`;
          if (font === this.font) break;
          flushArray();
          this.fontsUsed.add(part.face);
          ops.push(font);
          this.font = font;
          break;
        }
        case 'glyph': {
          const cid = fonts.cid(part.face, part.glyph);
          if (part.unicode) fonts.unicodeFor(part.face, cid, part.unicode);
          if (part.adjust !== 0) {
            flushString();
            array += `${-part.adjust}`;
          }
          glyphs += bytes2(cid);
          break;
        }
        case 'open': {
          const cid = fonts.cid(part.face, part.glyph);
          // Every base glyph gets a ToUnicode entry (the first use wins), also inside ActualText spans:
          // extractors guess the reading direction from it, and a glyph without one reads as neutral.
          const actual = fonts.unicodeFor(part.face, cid, part.baseText) !== part.text || part.forced;
          open.push(actual);
          if (actual) {
            flushArray();
            ops.push(`/Span<</ActualText${literal(utf16Bytes(part.text))}>>BDC`);
          }
          break;
        }
        case 'close':
          if (open.pop()) {
            flushArray();
            ops.push('EMC');
          }
          break;
      }
    }
    flushArray();
    if (skew !== 0) ops.push('ET');
  }

  /** Ends the open text object, if any: path and image operators are not allowed inside one. */
  private endText(): void {
    if (!this.inText) return;
    this.ops.push('ET');
    this.inText = false;
  }

  rect(
    x: number,
    y: number,
    w: number,
    h: number,
    opts: { fill?: Rgb; stroke?: Rgb; lineWidth?: number },
  ): void {
    this.endText();
    const parts = ['q'];
    if (opts.fill) parts.push(`${color(opts.fill)} rg`);
    if (opts.stroke) parts.push(`${color(opts.stroke)} RG`, `${num(opts.lineWidth ?? 0.5)} w`);
    parts.push(`${num(x)} ${num(y)} ${num(w)} ${num(h)} re`);
    parts.push(opts.fill && opts.stroke ? 'B' : opts.fill ? 'f' : 'S', 'Q');
    this.ops.push(parts.join(' '));
  }

  line(x1: number, y1: number, x2: number, y2: number, stroke: Rgb, lineWidth = 0.5): void {
    this.endText();
    this.ops.push(
      `q ${color(stroke)} RG ${num(lineWidth)} w ${num(x1)} ${num(y1)} m ${num(x2)} ${num(y2)} l S Q`,
    );
  }

  /** A polyline (e.g. a check mark), stroked with round joins. */
  polyline(points: Array<[number, number]>, stroke: Rgb, lineWidth: number): void {
    const [first, ...rest] = points;
    if (!first) return;
    this.endText();
    const path = [
      `${num(first[0])} ${num(first[1])} m`,
      ...rest.map(([px, py]) => `${num(px)} ${num(py)} l`),
    ];
    this.ops.push(`q ${color(stroke)} RG ${num(lineWidth)} w 1 J 1 j ${path.join(' ')} S Q`);
  }

  image(img: { ref: PDFRef }, x: number, y: number, w: number, h: number): void {
    this.endText();
    const name = `Im${this.images.size + 1}`;
    let key = name;
    for (const [k, ref] of this.images) if (ref === img.ref) key = k;
    if (key === name) this.images.set(name, img.ref);
    this.ops.push(`q ${num(w)} 0 0 ${num(h)} ${num(x)} ${num(y)} cm /${key} Do Q`);
  }

  /** Writes the content stream and the page resources. Call once, after all drawing. */
  finish(): void {
    this.endText();
    const context = this.page.doc.context;
    const node = this.page.node;
    for (const faceId of this.fontsUsed)
      node.setFontDictionary(PDFName.of(FACE_RESOURCE[faceId]), this.fonts.ref(faceId));
    for (const [name, ref] of this.images) node.setXObject(PDFName.of(name), ref);
    node.addContentStream(context.register(flateStream(context, this.ops.join('\n'))));
  }
}
