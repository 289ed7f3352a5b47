import { describe, expect, it } from 'vitest';
import { tsvMillis, tsvString, tsvStrings } from './tsv.ts';

describe('tsv', () => {
  it('prints epoch milliseconds exactly as String does', () => {
    for (const ms of [0, 5, 999, 1000, 1001, 1_767_225_600_000, 1_767_225_600_007, 1_767_225_600_070, 1_767_225_600_700, 2 ** 31 * 1000 - 1, 2 ** 31 * 1000, -1, -1500, 1.5, 1e21]) {
      expect(tsvMillis(ms)).toBe(String(ms));
    }
  });

  it('escapes the same characters in short strings (a loop) and long ones (a regular expression)', () => {
    for (const body of ['plain', 'tab\there', 'new\nline', 'cr\rhere', 'back\\slash', "quote'here"]) {
      for (const s of [body, body.padEnd(200, 'x')]) {
        expect(tsvString(s)).toBe(s.replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c]!));
        expect(tsvStrings([s])).toBe(`['${s.replace(/[\\'\t\n\r]/g, (c) => ({ '\\': '\\\\', "'": "\\'", '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c]!)}']`);
      }
    }
  });
});
