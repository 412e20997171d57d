import type * as z from 'zod';

/** A body that is not JSON described by a zod schema: a PDF, an HTML page, a static file. */
export interface Media {
  mediaType: string;
  description: string;
  /** Bytes rather than text (PDF, PNG, fonts). */
  binary?: boolean;
}

export type Body = z.ZodType | Media;

export type Tag = 'patient' | 'clinic' | 'public' | 'local';

/** What one route accepts and answers: the truth the OpenAPI document is generated from. */
export interface Operation {
  summary: string;
  description?: string;
  tags: Tag[];
  /** The request body, if the route reads one. */
  request?: Body;
  /** Query parameters, one property each. */
  query?: z.ZodObject;
  /** Status → body; several bodies for one status are alternative media types (content negotiation). */
  responses: Partial<Record<number, Body | readonly Body[]>>;
}

export const isMedia = (b: Body): b is Media => typeof (b as Media).mediaType === 'string';

export const pdfFile: Media = { mediaType: 'application/pdf', description: 'A PDF file.', binary: true };
export const htmlPage: Media = { mediaType: 'text/html', description: 'An HTML page (bilingual).' };
