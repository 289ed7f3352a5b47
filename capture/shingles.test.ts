import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MIN_TEXT_CHARS, SHINGLE_WORDS, WINDOW, winnow, wordList, type ShinglePick } from './shingles.ts';

const picks = (text: string) => {
  const m = new Map<number, ShinglePick>();
  winnow(text, m);
  return m;
};
const word = fc.stringMatching(/^[a-z]{3,9}$/);

describe('winnowing', () => {
  it(`guarantees a common shingle for any shared run of ${WINDOW + SHINGLE_WORDS - 1} words, wherever it sits`, () => {
    fc.assert(
      fc.property(fc.array(word, { minLength: 0, maxLength: 40 }), fc.array(word, { minLength: 0, maxLength: 40 }), fc.array(word, { minLength: WINDOW + SHINGLE_WORDS - 1, maxLength: 30 }), (before, after, shared) => {
        const a = [...before, ...shared].join(' ').padEnd(MIN_TEXT_CHARS, ' ');
        const b = [...shared, ...after, 'x'.repeat(MIN_TEXT_CHARS)].join(' ');
        const pa = picks(a);
        const pb = picks(b);
        expect([...pa.keys()].some((k) => pb.has(k))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('lowercases words, masks identifier-like ones, and skips short text', () => {
    expect(wordList('Hello, WORLD: order ab12cd34ef and ünïcode wörds')).toEqual(['hello', 'world', 'order', '\u2022', 'and', 'ünïcode', 'wörds']);
    expect(picks('too short to be a passage').size).toBe(0);
  });
});
