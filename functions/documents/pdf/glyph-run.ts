import bidiFactory from 'bidi-js';
import { pdfWidth } from './font-embedding';
import { type FaceId, faces } from './fonts';
import type { LaidOutLine } from './layout';
import { num } from './pdf-streams';
import { isDefaultIgnorable, type ShapedGlyph } from './shaping';

/**
 * A line's glyph program: how shaped glyphs are written into a content stream (the fonts they refer
 * to: font-embedding.ts).
 *
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

interface Placed {
  g: ShapedGlyph;
  /** From the line origin, in thousandths of the font size. */
  x: number;
  rise: number;
}

/** A line's glyph program: text operators, glyphs with their TJ adjustment, and cluster brackets. */
export type Part =
  | { kind: 'op'; op: string }
  | { kind: 'font'; face: FaceId; size: number }
  | { kind: 'glyph'; face: FaceId; glyph: ShapedGlyph; adjust: number; unicode?: string }
  | { kind: 'open'; face: FaceId; glyph: ShapedGlyph; text: string; baseText: string; forced: boolean }
  | { kind: 'close' };

const compiled = new WeakMap<LaidOutLine, Map<number, Part[]>>();

export function compile(line: LaidOutLine, size: number): Part[] {
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
  return invisibleGlyph(faceId, 0x200b, []);
}

/** The font's own zero-width LRM (U+200E) or RLM (U+200F) glyph. */
function directionMark(faceId: FaceId, direction: number): ShapedGlyph {
  const cp = direction === 1 ? 0x200f : 0x200e;
  return invisibleGlyph(faceId, cp, [cp]);
}

/** The font's glyph for `cp`, placed with no advance, standing for `codePoints`. */
function invisibleGlyph(faceId: FaceId, cp: number, codePoints: number[]): ShapedGlyph {
  const glyph = faces()[faceId].font.glyphForCodePoint(cp);
  return { id: glyph.id, advanceWidth: 0, xAdvance: 0, xOffset: 0, yOffset: 0, codePoints, isMark: false };
}

/** A mark or a detached dot: drawn on its base, extracted through the cluster's ActualText. */
function isAttached(g: ShapedGlyph): boolean {
  return g.codePoints.length === 0 || g.isMark;
}
