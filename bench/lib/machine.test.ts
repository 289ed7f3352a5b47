import { describe, expect, it } from 'vitest';
import { loadWarnings, machineInfo, othersWarning } from './machine.ts';

describe('loadWarnings', () => {
  it('is silent on a quiet machine', () => {
    expect(loadWarnings([0.4, 0.3, 0.2], [1.9, 0.8, 0.4], 2)).toEqual([]);
  });

  it('warns when the start load exceeds half the cores', () => {
    const w = loadWarnings([1.6, 1.2, 1], [1.9, 1.3, 1], 2);
    expect(w).toHaveLength(1);
    expect(w[0]).toMatch(/^WARNING: 1-minute load average 1.6 at the start exceeds 1 /);
  });

  it('warns when the end load exceeds the core count', () => {
    const w = loadWarnings([0.2, 0.2, 0.2], [3.4, 1, 0.5], 2);
    expect(w).toHaveLength(1);
    expect(w[0]).toMatch(/^WARNING: 1-minute load average 3.4 at the end exceeds 2 /);
  });
});

describe('othersWarning', () => {
  it('flags other processes above a tenth of the machine', () => {
    expect(othersWarning(1, 10, 2)).toBeNull();
    expect(othersWarning(5, 10, 2)).toMatch(/^WARNING: other processes used 5.0 CPU-s \(25 % of the machine\)/);
  });
});

describe('machineInfo', () => {
  it('names a CPU model and at least one core', () => {
    const m = machineInfo();
    expect(m.cpu_model.length).toBeGreaterThan(0);
    expect(m.cores).toBeGreaterThanOrEqual(1);
  });
});
