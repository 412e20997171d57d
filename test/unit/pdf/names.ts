import fc from 'fast-check';

const PICK = [
  ...'ابتثجحخدذرزسشصضطظعغفقكلمنهويىةءأإآ',
  ...'\u064b\u064e\u064f\u0650\u0651\u0652\u0670',
  ...'LaylHdJoséÅøçßİ',
  ...'0123456789٠١٢',
  ' ',
  ' ',
  '(',
  ')',
  '-',
  '.',
  '@',
  '\u200f',
  '\u200e',
  '\u202e',
  '\u2066',
  '\u2069',
  '\u200d',
  '\r',
  '\n',
  '\t',
  '\u0000',
  '😀',
  '👩🏽‍⚕️',
  '漢',
];

/** Patient names as a form might receive them: mixed scripts, bidi controls, emoji, line breaks, huge. */
export const anyName = fc.oneof(
  fc.string({ unit: fc.constantFrom(...PICK), maxLength: 60 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: fc.constantFrom(...PICK), minLength: 300, maxLength: 1500 }),
);
