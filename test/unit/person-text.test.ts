import { describe, expect, it } from 'vitest';
import { freeTextSchema, personNameSchema } from '../../functions/domain/person';
import { hasVisibleText } from '../../functions/domain/text';

const BIDI = ['\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069'];
const INVISIBLE = [
  '\u200b',
  '\u200c',
  '\u200d',
  '\u2060',
  '\ufeff',
  '\u00ad',
  '\u200e',
  '\u200f',
  '\u3164',
  '\u2800',
  ' \u00a0 ',
];

describe('text people enter', () => {
  it('a name made only of invisible characters is empty (Required)', () => {
    for (const c of INVISIBLE) {
      const r = personNameSchema.safeParse(c.repeat(3));
      expect(r.success, JSON.stringify(c)).toBe(false);
      expect(r.error?.issues[0]?.message).toBe('Required');
    }
  });

  it('refuses bidi embedding, override and isolate controls anywhere in a name', () => {
    for (const c of BIDI) {
      const r = personNameSchema.safeParse(`Layla ${c}live${c} Haddad`);
      expect(r.success, JSON.stringify(c)).toBe(false);
      expect(r.error?.issues.map((i) => i.message).join()).toMatch(/bidi control/);
    }
  });

  it('refuses a lone surrogate (not text: it cannot be printed, e-mailed or put in a link)', () => {
    expect(personNameSchema.safeParse('Layla \ud800 Haddad').success).toBe(false);
    expect(freeTextSchema(100).safeParse('note \udfff').success).toBe(false);
    expect(personNameSchema.parse('Layla 😀')).toBe('Layla 😀');
  });

  it('keeps real names, joiners inside Arabic included', () => {
    for (const name of ['Layla Haddad', 'ليلى حداد', 'Zoë O’Neill-Ávila', 'می\u200cخواهم', 'محمد عبد الله']) {
      expect(personNameSchema.parse(name)).toBe(name);
    }
  });

  it('free text (notes, reasons): several lines allowed, invisible-only becomes empty, bidi refused', () => {
    const note = freeTextSchema(2000);
    expect(note.parse('Prescriber agreed.\nPause aspirin 3 days.')).toBe(
      'Prescriber agreed.\nPause aspirin 3 days.',
    );
    expect(note.parse('\u200b\u200b')).toBe('');
    expect(note.parse('  \n\u2060 ')).toBe('');
    expect(note.safeParse('ok \u202e evil').success).toBe(false);
    expect(note.safeParse('bell \u0007').success).toBe(false);
    expect(note.safeParse('x'.repeat(2001)).success).toBe(false);
  });

  it('hasVisibleText: letters, digits and symbols count; marks alone do not', () => {
    expect(hasVisibleText('a')).toBe(true);
    expect(hasVisibleText('٣')).toBe(true);
    expect(hasVisibleText('\u0301\u064b')).toBe(false);
    expect(hasVisibleText('')).toBe(false);
  });
});
