// The sequence differential against this checkout itself: both sides raise the same matches on
// every stream, and there are matches of every rule to compare.
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sequenceDifferential } from './detector.sequence.differential.ts';

describe('check:sequence-differential', () => {
  it('finds no difference between a checkout and itself, over streams that raise matches', async () => {
    const here = resolve(import.meta.dirname, '..');
    const r = await sequenceDifferential({ against: here, streams: 20 });
    expect(r).toMatchObject({ against: here, streams: 20, differing: 0, examples: [] });
    expect(r.matches_a).toBe(r.matches_b);
    expect(r.matches_a).toBeGreaterThan(1_000);
  }, 60_000);
});
