import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CpuMeter } from './cpu.meter.ts';
import { clockTicks, descendants, readProcTable } from './proc.stat.ts';

// A child that burns a fixed amount of CPU (by its own clock, so the machine's load does not matter),
// then starts a grandchild that does the same; both then idle until killed.
const BURN = `
const t = process.cpuUsage();
while ((process.cpuUsage(t).user + process.cpuUsage(t).system) / 1000 < 300) {}
if (process.argv[1] === 'root') require('node:child_process').spawn(process.execPath, ['-e', process.argv[2], 'leaf'], { stdio: 'ignore' });
setTimeout(() => {}, 120000);
`;

describe.runIf(existsSync('/proc/self/stat'))('CpuMeter', () => {
  it('counts a child process and its descendants, this process, and the machine', async () => {
    let pid: number | undefined;
    const meter = new CpuMeter([{ name: 'child', pids: () => [pid], tree: true }], { sampleMs: 50 }).start();
    const child = spawn(process.execPath, ['-e', BURN, 'root', BURN], { stdio: 'ignore' });
    pid = child.pid;
    let tree: number[] = [];
    try {
      // Wait until both processes have burnt their 0.3 s each.
      for (;;) {
        const table = readProcTable();
        tree = descendants(table, [pid!]);
        const seconds = tree.reduce((s, p) => s + table.get(p)!.ticks, 0) / clockTicks();
        if (tree.length === 2 && seconds >= 0.58) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      const w = meter.stop();
      expect(w.cpu_s.child).toBeGreaterThanOrEqual(0.5);
      expect(w.cpu_s.bench).toBeGreaterThan(0);
      expect(w.machine_busy_s).toBeGreaterThanOrEqual(w.cpu_s.child!);
    } finally {
      for (const p of tree.reverse()) process.kill(p, 'SIGKILL');
      child.kill('SIGKILL');
    }
  });
});
