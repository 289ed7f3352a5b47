import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CURSOR_PATTERN, decodeCursor, encodeCursor } from './cursor.ts';

describe('cursor', () => {
  it('round-trips every sort key and always matches the documented pattern', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.string({ maxLength: 64 }).map((s) => s.toWellFormed()), (ms, id) => {
        const c = encodeCursor([ms, id]);
        expect(c).toMatch(CURSOR_PATTERN);
        expect(decodeCursor(c)).toEqual([ms, id]);
      }),
    );
  });

  it('decodes any string of the documented shape, and refuses others with a 400', () => {
    fc.assert(fc.property(fc.stringMatching(CURSOR_PATTERN), (c) => void expect(decodeCursor(c)).toHaveLength(2)));
    for (const bad of ['', 'short', '!!!!!!!!!!!!', 'a'.repeat(513)]) expect(() => decodeCursor(bad)).toThrow(/cursor/);
  });
});
