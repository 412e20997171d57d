import * as z from 'zod';

/** Text a person enters that appears on legal documents: names and typed signatures. */

// Names are shown on legal documents and can reach e-mail headers: no control characters at all.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

export function hasControlCharacters(s: string): boolean {
  return CONTROL.test(s);
}

export const personNameSchema = z
  .string()
  .trim()
  .min(1, 'Required')
  .max(120, 'At most 120 characters')
  .refine((s) => !CONTROL.test(s), 'Must not contain line breaks or control characters');
