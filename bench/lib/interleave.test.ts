import { describe, expect, it } from 'vitest';
import { interleavedOrder, runInterleaved } from './interleave.ts';

describe('interleavedOrder', () => {
  it('runs A, B, A, B by default and A, B, B, A when alternating', () => {
    expect(interleavedOrder(2, 2, false)).toEqual([[0, 0], [0, 1], [1, 0], [1, 1]]);
    expect(interleavedOrder(2, 3, true)).toEqual([[0, 0], [0, 1], [1, 1], [1, 0], [2, 0], [2, 1]]);
  });
});

describe('runInterleaved', () => {
  it('runs the sides in turn, one at a time, and keeps each round apart', async () => {
    const log: string[] = [];
    let running = 0;
    const side = (name: string) => ({
      name,
      run: async (round: number) => {
        running++;
        expect(running).toBe(1);
        log.push(`${name}${round}`);
        await Promise.resolve();
        running--;
        return `${name}:${round}`;
      },
    });
    const r = await runInterleaved([side('ours'), side('engine')], 2);
    expect(log).toEqual(['ours0', 'engine0', 'ours1', 'engine1']);
    expect(r.rounds).toEqual([{ ours: 'ours:0', engine: 'engine:0' }, { ours: 'ours:1', engine: 'engine:1' }]);
  });
});
