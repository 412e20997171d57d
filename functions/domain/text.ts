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
