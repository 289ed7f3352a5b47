import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isoToMs } from './iso.time.ts';

describe('isoToMs', () => {
  it('reads the UTC forms exactly as Date.parse does', () => {
    for (const t of ['2026-11-30T18:42:20Z', '2026-11-30T18:42:20.1Z', '2026-11-30T18:42:20.12Z', '2026-11-30T18:42:20.123Z', '2026-11-30T18:42:20.123456789Z', '2024-02-29T00:00:00.000Z', '1970-01-01T00:00:00Z', '2000-02-29T12:00:00Z', '0001-01-01T00:00:00Z', '0099-12-31T23:59:59.999Z']) {
      expect(isoToMs(t), t).toBe(Date.parse(t));
    }
  });

  it('hands other forms and invalid text to Date.parse', () => {
    for (const t of ['2026-11-30T18:42:20+02:00', '2026-02-31T00:00:00Z', '2026-04-31T00:00:00Z', '2023-02-29T00:00:00Z', '1900-02-29T00:00:00Z', '2026-13-01T00:00:00Z', '2026-11-30T25:00:00Z', 'yesterday', '', '2026-11-30T18:42:20.Z', '2026-11-30T18:42:2xZ']) {
      const want = Date.parse(t);
      if (Number.isNaN(want)) expect(isoToMs(t), t).toBeNaN();
      else expect(isoToMs(t), t).toBe(want);
    }
  });

  it('agrees with Date.parse on any millisecond time', () => {
    fc.assert(
      fc.property(fc.integer({ min: -62135596800000, max: 253402300799999 }), (ms) => {
        const t = new Date(ms).toISOString();
        expect(isoToMs(t)).toBe(Date.parse(t));
        expect(isoToMs(t.replace(/\.\d+Z$/, 'Z'))).toBe(Date.parse(t.replace(/\.\d+Z$/, 'Z')));
      }),
    );
  });
});
