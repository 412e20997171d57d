import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import bidiFactory from 'bidi-js';
import type { Subset } from 'fontkit';
import {
  type PDFContext,
  type PDFDocument,
  PDFName,
  type PDFPage,
  PDFRawStream,
  type PDFRef,
  PDFString,
} from 'pdf-lib';
import { type FaceId, faces } from './fonts';
import type { LaidOutLine } from './layout';
import { isDefaultIgnorable, type ShapedGlyph } from './shaping';

/**
 * How shaped glyphs get into the PDF, and why not through pdf-lib's font API.
 *
 * pdf-lib's `PDFFont` takes characters: `encodeText(text)` runs fontkit's layout itself and its subset
 * embedder keys everything on that, so there is no way to hand it glyph ids that we shaped, reordered
 * (bidi) and positioned (GPOS) ourselves; patching `CustomFontSubsetEmbedder` would tie us to private
 * fields of one pdf-lib version. So this module embeds each face itself with pdf-lib's public object
 * model only (`context.obj/register/nextRef/assign`, `PDFRawStream`, `PDFPageLeaf.setFontDictionary/
 * setXObject/addContentStream`). pdf-lib's `registerFontkit` (and the `encodeStream` adapter fontkit 2
 * would need) is therefore not used at all.
 *
 *  - Fonts: Type0, Identity-H, over a CIDFontType2 with CIDToGIDMap Identity. FontFile2 is an upstream
 *    fontkit 2 subset (`createSubset().includeGlyph(gid)` gives the CID, `encode()` the bytes), so the CID
 *    in the content stream is the subset's glyph id. Always subset; the six-letter tag is a hash of the
 *    glyph list, so the same document gives the same bytes. /W from hmtx; ToUnicode per glyph (below).
 *  - Glyphs: each line starts with a Td (consecutive lines share a text object, see PageCanvas); words
 *    in logical order (an Arabic word back to front), each glyph moved by a TJ number to the exact x of
 *    fontkit's layout (xAdvance, xOffset) — the PDF pen itself advances by the /W width — and raised by
 *    text rise (Ts) for vertical GPOS offsets. That is how the dots and harakat land where GPOS puts
 *    them, though pdf-lib knows nothing of GPOS. Glyph codes are written as literal strings of raw bytes.
 *  - Text for copy/paste and extraction: ToUnicode maps each glyph to the text of its first use. Where
 *    that is not the truth — Noto draws the dots of ب ت ث ي ن ز as separate mark glyphs, one dotless body
 *    serves several letters, brackets are mirrored in Arabic, harakat — the cluster (base glyph and its
 *    marks) is wrapped in `/Span <</ActualText <UTF-16BE>>> BDC … EMC` with its logical characters.
 *    ActualText is kept to clusters on purpose: extractors map it onto the glyphs inside the span one by
 *    one (MuPDF does, by position), so a span over a whole shaped Arabic line or word came out scrambled
 *    or duplicated in our trials, while per-cluster spans in logical order extract as whole words.
 *  - Direction hints: extractors guess direction per character, and a neutral (space, comma, bracket)
 *    keeps the previous guess; where a run of the other direction starts with one, an invisible (render
 *    mode 3) LRM/RLM glyph inside its ActualText sets the guess first, so mixed lines stay in one line.
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

  /** The CID (= subset glyph id) for a glyph, adding it to the subset on first use. */
  cid(faceId: FaceId, glyph: ShapedGlyph): number {
    const s = this.subsetFor(faceId);
    const cid = s.subset.includeGlyph(glyph.id);
    if (!s.widths.has(cid)) {
      s.widths.set(cid, pdfWidth(faceId, glyph));
      s.gids.push(glyph.id);
    }
    return cid;
  }

  /**
   * What ToUnicode maps this CID to. The first text a glyph stands for in the document wins; a later use
   * for another letter (Noto draws ر and ز, ى and ي on one body) gets its own ActualText instead.
   */
  unicodeFor(faceId: FaceId, cid: number, text: string): string {
    const unicode = this.subsetFor(faceId).unicode;
    const known = unicode.get(cid);
    if (known !== undefined) return known;
    unicode.set(cid, text);
    return text;
  }

  finalize(): void {
    const context = this.doc.context;
    for (const s of this.used.values()) {
      const f = faces()[s.faceId];
      const font = f.font;
      const k = 1000 / font.unitsPerEm;
      const fontFile = context.register(subsetStream(context, s));
      const baseFont = `${subsetTag(s)}+${font.postscriptName}`;
      const descriptor = context.register(
        context.obj({
          Type: 'FontDescriptor',
          FontName: baseFont,
          Flags: 4,
          FontBBox: [font.bbox.minX * k, font.bbox.minY * k, font.bbox.maxX * k, font.bbox.maxY * k].map(
            Math.round,
          ),
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
          CIDSystemInfo: {
            Registry: PDFString.of('Adobe'),
            Ordering: PDFString.of('Identity'),
            Supplement: 0,
          },
          FontDescriptor: descriptor,
          CIDToGIDMap: 'Identity',
          W: widthsArray(s.widths),
        }),
      );
      const toUnicode = context.register(flateStream(context, toUnicodeCmap(s.unicode)));
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
  /** From the line origin, in thousandths of the font size. */
  x: number;
  rise: number;
}

/** A line's glyph program: text operators, glyphs with their TJ adjustment, and cluster brackets. */
type Part =
  | { kind: 'op'; op: string }
  | { kind: 'font'; face: FaceId; size: number }
  | { kind: 'glyph'; face: FaceId; glyph: ShapedGlyph; adjust: number; unicode?: string }
  | { kind: 'open'; face: FaceId; glyph: ShapedGlyph; text: string; baseText: string; forced: boolean }
  | { kind: 'close' };

const compiled = new WeakMap<LaidOutLine, Map<number, Part[]>>();

function compile(line: LaidOutLine, size: number): Part[] {
  let bySize = compiled.get(line);
  if (!bySize) {
    bySize = new Map();
    compiled.set(line, bySize);
  }
  let parts = bySize.get(size);
  if (!parts) {
    parts = compileLine(line, size);
    bySize.set(size, parts);
  }
  return parts;
}

/**
 * One text object for the line: words in logical order (a right-to-left word back to front), each
 * glyph moved to its exact shaped position by a TJ adjustment (the PDF pen advances by the /W width),
 * vertical GPOS offsets as text rise. Clusters whose glyphs do not map one-to-one to characters are
 * bracketed for an ActualText span (see the module comment).
 */
function compileLine(line: LaidOutLine, size: number): Part[] {
  const parts: Part[] = [];
  let face: FaceId | undefined;
  // Horizontal positions are kept in thousandths of the font size (TJ units), as integers: the same
  // pair of glyphs then always gets the same adjustment, which compresses far better than ±1 noise.
  let pdfX = 0; // where the PDF pen stands after the last glyph shown, from the line origin
  let rise = 0;
  let reading = 0; // the direction an extractor infers from the last strong character (0 LTR, 1 RTL)
  const show = (faceId: FaceId, placed: Placed, unicode?: string) => {
    if (placed.rise !== rise) {
      parts.push({ kind: 'op', op: `${num(placed.rise)} Ts` });
      rise = placed.rise;
    }
    const adjust = Math.round(placed.x - pdfX);
    parts.push({ kind: 'glyph', face: faceId, glyph: placed.g, adjust, ...(unicode ? { unicode } : {}) });
    pdfX += adjust + pdfWidth(faceId, placed.g);
  };
  for (const word of [...line.runs].sort((a, b) => a.start - b.start)) {
    if (word.glyphs.length === 0) continue;
    if (word.faceId !== face) {
      face = word.faceId;
      parts.push({ kind: 'font', face, size });
    }
    const k = size / word.unitsPerEm;
    const u = 1000 / word.unitsPerEm; // font units → TJ units
    let pen = Math.round((word.x * 1000) / size);
    const placed: Placed[] = word.glyphs.map((g) => {
      // Vertical GPOS offsets to 0.1 pt; the hair-line nudges some dots get are not worth a Ts each.
      const r = g.yOffset * k;
      const at = { g, x: pen + g.xOffset * u, rise: Math.abs(r) < 0.15 ? 0 : Math.round(r * 10) / 10 };
      pen += g.xAdvance * u;
      return at;
    });
    if (word.rtl) placed.reverse();
    // Bidi controls, ZWJ and friends are zero-width and say nothing: not drawn at all.
    const units = clusters(placed, word.text).filter((c) => !isInvisible(c.text));
    if (units.length === 0) continue;
    const wanted = word.rtl ? 1 : 0;
    const visibleText = units.map((u) => u.text).join('');
    const needsHint = wanted !== inferDirection(visibleText.charAt(0), reading);
    if (needsHint) reading = wanted;
    for (const ch of visibleText) reading = inferDirection(ch, reading);
    units.forEach((unit, n) => {
      const [base] = unit.glyphs;
      if (!base) return;
      const hint = n === 0 && needsHint;
      const baseText = Array.from(unit.text).slice(0, Math.max(base.g.codePoints.length, 1)).join('');
      parts.push({
        kind: 'open',
        face: word.faceId,
        glyph: base.g,
        text: unit.text,
        baseText,
        forced: hint || unit.glyphs.length > 1,
      });
      if (hint) {
        // A neutral (space, comma, bracket, dash) opening a word of the other direction: readers that
        // infer direction character by character would glue it to the previous run. The font's
        // LRM/RLM glyph, shown invisibly (render mode 3) inside the ActualText, sets it first.
        parts.push({ kind: 'op', op: '3 Tr' });
        const mark = directionMark(word.faceId, wanted);
        show(word.faceId, { g: mark, x: base.x, rise }, String.fromCodePoint(...mark.codePoints));
        parts.push({ kind: 'op', op: '0 Tr' });
      }
      for (const p of unit.glyphs) show(word.faceId, p);
      if (unit.glyphs.length > 1) {
        // Extractors give the ActualText the span from the first glyph's origin to the last one's end;
        // ending on a mark would cut the cluster short (Poppler then sees a gap and adds a space). A
        // zero-width, empty ZWSP glyph at the base's far edge closes the span there.
        show(word.faceId, { g: zeroWidth(word.faceId), x: base.x + base.g.xAdvance * u, rise });
      }
      parts.push({ kind: 'close' });
    });
  }
  if (rise !== 0) parts.push({ kind: 'op', op: '0 Ts' });
  return parts;
}

/** A glyph's advance as written in /W (thousandths of an em). */
function pdfWidth(faceId: FaceId, glyph: ShapedGlyph): number {
  return Math.round((glyph.advanceWidth * 1000) / faces()[faceId].font.unitsPerEm);
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

function isInvisible(text: string): boolean {
  if (!text) return false;
  for (const ch of text) if (!isDefaultIgnorable(ch.codePointAt(0) ?? 0)) return false;
  return true;
}

/** The font's ZWSP glyph: no outline, no advance (checked for all four faces in the tests). */
function zeroWidth(faceId: FaceId): ShapedGlyph {
  const glyph = faces()[faceId].font.glyphForCodePoint(0x200b);
  return {
    id: glyph.id,
    advanceWidth: 0,
    xAdvance: 0,
    xOffset: 0,
    yOffset: 0,
    codePoints: [],
    isMark: false,
  };
}

/** The font's own zero-width LRM (U+200E) or RLM (U+200F) glyph. */
function directionMark(faceId: FaceId, direction: number): ShapedGlyph {
  const cp = direction === 1 ? 0x200f : 0x200e;
  const glyph = faces()[faceId].font.glyphForCodePoint(cp);
  return {
    id: glyph.id,
    advanceWidth: 0,
    xAdvance: 0,
    xOffset: 0,
    yOffset: 0,
    codePoints: [cp],
    isMark: false,
  };
}

/** A mark or a detached dot: drawn on its base, extracted through the cluster's ActualText. */
function isAttached(g: ShapedGlyph): boolean {
  return g.codePoints.length === 0 || g.isMark;
}

/**
 * A Flate stream compressed with Node's zlib: pdf-lib's own `flateStream` uses pako, which took about
 * half of the render time. Level 9: it saves ~1.2 KB over level 7 on the bilingual final version, which
 * has to stay within its size budget (issue 4), for a few milliseconds per document.
 */
export function flateStream(context: PDFContext, contents: string | Uint8Array): PDFRawStream {
  const bytes = typeof contents === 'string' ? Buffer.from(contents, 'latin1') : contents;
  return PDFRawStream.of(context.obj({ Filter: 'FlateDecode' }), deflateSync(bytes, { level: 9 }));
}

// Encoded and compressed subsets by face and glyph list: the same template gives the same glyph set,
// so warm renders skip fontkit's encoder. Small, and dropped wholesale when full.
const subsetCache = new Map<string, { compressed: Uint8Array; length: number }>();

function subsetStream(context: PDFContext, s: FaceSubset): PDFRawStream {
  const key = `${s.faceId}:${s.gids.join(',')}`;
  let hit = subsetCache.get(key);
  if (!hit) {
    const bytes = s.subset.encode();
    hit = { compressed: deflateSync(bytes, { level: 9 }), length: bytes.length };
    if (subsetCache.size >= 32) subsetCache.clear();
    subsetCache.set(key, hit);
  }
  return PDFRawStream.of(context.obj({ Filter: 'FlateDecode', Length1: hit.length }), hit.compressed);
}

/** Six capital letters derived from the face and its glyph set (PDF 32000 §9.6.4 subset tag). */
function subsetTag(s: FaceSubset): string {
  const digest = createHash('sha256')
    .update(`${s.faceId}:${s.gids.join(',')}`)
    .digest();
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
