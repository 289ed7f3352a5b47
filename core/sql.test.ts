import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ident, list, literal, qualified, quoteString, sql } from './sql.ts';

describe('sql binding helper', () => {
  it('renders each value type as a literal', () => {
    const q = sql`SELECT ${'a\'b'}, ${42}, ${-1.5}, ${10n}, ${true}, ${null}, ${['x', 1]}, ${new Date(1_000_000)} FROM ${ident('events')}`;
    expect(q.text).toBe("SELECT 'a\\'b', 42, -1.5, 10, 1, NULL, ['x', 1], toDateTime(1000) FROM `events`");
  });

  it('renders IN lists as separate literals', () => {
    expect(sql`x IN (${list(['a', "b'"])})`.text).toBe("x IN ('a', 'b\\'')");
    expect(() => list([])).toThrow(TypeError);
  });

  it('escapes backslashes, quotes and control characters', () => {
    expect(quoteString("\\'\n\t\0\x7f é")).toBe("'\\\\\\'\\x0a\\x09\\x00\\x7f é'");
  });

  it('refuses identifiers that are not plain names, and ones outside an allow-list', () => {
    for (const bad of ['', '1a', 'a b', 'a`b', 'a;drop', 'a.b', 'x'.repeat(200)]) expect(() => ident(bad)).toThrow(TypeError);
    expect(() => ident('user_id', ['tenant_id'])).toThrow(/not allowed/);
    expect(qualified('db', 'events').text).toBe('`db`.`events`');
  });

  it('refuses values it cannot bind safely', () => {
    expect(() => literal(Number.NaN)).toThrow(TypeError);
    expect(() => literal(Infinity)).toThrow(TypeError);
    expect(() => literal(new Date(Number.NaN))).toThrow(TypeError);
    expect(() => literal({ text: '1; DROP TABLE x' } as never)).toThrow(TypeError);
  });

  it('never lets a bound string end the literal (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const q = quoteString(s);
        // Inside, every quote is preceded by an odd run of backslashes: the literal cannot close early.
        const inner = q.slice(1, -1);
        for (let i = inner.indexOf("'"); i !== -1; i = inner.indexOf("'", i + 1)) {
          let n = 0;
          for (let j = i - 1; j >= 0 && inner[j] === '\\'; j--) n++;
          expect(n % 2).toBe(1);
        }
        expect(q).not.toMatch(/[\x00-\x1f]/);
      }),
    );
  });
});
