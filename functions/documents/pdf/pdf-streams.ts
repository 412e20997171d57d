import { deflateSync } from 'node:zlib';
import { type PDFContext, PDFRawStream } from 'pdf-lib';

/**
 * A Flate stream compressed with Node's zlib: pdf-lib's own `flateStream` uses pako, which took about
 * half of the render time. Level 9: it saves ~1.2 KB over level 7 on the bilingual final version, which
 * has to stay within its size budget (issue 4), for a few milliseconds per document.
 */
export function flateStream(context: PDFContext, contents: string | Uint8Array): PDFRawStream {
  const bytes = typeof contents === 'string' ? Buffer.from(contents, 'latin1') : contents;
  return PDFRawStream.of(context.obj({ Filter: 'FlateDecode' }), deflateSync(bytes, { level: 9 }));
}

/** Numbers in content streams: at most two decimals, no trailing zeros. */
export function num(n: number): string {
  const r = Math.round(n * 100) / 100;
  return Object.is(r, -0) ? '0' : String(r);
}
