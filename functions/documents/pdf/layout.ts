import type { Weight } from './fonts';
import {
  type Direction,
  measureRange,
  type PreparedText,
  prepareText,
  type VisualRun,
  visualLine,
} from './shaping';

/**
 * Paragraph layout on shaped advances: greedy line filling at spaces, over-long words broken between
 * grapheme clusters, optional truncation with an ellipsis, and every line laid out visually (bidi).
 * This module knows nothing about PDF; render-consent draws what it returns, and tests measure with it.
 */
export type { Direction } from './shaping';
export { autoDirection } from './shaping';

export interface TextStyle {
  size: number;
  weight?: Weight;
}

export interface ParagraphOptions extends TextStyle {
  /** Box width in points; no line is wider. */
  width: number;
  /** Base direction for the bidi algorithm (the reading order of the paragraph). */
  direction: Direction;
  /** Keep at most this many lines; the last one ends with an ellipsis when text was cut. */
  maxLines?: number;
}

export interface LaidOutLine {
  /** The line's logical text (what copy/paste should give). */
  text: string;
  /** Drawn width in points. */
  width: number;
  runs: VisualRun[];
}

export interface ParagraphLayout {
  lines: LaidOutLine[];
  direction: Direction;
  size: number;
  weight: Weight;
  /** Characters no bundled font could draw (shown as '?'). */
  missing: string[];
  truncated: boolean;
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const ELLIPSIS = '…';

function line(p: PreparedText, start: number, end: number, size: number, weight: Weight): LaidOutLine {
  const { runs, width } = visualLine(p, start, end, size, weight);
  return { text: p.text.slice(start, end), width, runs };
}

/** Break points of an over-long word [start, end): grapheme boundaries, absolute indices. */
function graphemeEnds(p: PreparedText, start: number, end: number): number[] {
  const ends: number[] = [];
  for (const g of graphemes.segment(p.text.slice(start, end))) ends.push(start + g.index + g.segment.length);
  return ends;
}

/**
 * Splits [from, to) into line ranges by summing the shaped width of each word (shaping does not cross
 * spaces, so the sum is what the line measures, give or take kerning against a space). In `strict` mode
 * every candidate line is shaped whole before it is accepted; `breakLines` uses that only to redo the
 * rare line whose real width came out over the box.
 */
function breakRange(
  p: PreparedText,
  from: number,
  to: number,
  width: number,
  size: number,
  weight: Weight,
  strict: boolean,
): Array<[number, number]> {
  const text = p.text;
  const ranges: Array<[number, number]> = [];
  const fits = (s: number, e: number) => !strict || visualLine(p, s, e, size, weight).width <= width + 1e-6;
  let lineStart = -1;
  let lineEnd = -1; // end of the last word on the line (no trailing space)
  let lineWidth = 0; // width including the space after lineEnd
  const startWith = (s: number, c: number, e: number) => {
    const w = measureRange(p, s, c, size, weight);
    if (w <= width && fits(s, c)) {
      lineStart = s;
      lineEnd = c;
      lineWidth = w + measureRange(p, c, e, size, weight);
      return;
    }
    // A word wider than the box: cut between grapheme clusters.
    let chunkStart = s;
    let chunkWidth = 0;
    let chunkEnd = s;
    for (const g of graphemeEnds(p, s, c)) {
      const gw = measureRange(p, chunkEnd, g, size, weight);
      if (chunkEnd > chunkStart && (chunkWidth + gw > width || !fits(chunkStart, g))) {
        ranges.push([chunkStart, chunkEnd]);
        chunkStart = chunkEnd;
        chunkWidth = 0;
      }
      chunkWidth += gw;
      chunkEnd = g;
    }
    lineStart = chunkStart;
    lineEnd = c;
    lineWidth = chunkWidth + measureRange(p, c, e, size, weight);
  };
  let i = from;
  while (i < to) {
    let c = text.indexOf(' ', i);
    if (c < 0 || c > to) c = to;
    const e = c < to ? c + 1 : c;
    if (c > i) {
      const w = lineStart < 0 ? 0 : measureRange(p, i, c, size, weight);
      if (lineStart >= 0 && lineWidth + w <= width && fits(lineStart, c)) {
        lineEnd = c;
        lineWidth += w + measureRange(p, c, e, size, weight);
      } else {
        if (lineStart >= 0) ranges.push([lineStart, lineEnd]);
        startWith(i, c, e);
      }
    }
    i = e;
  }
  if (lineStart >= 0) ranges.push([lineStart, lineEnd]);
  return ranges;
}

function breakLines(p: PreparedText, width: number, size: number, weight: Weight): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const [s, e] of breakRange(p, 0, p.text.length, width, size, weight, false)) {
    if (visualLine(p, s, e, size, weight).width <= width + 1e-6) out.push([s, e]);
    else out.push(...breakRange(p, s, e, width, size, weight, true));
  }
  return out;
}

/** Cuts the text at `end` and appends an ellipsis, dropping graphemes until it fits `width`. */
function ellipsized(
  p: PreparedText,
  start: number,
  end: number,
  opts: Required<ParagraphOptions>,
): LaidOutLine {
  const ends = [start, ...graphemeEnds(p, start, end)];
  for (let k = ends.length - 1; k >= 0; k--) {
    const cut = p.text.slice(start, ends[k]).trimEnd() + ELLIPSIS;
    const q = prepareText(cut, p.direction);
    const laid = line(q, 0, q.text.length, opts.size, opts.weight);
    if (laid.width <= opts.width + 1e-6) return laid;
  }
  return { text: '', width: 0, runs: [] };
}

// Laid-out paragraphs are immutable, and template texts are the same in every document: memoised per
// process (dropped wholesale when full, which bounds memory for streams of unusual input).
const layoutCache = new Map<string, ParagraphLayout>();

/** Lays out one paragraph into lines no wider than `opts.width`. Never throws on odd input. */
export function layoutParagraph(input: string, options: ParagraphOptions): ParagraphLayout {
  const key = `${options.width}|${options.size}|${options.weight ?? ''}|${options.direction}|${options.maxLines ?? ''}|${input}`;
  const hit = layoutCache.get(key);
  if (hit) return hit;
  const laid = computeLayout(input, options);
  if (layoutCache.size >= 5000) layoutCache.clear();
  layoutCache.set(key, laid);
  return laid;
}

function computeLayout(input: string, options: ParagraphOptions): ParagraphLayout {
  const opts: Required<ParagraphOptions> = {
    weight: 'regular',
    maxLines: Number.POSITIVE_INFINITY,
    ...options,
    width: Math.max(options.width, 1),
  };
  const p = prepareText(input, opts.direction);
  let ranges = breakLines(p, opts.width, opts.size, opts.weight);
  let truncated = false;
  let last: LaidOutLine | undefined;
  if (ranges.length > opts.maxLines) {
    truncated = true;
    ranges = ranges.slice(0, Math.max(opts.maxLines, 1));
    const [s, e] = ranges.pop() ?? [0, 0];
    last = ellipsized(p, s, e, opts);
  }
  const lines = ranges.map(([s, e]) => line(p, s, e, opts.size, opts.weight));
  if (last) lines.push(last);
  return {
    lines,
    direction: opts.direction,
    size: opts.size,
    weight: opts.weight,
    missing: p.missing,
    truncated,
  };
}

/** Width in points of `input` set on one line (after the same cleaning the renderer applies). */
export function measureText(input: string, style: TextStyle & { direction?: Direction }): number {
  const p = prepareText(input, style.direction ?? 'ltr');
  return measureRange(p, 0, p.text.length, style.size, style.weight ?? 'regular');
}

/**
 * One line that fits `width`: the largest size in [minSize, maxSize] (half-point steps) at which the
 * text fits, else `minSize` with an ellipsis. Used for typed signatures.
 */
export function fitLine(
  input: string,
  opts: { width: number; maxSize: number; minSize: number; weight?: Weight; direction: Direction },
): ParagraphLayout {
  const weight = opts.weight ?? 'regular';
  const natural = measureText(input, { size: 1, weight, direction: opts.direction });
  let size = opts.maxSize;
  if (natural > 0)
    size = Math.max(opts.minSize, Math.min(opts.maxSize, Math.floor((opts.width / natural) * 2) / 2));
  return layoutParagraph(input, { width: opts.width, size, weight, direction: opts.direction, maxLines: 1 });
}
