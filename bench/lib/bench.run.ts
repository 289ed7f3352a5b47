// The frame every bench prints around its measurements: the machine and the load average before,
// the load average after, WARNING lines when the machine was busy (at the start, at the end, or
// other processes' CPU during a measured window), and the same facts as fields of the final JSON line.
import { formatCpuWindow, type CpuWindow } from './cpu.meter.ts';
import { loadNow, loadWarnings, machineInfo, othersWarning, type MachineInfo } from './machine.ts';

export interface BenchFrame {
  machine: MachineInfo;
  load_before: number[];
  load_after: number[];
  /** The warning lines printed (also to stderr), empty on a quiet machine. */
  warnings: string[];
}

export interface BenchRun {
  /** Prints a measured window's CPU line and, if other processes took a large share, a warning. */
  window(label: string, w: CpuWindow): void;
  /** Prints the load after and the warnings; returns the fields for the final JSON line. */
  finish(): BenchFrame;
}

/** Prints where and how loaded; `out` is where report lines go (stdout by default). */
export function beginBench(name: string, out: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): BenchRun {
  const machine = machineInfo();
  const before = loadNow();
  const warnings: string[] = [];
  out(`${name}: ${machine.cpu_model}, nproc ${machine.cores}, node ${machine.node}, ${new Date().toISOString()}`);
  out(`${name}: load average before: ${before.join(' ')}`);
  const warn = (line: string) => {
    warnings.push(line);
    out(line);
  };
  return {
    window(label, w) {
      out(`${name}: ${label}: ${formatCpuWindow(w)}`);
      const others = othersWarning(w.others_s, w.wall_s, machine.cores);
      if (others) warn(`${others} (${label})`);
    },
    finish() {
      const after = loadNow();
      out(`${name}: load average after: ${after.join(' ')}`);
      for (const w of loadWarnings(before, after, machine.cores)) warn(w);
      return { machine, load_before: before, load_after: after, warnings };
    },
  };
}

/** A line to stderr, for benches that keep stdout for the report. */
export const toStderr = (l: string): void => void process.stderr.write(`${l}\n`);

/** A numeric command-line option as parseArgs gives it (a string, or undefined when not given). */
export const numberOption = (v: string | undefined): number | undefined => (v === undefined ? undefined : Number(v));
