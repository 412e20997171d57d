import { describe, expect, it } from 'vitest';
import {
  fillPlaceholders,
  hasControlCharacters,
  replaceControlCharacters,
} from '../../functions/domain/text';

describe('fillPlaceholders', () => {
  it('fills every placeholder, numbers included', () => {
    expect(fillPlaceholders('Version {version} of {name}', { version: 2, name: 'PRP' })).toBe(
      'Version 2 of PRP',
    );
  });
  it('throws on a placeholder without a value, rather than printing nothing or the braces', () => {
    expect(() => fillPlaceholders('Hello {name}', {})).toThrow('{name}');
    expect(() => fillPlaceholders('Hello {name}')).toThrow('{name}');
    expect(() => fillPlaceholders('Hello {toString}', {})).toThrow('{toString}');
  });
  it('leaves text without placeholders alone', () => {
    expect(fillPlaceholders('Plain text')).toBe('Plain text');
  });
});

describe('control characters', () => {
  it('finds C0, C1 and the Unicode line separators', () => {
    for (const c of ['\n', '\r', '\t', '\u0000', '\u007f', '\u0085', '\u2028', '\u2029']) {
      expect(hasControlCharacters(`a${c}b`)).toBe(true);
    }
    expect(hasControlCharacters('Layla Haddad ليلى')).toBe(false);
  });
  it('replaces each run by one space', () => {
    expect(replaceControlCharacters('a\r\n\tb\u2028c')).toBe('a b c');
  });
});
