import { describe, expect, it } from 'vitest';
import { descendants, parseMachineTicks, parseProcStat, readProcStat, type ProcStat } from './proc.stat.ts';

describe('parseProcStat', () => {
  it('reads ppid, own and children CPU ticks and the start time, even with spaces and parens in the name', () => {
    const line = '4242 (node (worker) 1) S 4000 4242 4000 0 -1 4194560 100 0 0 0 150 25 7 3 20 0 11 0 98765 1000 200 18446744073709551615';
    expect(parseProcStat(line)).toEqual({ pid: 4242, ppid: 4000, ticks: 175, childTicks: 10, startTicks: 98765 });
  });

  it('returns null for text that is not a stat line', () => {
    expect(parseProcStat('nonsense')).toBeNull();
    expect(parseProcStat('12 (x) S 1 2')).toBeNull();
  });

  it('reads this process', () => {
    const s = readProcStat(process.pid);
    if (s === null) return; // not Linux
    expect(s.pid).toBe(process.pid);
    expect(s.ppid).toBe(process.ppid);
  });
});

describe('descendants', () => {
  const p = (pid: number, ppid: number): [number, ProcStat] => [pid, { pid, ppid, ticks: 0, childTicks: 0, startTicks: 0 }];
  const table = new Map([p(1, 0), p(10, 1), p(11, 10), p(12, 10), p(13, 12), p(20, 1)]);

  it('finds a root and every process below it, not its siblings', () => {
    expect(descendants(table, [10]).sort()).toEqual([10, 11, 12, 13]);
  });

  it('ignores roots that are gone', () => {
    expect(descendants(table, [99, 20])).toEqual([20]);
  });
});

describe('parseMachineTicks', () => {
  it('sums busy time and keeps steal and idle apart', () => {
    const text = 'cpu  100 10 50 1000 20 0 5 7 0 0\ncpu0 50 5 25 500 10 0 2 3 0 0\n';
    expect(parseMachineTicks(text)).toEqual({ busy: 165, steal: 7, idle: 1020 });
  });

  it('returns null without a cpu line', () => {
    expect(parseMachineTicks('intr 1 2 3\n')).toBeNull();
  });
});
