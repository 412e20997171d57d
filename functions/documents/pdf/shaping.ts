import bidiFactory, { type EmbeddingLevels } from 'bidi-js';
import type { GlyphRun } from 'fontkit';
import { type Face, type FaceId, face, type Script, type Weight } from './fonts';

/**
 * Text preparation and shaping, independent of pdf-lib:
 *  - `prepareText` cleans a string (control characters out, line breaks to spaces, characters no bundled
 *    font has become '?'), picks a font per character (Arabic script → Noto Sans Arabic, the rest → Noto
 *    Sans, each falling back to the other) and resolves the Unicode bidi embedding levels (bidi-js);
 *  - `shapeRun` shapes one run (single font, single direction) with fontkit's `layout()`, which applies
 *    GSUB (joining forms, ligatures) and GPOS (kerning, mark placement of dots and harakat). Results are
 *    cached per process: template texts are the same in every document, so warm renders mostly hit it.
 */
export type Direction = 'ltr' | 'rtl';

const bidi = bidiFactory();

/** One shaped glyph in font units, in visual (left-to-right) order within its run. */
export interface ShapedGlyph {
  id: number;
  /** Advance the PDF viewer applies for this glyph (hmtx), used to compute TJ adjustments. */
  advanceWidth: number;
  xAdvance: number;
  xOffset: number;
  yOffset: number;
  codePoints: number[];
  isMark: boolean;
}

export interface ShapedRun {
  faceId: FaceId;
  glyphs: ShapedGlyph[];
  /** Sum of xAdvance, font units. */
  advance: number;
  unitsPerEm: number;
}

/** A string cleaned and analysed once; line breaking and drawing work on UTF-16 indices into `text`. */
export interface PreparedText {
  text: string;
  /** Script of the font chosen for each UTF-16 unit. */
  scripts: Script[];
  levels: EmbeddingLevels;
  direction: Direction;
  /** Characters replaced by '?' because no bundled font has them. */
  missing: string[];
}

const REPLACEMENT = '?';

// Characters fontkit hides (zero width) instead of drawing; they stay in the text for bidi and joining.
export function isDefaultIgnorable(cp: number): boolean {
  return (
    cp === 0x00ad ||
    cp === 0x034f ||
    cp === 0x061c ||
    (cp >= 0x17b4 && cp <= 0x17b5) ||
    (cp >= 0x180b && cp <= 0x180e) ||
    (cp >= 0x200b && cp <= 0x200f) ||
    (cp >= 0x202a && cp <= 0x202e) ||
    (cp >= 0x2060 && cp <= 0x206f) ||
    (cp >= 0xfe00 && cp <= 0xfe0f) ||
    cp === 0xfeff ||
    (cp >= 0xfff0 && cp <= 0xfff8) ||
    (cp >= 0xe0000 && cp <= 0xe0fff)
  );
}

const LINE_BREAKS = /\r\n|[\r\n\t\v\f\u0085\u2028\u2029]/g;
// C0/C1 controls that remain after line breaks became spaces.
const CONTROLS = /\p{Cc}/gu;
const ARABIC = /\p{Script=Arabic}/u;
const MARK = /\p{M}/u;
// Common and Inherited script: spaces, digits, punctuation, symbols — they take a neighbour's font.
const NEUTRAL = /[\p{Script=Common}\p{Script=Inherited}]/u;

/**
 * Cleans user or template text for one paragraph: CR/LF/tabs become spaces, other control characters
 * go, runs of spaces collapse, unpaired surrogates and characters no font has become '?'.
 */
export function sanitize(input: string): { text: string; missing: string[] } {
  const text = input.replace(LINE_BREAKS, ' ').replace(CONTROLS, '').normalize('NFC');
  const missing: string[] = [];
  let out = '';
  let lastSpace = true; // trims leading spaces
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    if (ch === ' ' || cp === 0x00a0 || (cp >= 0x2000 && cp <= 0x200a) || cp === 0x3000) {
      if (!lastSpace) out += ' ';
      lastSpace = true;
      continue;
    }
    lastSpace = false;
    if (isDefaultIgnorable(cp)) {
      out += ch;
    } else if ((cp >= 0xd800 && cp <= 0xdfff) || !(covers('latin', cp) || covers('arabic', cp))) {
      missing.push(ch);
      out += REPLACEMENT;
    } else {
      out += ch;
    }
  }
  return { text: out.trimEnd(), missing };
}

function covers(script: Script, cp: number): boolean {
  return (
    face(script, 'regular').font.hasGlyphForCodePoint(cp) &&
    face(script, 'bold').font.hasGlyphForCodePoint(cp)
  );
}

/**
 * Font per UTF-16 unit. Letters pick by script; marks follow their base; neutrals (spaces, digits,
 * punctuation, format characters) follow the preceding letter, else the following one, else the
 * paragraph's own script — so "ليلى (2)" keeps the brackets in the Arabic font and "Layla, 2" in Latin.
 */
function chooseScripts(text: string, direction: Direction): Script[] {
  const scripts: (Script | undefined)[] = new Array(text.length);
  const cps: number[] = new Array(text.length).fill(-1);
  const other = (s: Script): Script => (s === 'latin' ? 'arabic' : 'latin');
  for (let i = 0; i < text.length; ) {
    const cp = text.codePointAt(i) ?? 0;
    const ch = String.fromCodePoint(cp);
    cps[i] = cp;
    if (!NEUTRAL.test(ch) && !isDefaultIgnorable(cp)) {
      const preferred: Script = ARABIC.test(ch) ? 'arabic' : 'latin';
      scripts[i] = covers(preferred, cp) ? preferred : other(preferred);
    }
    i += ch.length;
  }
  const fallback: Script = direction === 'rtl' ? 'arabic' : 'latin';
  // Forward pass: neutrals and marks take the previous choice when that font has them.
  let previous: Script | undefined;
  for (let i = 0; i < text.length; i++) {
    const cp = cps[i] ?? -1;
    if (cp < 0) continue;
    const ch = String.fromCodePoint(cp);
    const assigned = scripts[i];
    if (assigned && !MARK.test(ch)) {
      previous = assigned;
      continue;
    }
    if (previous && (isDefaultIgnorable(cp) || covers(previous, cp))) scripts[i] = previous;
    else if (assigned) previous = assigned;
  }
  // Backward pass for leading neutrals, then the paragraph's script, then whichever font has it.
  let next: Script | undefined;
  for (let i = text.length - 1; i >= 0; i--) {
    const cp = cps[i] ?? -1;
    if (cp < 0) continue;
    if (scripts[i]) {
      next = scripts[i];
      continue;
    }
    let chosen: Script = next && (isDefaultIgnorable(cp) || covers(next, cp)) ? next : fallback;
    if (!isDefaultIgnorable(cp) && !covers(chosen, cp)) chosen = other(chosen);
    scripts[i] = chosen;
  }
  // Low surrogates share their high surrogate's font.
  for (let i = 0; i < text.length; i++) {
    if (cps[i] === -1) scripts[i] = scripts[i - 1] ?? fallback;
  }
  return scripts as Script[];
}

const preparedCache = new Map<string, PreparedText>();

/** Cleans, itemises by font and resolves bidi levels for one paragraph (cached per process). */
export function prepareText(input: string, direction: Direction): PreparedText {
  const key = `${direction}\u0000${input}`;
  const hit = preparedCache.get(key);
  if (hit) return hit;
  const { text, missing } = sanitize(input);
  const prepared: PreparedText = {
    text,
    scripts: chooseScripts(text, direction),
    levels: bidi.getEmbeddingLevels(text, direction),
    direction,
    missing,
  };
  remember(preparedCache, key, prepared);
  return prepared;
}

/**
 * The paragraph direction of free text (a name, a doctor's note) by its first strong character, as
 * rule P2 does, skipping isolated runs; `fallback` when it has none (digits, e-mail, punctuation).
 */
export function autoDirection(text: string, fallback: Direction): Direction {
  let isolates = 0;
  for (const ch of text) {
    const type = bidi.getBidiCharTypeName(ch);
    if (type === 'LRI' || type === 'RLI' || type === 'FSI') isolates++;
    else if (type === 'PDI') isolates = Math.max(0, isolates - 1);
    else if (isolates === 0 && type === 'L') return 'ltr';
    else if (isolates === 0 && (type === 'R' || type === 'AL')) return 'rtl';
  }
  return fallback;
}

const shapeCache = new Map<string, ShapedRun>();
const CACHE_LIMIT = 20_000;

function remember<T>(cache: Map<string, T>, key: string, value: T): void {
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, value);
}

/** Shapes a run of one font and one direction. For 'rtl' fontkit returns glyphs already in visual order. */
export function shapeRun(text: string, script: Script, weight: Weight, direction: Direction): ShapedRun {
  const f: Face = face(script, weight);
  const key = `${f.id}\u0000${direction}\u0000${text}`;
  const hit = shapeCache.get(key);
  if (hit) return hit;
  const run = layoutSafely(f, text, direction);
  const glyphs: ShapedGlyph[] = [];
  let advance = 0;
  for (let i = 0; i < run.glyphs.length; i++) {
    const g = run.glyphs[i];
    const p = run.positions[i];
    if (!g || !p) continue;
    glyphs.push({
      id: g.id,
      advanceWidth: g.advanceWidth,
      xAdvance: p.xAdvance,
      xOffset: p.xOffset,
      yOffset: p.yOffset,
      codePoints: g.codePoints,
      isMark: g.isMark,
    });
    advance += p.xAdvance;
  }
  const shaped: ShapedRun = { faceId: f.id, glyphs, advance, unitsPerEm: f.font.unitsPerEm };
  remember(shapeCache, key, shaped);
  return shaped;
}

/**
 * fontkit's layout, which can throw on odd input (fuzzing found "فِ" — an isolated feh with a kasra —
 * dereferencing a null GPOS anchor). A document must still render: retry without mark positioning,
 * then fall back to one glyph per character from the cmap (no joining, but legible, never a crash).
 */
function layoutSafely(f: Face, text: string, direction: Direction): GlyphRun {
  try {
    return f.font.layout(text, undefined, undefined, undefined, direction);
  } catch {
    try {
      return f.font.layout(text, { mark: false, mkmk: false }, undefined, undefined, direction);
    } catch {
      const glyphs = Array.from(text, (ch) => f.font.glyphForCodePoint(ch.codePointAt(0) ?? 0x3f));
      if (direction === 'rtl') glyphs.reverse();
      const positions = glyphs.map((g) => ({
        xAdvance: g.advanceWidth,
        yAdvance: 0,
        xOffset: 0,
        yOffset: 0,
      }));
      return { glyphs, positions, direction, script: 'Zyyy' };
    }
  }
}

/**
 * Logical pieces covering [start, end): maximal ranges of one font and one bidi level, further cut so
 * every space is a piece of its own. Words are shaped one by one — Arabic joining never crosses a space,
 * the shaping cache hits far more often, and each word is a unit for extraction (see pdf-canvas.ts).
 */
function logicalPieces(p: PreparedText, start: number, end: number): Array<[number, number]> {
  const pieces: Array<[number, number]> = [];
  let pieceStart = start;
  for (let i = start + 1; i <= end; i++) {
    if (
      i === end ||
      p.scripts[i] !== p.scripts[pieceStart] ||
      p.levels.levels[i] !== p.levels.levels[pieceStart] ||
      p.text[i] === ' ' ||
      p.text[i - 1] === ' '
    ) {
      if (i > pieceStart) pieces.push([pieceStart, i]);
      pieceStart = i;
    }
  }
  return pieces;
}

/** Width in points of [start, end) at `size`, in any order (bidi does not change the sum of advances). */
export function measureRange(
  p: PreparedText,
  start: number,
  end: number,
  size: number,
  weight: Weight,
): number {
  let width = 0;
  for (const [s, e] of logicalPieces(p, start, end)) {
    const run = shapeRun(p.text.slice(s, e), p.scripts[s] ?? 'latin', weight, levelDirection(p, s));
    width += (run.advance * size) / run.unitsPerEm;
  }
  return width;
}

function levelDirection(p: PreparedText, index: number): Direction {
  return (p.levels.levels[index] ?? 0) & 1 ? 'rtl' : 'ltr';
}

/** A word (or a space) ready to draw: shaped glyphs in visual order, placed from the line's left edge. */
export interface VisualRun {
  faceId: FaceId;
  /** First logical index in the paragraph (drawing goes in logical order). */
  start: number;
  /** Odd bidi level: glyphs are in visual order, so right-to-left runs are drawn back to front. */
  rtl: boolean;
  /** The logical text (brackets as typed, before mirroring). */
  text: string;
  /** x of the left edge from the line's left edge, points. */
  x: number;
  width: number;
  glyphs: ShapedGlyph[];
  unitsPerEm: number;
}

/**
 * Lays out one line [start, end) visually: rule L2 through bidi-js's reorder segments, brackets in
 * right-to-left runs replaced by their mirrored twins, then each word shaped on its (logical) text.
 */
export function visualLine(
  p: PreparedText,
  start: number,
  end: number,
  size: number,
  weight: Weight,
): { runs: VisualRun[]; width: number } {
  if (end <= start) return { runs: [], width: 0 };
  const order: number[] = [];
  for (let i = start; i < end; i++) order.push(i);
  for (const [s, e] of bidi.getReorderSegments(p.text, p.levels, start, end - 1)) {
    if (s === undefined || e === undefined) continue;
    const reversed = order.slice(s - start, e - start + 1).reverse();
    order.splice(s - start, reversed.length, ...reversed);
  }
  const mirrored = bidi.getMirroredCharactersMap(p.text, p.levels.levels, start, end - 1);
  const runs: VisualRun[] = [];
  let x = 0;
  let k = 0;
  while (k < order.length) {
    const first = order[k] ?? start;
    const level = p.levels.levels[first] ?? 0;
    const script = p.scripts[first] ?? 'latin';
    const step = level & 1 ? -1 : 1;
    let last = first;
    let j = k + 1;
    while (j < order.length && p.text[first] !== ' ') {
      const idx = order[j] ?? -1;
      if (
        idx !== last + step ||
        p.levels.levels[idx] !== level ||
        p.scripts[idx] !== script ||
        p.text[idx] === ' '
      ) {
        break;
      }
      last = idx;
      j++;
    }
    const lo = Math.min(first, last);
    const hi = Math.max(first, last);
    let shapedText = '';
    for (let i = lo; i <= hi; i++) shapedText += mirrored.get(i) ?? p.text[i];
    const shaped = shapeRun(shapedText, script, weight, level & 1 ? 'rtl' : 'ltr');
    const width = (shaped.advance * size) / shaped.unitsPerEm;
    runs.push({
      faceId: shaped.faceId,
      start: lo,
      rtl: (level & 1) === 1,
      text: p.text.slice(lo, hi + 1),
      x,
      width,
      glyphs: shaped.glyphs,
      unitsPerEm: shaped.unitsPerEm,
    });
    x += width;
    k = j;
  }
  return { runs, width: x };
}
