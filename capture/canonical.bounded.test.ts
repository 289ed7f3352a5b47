import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalPreview, canonicalText, CUT_MARKER, writeCanonical } from './canonical.bounded.ts';
import { digest } from './canonical.ts';

/** The recursive definition the writer must match within budget. */
function sortKeys(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(sortKeys);
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value).sort()) out[k] = sortKeys((value as Record<string, unknown>)[k]);
  return out;
}

function nested(levels: number): unknown {
  let v: unknown = { leaf: 'x' };
  for (let i = 0; i < levels; i++) v = i % 2 ? [v] : { a: v };
  return v;
}

describe('canonical JSON writer', () => {
  it('writes exactly JSON.stringify of a key-sorted copy, integer keys and undefined values included', () => {
    fc.assert(
      fc.property(fc.anything({ key: fc.string().filter((k) => k !== '__proto__'), withBoxedValues: false, withMap: false, withSet: false, withTypedArray: false, withBigInt: false, withSparseArray: true, withNullPrototype: true }), (v) => {
        expect(canonicalText(v).text).toBe(JSON.stringify(sortKeys(v)) ?? 'null');
      }),
      { numRuns: 500 },
    );
    // The old copy-based definition lost a `__proto__` key (assigning it sets the prototype), so the
    // hash did not cover it; the writer keeps it.
    expect(canonicalText(JSON.parse('{"__proto__":{"x":1}}')).text).toBe('{"__proto__":{"x":1}}');
    expect(canonicalText({ b: 1, 10: 2, 2: 3, a: [undefined, () => 1], u: undefined }).text).toBe('{"2":3,"10":2,"a":[null,null],"b":1}');
  });

  it('hashes arguments nested 5,000 levels deep without recursion, marking the cut', () => {
    const d = digest({ path: '~/.ssh/id_rsa', pad: nested(5_000) });
    expect(d.truncated).toBe(true);
    expect(d.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(canonicalText(nested(5_000)).text).toContain(CUT_MARKER.depth);
    // Within the depth budget nothing is cut.
    expect(digest(nested(100)).truncated).toBe(false);
  });

  it('stops at the size budget and at cycles, never throwing', () => {
    const big = { s: 'é'.repeat(10_000) };
    const parts: string[] = [];
    const w = writeCanonical(big, (p) => parts.push(p), { maxDepth: 10, maxBytes: 1_000 });
    expect(w).toEqual({ size_bytes: Buffer.byteLength(parts.join('')), truncated: true });
    expect(w.size_bytes).toBeLessThanOrEqual(1_000);
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(canonicalText(cyclic)).toEqual({ text: `{"a":1,"self":${CUT_MARKER.cycle}}`, truncated: true });
    const hostile = Object.defineProperty({}, 'x', { enumerable: true, get: () => { throw new Error('boom'); } });
    expect(canonicalText(hostile).truncated).toBe(true);
    // The same object twice side by side is not a cycle.
    const shared = { k: 1 };
    expect(canonicalText([shared, shared])).toEqual({ text: '[{"k":1},{"k":1}]', truncated: false });
  });

  it('previews like truncating the whole text, without writing all of it', () => {
    const truncate = (t: string, n: number) => (t.length <= n ? t : `${t.slice(0, Math.max(0, n - 1))}…`);
    fc.assert(
      fc.property(fc.jsonValue(), fc.integer({ min: 0, max: 50 }), (v, n) => {
        expect(canonicalPreview(v, n)).toBe(truncate(canonicalText(v).text, n));
      }),
    );
  });
});
