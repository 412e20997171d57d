/**
 * The small part of upstream fontkit 2 (no bundled types) that the PDF text engine uses.
 * Kept beside its only user so the contract with the library is explicit and reviewable.
 */
declare module 'fontkit' {
  export interface Glyph {
    id: number;
    name?: string;
    codePoints: number[];
    advanceWidth: number;
    isMark: boolean;
    isLigature: boolean;
  }

  export interface GlyphPosition {
    xAdvance: number;
    yAdvance: number;
    xOffset: number;
    yOffset: number;
  }

  export interface GlyphRun {
    glyphs: Glyph[];
    positions: GlyphPosition[];
    direction: 'ltr' | 'rtl';
    script: string;
  }

  export interface Subset {
    /** Adds a glyph (by id) and returns its id in the subset; 0 (.notdef) is always included first. */
    includeGlyph(glyph: number | Glyph): number;
    encode(): Uint8Array;
  }

  export interface Font {
    postscriptName: string;
    unitsPerEm: number;
    ascent: number;
    descent: number;
    lineGap: number;
    capHeight: number;
    xHeight: number;
    italicAngle: number;
    numGlyphs: number;
    bbox: { minX: number; minY: number; maxX: number; maxY: number };
    hasGlyphForCodePoint(codePoint: number): boolean;
    glyphForCodePoint(codePoint: number): Glyph;
    getGlyph(id: number): Glyph;
    layout(
      text: string,
      features?: string[] | Record<string, boolean>,
      script?: string,
      language?: string,
      direction?: 'ltr' | 'rtl',
    ): GlyphRun;
    createSubset(): Subset;
  }

  export function create(data: Uint8Array, postscriptName?: string): Font;
}
