import * as z from 'zod';
import { hasBidiControls, hasControlCharacters, hasVisibleText, isWellFormedText } from './text';

/**
 * Text a person enters that appears on legal documents, e-mails and pages: names, typed signatures,
 * review notes, decline reasons. Invisible text counts as empty; bidi controls are refused (API.md,
 * version 2: "Text fields people read").
 */

export { hasControlCharacters };

const NO_BIDI = 'Must not contain bidi control characters (U+202A–U+202E, U+2066–U+2069)';

/** One line: a name or a typed signature. */
export const personNameSchema = z
  .string()
  .trim()
  .max(120, 'At most 120 characters')
  .refine(hasVisibleText, 'Required')
  // A lone surrogate is not text: it cannot be printed, e-mailed or put in a URL.
  .refine(isWellFormedText, 'Must be valid Unicode text')
  .refine((s) => !hasControlCharacters(s), 'Must not contain line breaks or control characters')
  .refine((s) => !hasBidiControls(s), NO_BIDI);

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters other than line breaks and tabs
const CONTROL_BUT_LINES = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

/**
 * Free text of several lines (a review note, a decline reason). May be empty at this level: whether a
 * note is required is the use case's rule, and text with nothing visible is stored as empty.
 */
export function freeTextSchema(max: number) {
  return z
    .string()
    .max(max, `At most ${max} characters`)
    .refine(isWellFormedText, 'Must be valid Unicode text')
    .refine((s) => !CONTROL_BUT_LINES.test(s), 'Must not contain control characters')
    .refine((s) => !hasBidiControls(s), NO_BIDI)
    .transform((s) => (hasVisibleText(s) ? s.trim() : ''));
}
