/**
 * Text helpers shared by the e-mails, the PDF and the validation of what people type: one placeholder
 * filler and one definition of a control character.
 */

/**
 * Fills `{name}` placeholders. A placeholder without a value is a programming error (a wording that
 * names a value the caller does not pass), so it throws rather than printing `{name}` or nothing on a
 * legal document.
 */
export function fillPlaceholders(text: string, vars: Record<string, string | number> = {}): string {
  return text.replace(/\{(\w+)\}/g, (_, name: string) => {
    if (!Object.hasOwn(vars, name)) throw new Error(`No value for placeholder {${name}}`);
    return String(vars[name]);
  });
}

// Names are shown on legal documents and can reach e-mail headers: no control characters at all.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const CONTROL_RUNS = new RegExp(`${CONTROL_CHARACTERS.source}+`, 'g');

export function hasControlCharacters(s: string): boolean {
  return CONTROL_CHARACTERS.test(s);
}

/** Replaces each run of control characters by one space. */
export function replaceControlCharacters(s: string): string {
  return s.replace(CONTROL_RUNS, ' ');
}

/**
 * Bidi embedding, override and isolate controls (U+202A–U+202E, U+2066–U+2069). In a name they reorder
 * what a legal document shows ("evil" printed as "live"), so text people enter may not contain them; we
 * isolate user text ourselves wherever it is shown.
 */
const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069]/;

export function hasBidiControls(s: string): boolean {
  return BIDI_CONTROLS.test(s);
}

/**
 * Characters that draw nothing: white space, format characters (zero-width space/joiners, bidi marks,
 * soft hyphen, word joiner, BOM…), control characters, combining marks without a base, and the fillers
 * that fonts draw blank (Hangul fillers, braille blank).
 */
const INVISIBLE = /[\s\p{Cc}\p{Cf}\p{Z}\p{M}\u115f\u1160\u3164\uffa0\u2800]/gu;

/** True when the text has at least one character a reader can see. */
export function hasVisibleText(s: string): boolean {
  return s.replace(INVISIBLE, '').length > 0;
}

/** Wraps user text in a first-strong isolate (FSI … PDI): it cannot reorder the sentence around it. */
export function isolate(s: string): string {
  return `\u2068${s}\u2069`;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** False for a string with a lone surrogate (String.prototype.isWellFormed, which ES2023 types lack). */
export function isWellFormedText(s: string): boolean {
  return !LONE_SURROGATE.test(s);
}
