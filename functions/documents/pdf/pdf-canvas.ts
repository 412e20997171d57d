import { createHash } from 'node:crypto';
import bidiFactory from 'bidi-js';
import type { Subset } from 'fontkit';
import { type PDFDocument, PDFHexString, type PDFImage, PDFName, type PDFPage, type PDFRef, PDFString } from 'pdf-lib';
import { type FaceId, faces } from './fonts';
import type { LaidOutLine } from './layout';
import type { ShapedGlyph } from './shaping';

/**
 * How glyphs get into the PDF, and why not through pdf-lib's own font API.
 *
 * pdf-lib's `PDFFont` takes characters: `encodeText(text)` runs fontkit's layout itself and its
 * subset embedder keys everything on that, so there is no way to hand it glyph ids that we shaped,
 * bidi-reordered and positioned (GPOS offsets) ourselves; reaching into `CustomFontSubsetEmbedder`
 * internals would tie us to private fields of one pdf-lib version. Instead this module embeds each face
 * itself, using only pdf-lib's public object model (`context.obj/register/flateStream/nextRef/assign`,
 * `PDFPageLeaf.setFontDictionary/setXObject/addContentStream`):
 *
 *  - a Type0 font, Encoding Identity-H, over a CIDFontType2 with CIDToGIDMap Identity, whose
 *    FontFile2 is an upstream-fontkit-2 subset (`createSubset().includeGlyph(gid)` → CID, `encode()`),
 *    so the CID we write in the content stream *is* the glyph id in the subset. Always a subset, with a
 *    deterministic six-letter tag (hash of the glyph set), so equal input gives byte-equal PDFs;
 *  - /W widths from hmtx for the CIDs used, and a ToUnicode CMap from each glyph's code points (good for
 *    Latin; contextual Arabic forms map back to their letter, detached dots map to nothing);
 *  - each line drawn as one BT/ET with a TJ array per run: the PDF pen advances by the /W width, and a
 *    TJ number moves it to the exact x from fontkit's layout (xAdvance + xOffset); vertical GPOS offsets
 *    (harakat, dots) use text rise (Ts). That is how mark placement survives although pdf-lib knows
 *    nothing of GPOS;
 *  - each line wrapped in `/Span <</ActualText (…)>> BDC … EMC` holding its logical Unicode text (UTF-16BE),
 *    so extraction and copy/paste give real words in reading order rather than presentation forms. We mark
 *    whole lines (not each bidi run) so an Arabic line with a Latin name in it extracts in logical order.
 *
 * With no use of pdf-lib's font embedding, pdf-lib's `registerFontkit` (and the `encodeStream` adapter it
 * would need for fontkit 2) is not needed at all.
 */
export type Rgb = readonly [number, number, number];

const FACE_RESOURCE: Record<FaceId, string> = {
  'latin-regular': 'F1',
  'latin-bold': 'F2',
  'arabic-regular': 'F3',
  'arabic-bold': 'F4',
};

interface FaceSubset {
  faceId: FaceId;
  ref: PDFRef;
  subset: Subset;
  gids: number[];
  widths: Map<number, number>;
  unicode: Map<number, string>;
}

/** Subset fonts of one document; `finalize()` writes them just before `save()`. */
export class EmbeddedFonts {
  private readonly used = new Map<FaceId, FaceSubset>();

  constructor(private readonly doc: PDFDocument) {}

  private subsetFor(faceId: FaceId): FaceSubset {
    let s = this.used.get(faceId);
    if (!s) {
      const f = faces()[faceId];
      s = {
        faceId,
        ref: this.doc.context.nextRef(),
        subset: f.font.createSubset(),
        gids: [],
        widths: new Map(),
        unicode: new Map(),
      };
      this.used.set(faceId, s);
    }
    return s;
  }

  ref(faceId: FaceId): PDFRef {
    return this.subsetFor(faceId).ref;
  }

  /** Advance of a CID in glyph space (thousandths of the font size), as written in /W. */
  width(faceId: FaceId, cid: number): number {
    return this.used.get(faceId)?.widths.get(cid) ?? 0;
  }

  /** What ToUnicode says this CID is (the first non-mark use of the glyph decides). */
  unicodeOf(faceId: FaceId, cid: number): string | undefined {
    return this.used.get(faceId)?.unicode.get(cid);
  }

  /** The CID (= subset glyph id) for a shaped glyph, adding it to the subset on first use. */
  cid(faceId: FaceId, glyph: ShapedGlyph, unitsPerEm: number): number {
    const s = this.subsetFor(faceId);
    const cid = s.subset.includeGlyph(glyph.id);
    if (!s.widths.has(cid)) {
      s.widths.set(cid, Math.round((glyph.advanceWidth * 1000) / unitsPerEm));
      s.gids.push(glyph.id);
    }
    if (!isAttached(glyph) && glyph.codePoints.length > 0 && !s.unicode.has(cid)) {
      s.unicode.set(cid, String.fromCodePoint(...glyph.codePoints));
    }
    return cid;
  }

  finalize(): void {
    const context = this.doc.context;
    for (const s of this.used.values()) {
      const f = faces()[s.faceId];
      const font = f.font;
      const k = 1000 / font.unitsPerEm;
      const bytes = s.subset.encode();
      const fontFile = context.register(context.flateStream(bytes, { Length1: bytes.length }));
      const baseFont = `${subsetTag(s)}+${font.postscriptName}`;
      const descriptor = context.register(
        context.obj({
          Type: 'FontDescriptor',
          FontName: baseFont,
          Flags: 4,
          FontBBox: [font.bbox.minX * k, font.bbox.minY * k, font.bbox.maxX * k, font.bbox.maxY * k].map(Math.round),
          ItalicAngle: font.italicAngle,
          Ascent: Math.round(font.ascent * k),
          Descent: Math.round(font.descent * k),
          CapHeight: Math.round((font.capHeight || font.ascent) * k),
          XHeight: Math.round((font.xHeight || 0) * k),
          StemV: f.weight === 'bold' ? 120 : 80,
          FontFile2: fontFile,
        }),
      );
      const cidFont = context.register(
        context.obj({
          Type: 'Font',
          Subtype: 'CIDFontType2',
          BaseFont: baseFont,
          CIDSystemInfo: { Registry: PDFString.of('Adobe'), Ordering: PDFString.of('Identity'), Supplement: 0 },
          FontDescriptor: descriptor,
          CIDToGIDMap: 'Identity',
          W: widthsArray(s.widths),
        }),
      );
      const toUnicode = context.register(context.flateStream(toUnicodeCmap(s.unicode)));
      context.assign(
        s.ref,
        context.obj({
          Type: 'Font',
          Subtype: 'Type0',
          BaseFont: baseFont,
          Encoding: 'Identity-H',
          DescendantFonts: [cidFont],
          ToUnicode: toUnicode,
        }),
      );
    }
  }
}

interface Placed {
  g: ShapedGlyph;
  x: number;
  rise: number;
  cid: number;
}

/**
 * Splits a word's glyphs (logical order) into clusters — a base glyph and the marks and dots after it —
 * each with the slice of the word's text it stands for. The slice lengths come from the glyphs' code
 * points; fontkit caches glyphs by id, so for a glyph shared by several letters (Noto draws ب ت ث ن ي
 * on one dotless body) the code points may name a sibling letter, but their *count* is right, and the
 * text itself always comes from the word. If the counts do not add up (an exotic ligature), the whole
 * word becomes one cluster.
 */
function clusters(placed: Placed[], text: string): Array<{ glyphs: Placed[]; text: string }> {
  const chars = Array.from(text);
  const out: Array<{ glyphs: Placed[]; text: string }> = [];
  let used = 0;
  for (const p of placed) {
    const last = out[out.length - 1];
    const n = p.g.codePoints.length;
    if (last && isAttached(p.g)) {
      last.glyphs.push(p);
      last.text += chars.slice(used, used + n).join('');
    } else {
      out.push({ glyphs: [p], text: chars.slice(used, used + n).join('') });
    }
    used += n;
  }
  if (used !== chars.length || out.length === 0) return [{ glyphs: placed, text }];
  return out;
}

const bidi = bidiFactory();

/**
 * How text extractors guess direction glyph by glyph (MuPDF's `guess_bidi_level`): strong and European
 * number classes decide, neutrals keep whatever came before.
 */
function inferDirection(ch: string, current: number): number {
  if (!ch) return current;
  switch (bidi.getBidiCharTypeName(ch)) {
    case 'L':
    case 'EN':
    case 'ES':
    case 'ET':
      return 0;
    case 'R':
    case 'AL':
    case 'AN':
      return 1;
    default:
      return current;
  }
}

/** The font's own zero-width LRM (U+200E) or RLM (U+200F) glyph. */
function directionMark(faceId: FaceId, direction: number): ShapedGlyph {
  const cp = direction === 1 ? 0x200f : 0x200e;
  const glyph = faces()[faceId].font.glyphForCodePoint(cp);
  return { id: glyph.id, advanceWidth: 0, xAdvance: 0, xOffset: 0, yOffset: 0, codePoints: [cp], isMark: false };
}

/** A mark or a detached dot: drawn on its base, extracted through the cluster's ActualText. */
function isAttached(g: ShapedGlyph): boolean {
  return g.codePoints.length === 0 || g.isMark;
}

/** Six capital letters derived from the face and its glyph set (PDF 32000 §9.6.4 subset tag). */
function subsetTag(s: FaceSubset): string {
  const digest = createHash('sha256').update(`${s.faceId}:${s.gids.join(',')}`).digest();
  let tag = '';
  for (let i = 0; i < 6; i++) tag += String.fromCharCode(65 + ((digest[i] ?? 0) % 26));
  return tag;
}

function widthsArray(widths: Map<number, number>): Array<number | number[]> {
  const cids = [...widths.keys()].sort((a, b) => a - b);
  const out: Array<number | number[]> = [];
  let group: number[] = [];
  let prev = -2;
  for (const cid of cids) {
    if (cid !== prev + 1) {
      if (group.length) out.push(group);
      out.push(cid);
      group = [];
    }
    group.push(widths.get(cid) ?? 0);
    prev = cid;
  }
  if (group.length) out.push(group);
  return out;
}

function hex4(n: number): string {
  return n.toString(16).padStart(4, '0').toUpperCase();
}

function utf16Hex(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) out += hex4(text.charCodeAt(i));
  return out;
}

function toUnicodeCmap(map: Map<number, string>): string {
  const entries = [...map.entries()].sort((a, b) => a[0] - b[0]);
  const chunks: string[] = [];
  for (let i = 0; i < entries.length; i += 100) {
    const part = entries.slice(i, i + 100);
    chunks.push(
      `${part.length} beginbfchar\n${part.map(([cid, text]) => `<${hex4(cid)}> <${utf16Hex(text)}>`).join('\n')}\nendbfchar`,
    );
  }
  return [
    '/CIDInit /ProcSet findresource begin',
    '12 dict begin',
    'begincmap',
    '/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def',
    '/CMapName /Adobe-Identity-UCS def',
    '/CMapType 2 def',
    '1 begincodespacerange',
    '<0000> <FFFF>',
    'endcodespacerange',
    ...chunks,
    'endcmap',
    'CMapName currentdict /CMap defineresource pop',
    'end',
    'end',
  ].join('\n');
}

/** Numbers in content streams: at most two decimals, no trailing zeros. */
export function num(n: number): string {
  const r = Math.round(n * 100) / 100;
  return Object.is(r, -0) ? '0' : String(r);
}

function color(c: Rgb): string {
  return `${num(c[0])} ${num(c[1])} ${num(c[2])}`;
}

/**
 * One page's drawing, in PDF coordinates (origin bottom-left, points). Operators are collected as text
 * and written as a single Flate-compressed content stream by `finish()`.
 */
export class PageCanvas {
  private readonly ops: string[] = [];
  private readonly fontsUsed = new Set<FaceId>();
  private readonly images = new Map<string, PDFRef>();

  constructor(
    readonly page: PDFPage,
    private readonly fonts: EmbeddedFonts,
  ) {}

  /**
   * Draws a laid-out line with its left edge at x and its baseline at y: one text object, words in
   * logical order (a right-to-left word back to front), every glyph at its exact shaped position.
   */
  text(line: LaidOutLine, x: number, y: number, size: number, opts: { color?: Rgb; skew?: number } = {}): void {
    if (line.runs.length === 0) return;
    const ops = this.ops;
    ops.push('BT', `${color(opts.color ?? [0, 0, 0])} rg`, `1 0 ${num(opts.skew ?? 0)} 1 ${num(x)} ${num(y)} Tm`);
    let face: FaceId | undefined;
    let pdfX = 0; // where the PDF pen stands after the last glyph shown, from the line origin
    let rise = 0;
    let array = '';
    const flush = () => {
      if (array) ops.push(`[${array}] TJ`);
      array = '';
    };
    const show = (placed: Placed[]) => {
      for (const { g, x: targetX, rise: targetRise, cid } of placed) {
        if (targetRise !== rise) {
          flush();
          ops.push(`${num(targetRise)} Ts`);
          rise = targetRise;
        }
        const adjust = Math.round(((targetX - pdfX) * 1000) / size);
        if (adjust !== 0) array += `${array ? ' ' : ''}${-adjust} `;
        array += `<${hex4(cid)}>`;
        pdfX += ((adjust + this.fonts.width(face ?? 'latin-regular', cid)) * size) / 1000;
      }
    };
    let reading = 0; // the direction an extractor infers from the last strong character (0 LTR, 1 RTL)
    for (const word of [...line.runs].sort((a, b) => a.start - b.start)) {
      if (word.glyphs.length === 0) continue;
      const wanted = word.rtl ? 1 : 0;
      const hint = wanted !== inferDirection(word.text.charAt(0), reading);
      if (word.faceId !== face) {
        flush();
        face = word.faceId;
        this.fontsUsed.add(face);
        ops.push(`/${FACE_RESOURCE[face]} ${num(size)} Tf`);
      }
      const k = size / word.unitsPerEm;
      let pen = word.x;
      const placed: Placed[] = word.glyphs.map((g) => {
        const at = {
          g,
          x: pen + g.xOffset * k,
          rise: Math.round(g.yOffset * k * 100) / 100,
          cid: this.fonts.cid(word.faceId, g, word.unitsPerEm),
        };
        pen += g.xAdvance * k;
        return at;
      });
      if (word.rtl) placed.reverse();
      const units = clusters(placed, word.text);
      const first = units[0]?.glyphs[0];
      if (hint && first) {
        // A neutral (space, comma, bracket, dash) opening a word of the other direction: readers that
        // infer direction from characters would glue it to the previous run. An invisible LRM/RLM
        // glyph (zero width, inside the cluster's ActualText) sets their direction first.
        const mark = directionMark(word.faceId, wanted);
        units[0]?.glyphs.unshift({ g: mark, x: first.x, rise: 0, cid: this.fonts.cid(word.faceId, mark, 1000) });
      }
      for (const ch of word.text) reading = inferDirection(ch, reading);
      for (const { glyphs, text } of units) {
        const actual = glyphs.length > 1 || this.fonts.unicodeOf(word.faceId, glyphs[0]?.cid ?? 0) !== text;
        if (actual) {
          flush();
          ops.push(`/Span <</ActualText <FEFF${utf16Hex(text)}>>> BDC`);
        }
        show(glyphs);
        if (actual) {
          flush();
          ops.push('EMC');
        }
      }
    }
    flush();
    if (rise !== 0) ops.push('0 Ts');
    ops.push('ET');
  }

  rect(x: number, y: number, w: number, h: number, opts: { fill?: Rgb; stroke?: Rgb; lineWidth?: number }): void {
    const parts = ['q'];
    if (opts.fill) parts.push(`${color(opts.fill)} rg`);
    if (opts.stroke) parts.push(`${color(opts.stroke)} RG`, `${num(opts.lineWidth ?? 0.5)} w`);
    parts.push(`${num(x)} ${num(y)} ${num(w)} ${num(h)} re`);
    parts.push(opts.fill && opts.stroke ? 'B' : opts.fill ? 'f' : 'S', 'Q');
    this.ops.push(parts.join(' '));
  }

  line(x1: number, y1: number, x2: number, y2: number, stroke: Rgb, lineWidth = 0.5): void {
    this.ops.push(
      `q ${color(stroke)} RG ${num(lineWidth)} w ${num(x1)} ${num(y1)} m ${num(x2)} ${num(y2)} l S Q`,
    );
  }

  /** A polyline (e.g. a check mark), stroked with round joins. */
  polyline(points: Array<[number, number]>, stroke: Rgb, lineWidth: number): void {
    const [first, ...rest] = points;
    if (!first) return;
    const path = [`${num(first[0])} ${num(first[1])} m`, ...rest.map(([px, py]) => `${num(px)} ${num(py)} l`)];
    this.ops.push(`q ${color(stroke)} RG ${num(lineWidth)} w 1 J 1 j ${path.join(' ')} S Q`);
  }

  image(img: PDFImage, x: number, y: number, w: number, h: number): void {
    const name = `Im${this.images.size + 1}`;
    let key = name;
    for (const [k, ref] of this.images) if (ref === img.ref) key = k;
    if (key === name) this.images.set(name, img.ref);
    this.ops.push(`q ${num(w)} 0 0 ${num(h)} ${num(x)} ${num(y)} cm /${key} Do Q`);
  }

  /** Writes the content stream and the page resources. Call once, after all drawing. */
  finish(): void {
    const context = this.page.doc.context;
    const node = this.page.node;
    for (const faceId of this.fontsUsed) node.setFontDictionary(PDFName.of(FACE_RESOURCE[faceId]), this.fonts.ref(faceId));
    for (const [name, ref] of this.images) node.setXObject(PDFName.of(name), ref);
    node.addContentStream(context.register(context.flateStream(this.ops.join('\n'))));
  }
}

/** A string for the document info dictionary. */
export function infoString(text: string): PDFHexString {
  return PDFHexString.fromText(text);
}
