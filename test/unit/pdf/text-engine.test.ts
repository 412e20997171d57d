import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PDF_LABELS } from '../../../functions/documents/pdf/labels';
import {
  autoDirection,
  type Direction,
  fitLine,
  type LaidOutLine,
  layoutParagraph,
  measureText,
} from '../../../functions/documents/pdf/layout';
import { PATIENT_NAME_BOXES } from '../../../functions/documents/pdf/render-consent';
import { sanitize, shapeRun } from '../../../functions/documents/pdf/shaping';
import type { Localized } from '../../../functions/domain/template';
import { loadTemplate } from '../../../functions/domain/template-store';
import { anyName } from './names';

const template = loadTemplate('mesotherapy');
if (!template) throw new Error('mesotherapy template is not registered');

/** Every bilingual text in the template (labels, rules, risks, consent, care, declarations…). */
function localizedTexts(value: unknown, out: Localized[] = []): Localized[] {
  if (Array.isArray(value)) for (const v of value) localizedTexts(v, out);
  else if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o.en === 'string' && typeof o.ar === 'string' && Object.keys(o).length === 2)
      out.push(o as Localized);
    else for (const v of Object.values(o)) localizedTexts(v, out);
  }
  return out;
}

const glyphsOf = (line: LaidOutLine) => line.runs.flatMap((r) => r.glyphs);
const runWith = (line: LaidOutLine, text: string) => line.runs.find((r) => r.text === text);

describe('glyph coverage', () => {
  const texts = [
    ...localizedTexts(template).flatMap((t) => [
      { text: t.en, direction: 'ltr' as Direction },
      { text: t.ar, direction: 'rtl' as Direction },
    ]),
    ...Object.values(PDF_LABELS.en).map((text) => ({ text, direction: 'ltr' as Direction })),
    ...Object.values(PDF_LABELS.ar).map((text) => ({ text, direction: 'rtl' as Direction })),
  ];

  it('draws no .notdef glyph for any character of the template and the PDF labels, in both weights', () => {
    expect(texts.length).toBeGreaterThan(150);
    for (const { text, direction } of texts) {
      for (const weight of ['regular', 'bold'] as const) {
        const layout = layoutParagraph(text, { width: 515, size: 9.5, weight, direction });
        expect(layout.missing, text).toEqual([]);
        const notdef = layout.lines.flatMap(glyphsOf).filter((g) => g.id === 0);
        expect(notdef, `${weight}: ${text}`).toEqual([]);
      }
    }
  });
});

describe('shaping and bidi', () => {
  it('joins Arabic letters: contextual forms differ from the isolated letters', () => {
    const word = shapeRun('ليلى', 'arabic', 'regular', 'rtl');
    const isolated = [...'ليلى'].map((ch) => shapeRun(ch, 'arabic', 'regular', 'rtl').glyphs[0]?.id);
    expect(word.glyphs.map((g) => g.id)).not.toEqual(isolated.reverse());
    // Noto draws the dots of ي as separate mark glyphs placed by GPOS: an offset must be present.
    expect(word.glyphs.some((g) => g.xAdvance === 0 && (g.xOffset !== 0 || g.yOffset !== 0))).toBe(true);
  });

  it('orders a Latin name inside an Arabic line left of the Arabic words, keeping its own order', () => {
    const [line] = layoutParagraph('اسم المريض: Layla Haddad', {
      width: 500,
      size: 10,
      direction: 'rtl',
    }).lines;
    if (!line) throw new Error('no line');
    const layla = runWith(line, 'Layla');
    const haddad = runWith(line, 'Haddad');
    const arabic = runWith(line, 'اسم');
    expect(layla && haddad && arabic).toBeTruthy();
    expect(layla?.x).toBeLessThan(haddad?.x ?? 0);
    expect(haddad?.x).toBeLessThan(arabic?.x ?? 0);
  });

  it('keeps digits left-to-right inside Arabic and mirrors brackets', () => {
    const [line] = layoutParagraph('بعمق 2026 (تقريبًا)', { width: 500, size: 10, direction: 'rtl' }).lines;
    if (!line) throw new Error('no line');
    const year = runWith(line, '2026');
    const digits = shapeRun('2026', 'arabic', 'regular', 'ltr').glyphs.map((g) => g.id);
    expect(year?.glyphs.map((g) => g.id)).toEqual(digits);
    // In right-to-left text "(" is drawn with the ")" glyph, and the run still stands for "(".
    const open = line.runs.find((r) => r.text.startsWith('('));
    const closeGlyph = shapeRun(')', 'arabic', 'regular', 'rtl').glyphs[0]?.id;
    expect(open?.glyphs.at(-1)?.id).toBe(closeGlyph);
  });

  it('falls back per character to the font that has it', () => {
    const [line] = layoutParagraph('Layla، Haddad ليلى', { width: 500, size: 10, direction: 'ltr' }).lines;
    expect(line?.runs.find((r) => r.text === 'Layla')?.faceId).toBe('latin-regular');
    // Noto Sans has no Arabic comma: it comes from Noto Sans Arabic, as do the Arabic letters.
    expect(line?.runs.find((r) => r.text === '،')?.faceId).toBe('arabic-regular');
    expect(line?.runs.find((r) => r.text === 'ليلى')?.faceId).toBe('arabic-regular');
  });

  it('cleans input: line breaks become spaces, controls go, what no font has becomes "?"', () => {
    expect(sanitize('Layla\r\nHaddad\u0007\t ').text).toBe('Layla Haddad');
    const withEmoji = sanitize('Layla 😀 Haddad');
    expect(withEmoji.text).toBe('Layla ? Haddad');
    expect(withEmoji.missing).toEqual(['😀']);
    expect(sanitize('\ud800x').text).toBe('?x');
  });

  it('wraps at spaces within the width, breaks an over-long word, and truncates with an ellipsis', () => {
    const text = template.consent.procedure.en;
    const layout = layoutParagraph(text, { width: 200, size: 9.5, direction: 'ltr' });
    expect(layout.lines.length).toBeGreaterThan(5);
    for (const line of layout.lines) expect(line.width).toBeLessThanOrEqual(200);
    expect(layout.lines.map((l) => l.text).join(' ')).toBe(text);

    const long = layoutParagraph('x'.repeat(400), { width: 100, size: 10, direction: 'ltr' });
    expect(long.lines.length).toBeGreaterThan(3);
    for (const line of long.lines) expect(line.width).toBeLessThanOrEqual(100);

    const cut = layoutParagraph(text, { width: 200, size: 9.5, direction: 'ltr', maxLines: 2 });
    expect(cut.lines).toHaveLength(2);
    expect(cut.truncated).toBe(true);
    expect(cut.lines[1]?.text.endsWith('…')).toBe(true);
  });

  it('measures what it draws', () => {
    const text = 'Layla Haddad — ليلى حداد';
    const [line] = layoutParagraph(text, { width: 1000, size: 12, direction: 'ltr' }).lines;
    expect(measureText(text, { size: 12 })).toBeCloseTo(line?.width ?? 0, 6);
  });

  it('takes the direction of free text from its first strong letter', () => {
    expect(autoDirection('ليلى Haddad', 'ltr')).toBe('rtl');
    expect(autoDirection('Aspirin 81 mg', 'rtl')).toBe('ltr');
    expect(autoDirection('+971 50', 'rtl')).toBe('rtl');
    expect(autoDirection('\u2066Layla\u2069 ليلى', 'ltr')).toBe('rtl');
  });
});

describe('property: any patient name stays inside its boxes', () => {
  it('wrapped fields keep every line within the width and the line limit', () => {
    fc.assert(
      fc.property(anyName, fc.constantFrom<Direction>('ltr', 'rtl'), (name, section) => {
        for (const box of [PATIENT_NAME_BOXES.header, PATIENT_NAME_BOXES.signedBy]) {
          const layout = layoutParagraph(name, {
            width: box.width,
            size: box.size,
            direction: autoDirection(name, section),
            maxLines: box.maxLines,
          });
          expect(layout.lines.length).toBeLessThanOrEqual(box.maxLines);
          for (const line of layout.lines) {
            expect(line.width).toBeLessThanOrEqual(box.width + 1e-6);
            for (const run of line.runs) {
              expect(run.x).toBeGreaterThanOrEqual(-1e-6);
              expect(run.x + run.width).toBeLessThanOrEqual(box.width + 1e-6);
            }
          }
        }
        const typed = PATIENT_NAME_BOXES.typedSignature;
        const sig = fitLine(name, { ...typed, direction: autoDirection(name, section) });
        expect(sig.lines.length).toBeLessThanOrEqual(1);
        expect(sig.size).toBeGreaterThanOrEqual(typed.minSize);
        expect(sig.lines[0]?.width ?? 0).toBeLessThanOrEqual(typed.width + 1e-6);
      }),
      { numRuns: 250 },
    );
  });
});
