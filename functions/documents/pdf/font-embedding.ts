import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import type { Subset } from 'fontkit';
import { type PDFContext, type PDFDocument, PDFRawStream, type PDFRef, PDFString } from 'pdf-lib';
import { type FaceId, faces } from './fonts';
import { flateStream } from './pdf-streams';
import type { ShapedGlyph } from './shaping';

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
 *
 * How the glyphs of a line are placed: glyph-run.ts; how a page draws them: page-canvas.ts.
 */

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

/** A glyph's advance as written in /W (thousandths of an em). */
export function pdfWidth(faceId: FaceId, glyph: ShapedGlyph): number {
  return Math.round((glyph.advanceWidth * 1000) / faces()[faceId].font.unitsPerEm);
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
