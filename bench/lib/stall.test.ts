import { describe, expect, it } from 'vitest';
import { StallWatch } from './stall.ts';

describe('StallWatch', () => {
  const watch = () => new StallWatch({ target: 1000, stallMs: 30_000, timeoutMs: 900_000, startMs: 0 });

  it('completes when the count reaches the target', () => {
    const w = watch();
    expect(w.observe(500, 1_000).state).toBe('running');
    expect(w.observe(1000, 2_000)).toEqual({ state: 'complete', rows: 1000, atMs: 2_000 });
  });

  it('stalls when the count stops growing short of the target (the engine at 999,999)', () => {
    const w = watch();
    w.observe(999, 10_000);
    expect(w.observe(999, 39_000).state).toBe('running');
    expect(w.observe(999, 40_001)).toEqual({ state: 'stalled', rows: 999, lastGrowthMs: 10_000 });
  });

  it('stalls a side that never inserts anything', () => {
    expect(watch().observe(0, 30_001).state).toBe('stalled');
  });

  it('times out a side that keeps growing too slowly', () => {
    const w = watch();
    let state = '';
    for (let t = 0, rows = 0; t <= 900_001; t += 10_000, rows++) state = w.observe(rows, Math.min(t, 900_001)).state;
    expect(w.observe(91, 900_001).state).toBe('timed-out');
    expect(state).not.toBe('complete');
  });
});
