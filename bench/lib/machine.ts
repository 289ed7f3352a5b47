// What machine a bench ran on and how busy it was: CPU model, core count and the load average,
// printed before and after every bench, with a WARNING line when the machine was busy, so a figure
// from a loaded machine never passes for a quiet one.
import { availableParallelism, cpus, loadavg } from 'node:os';

export interface MachineInfo {
  cpu_model: string;
  /** What `nproc` says: the cores this process may run on. */
  cores: number;
  node: string;
}

export function machineInfo(): MachineInfo {
  return { cpu_model: cpus()[0]?.model.trim() ?? 'unknown', cores: availableParallelism(), node: process.version };
}

/** The 1, 5 and 15 minute load averages, two decimals. */
export function loadNow(): number[] {
  return loadavg().map((x) => Math.round(x * 100) / 100);
}

// Before a bench starts, a 1-minute load above half the cores means other work already holds about
// a core of this machine. At the end the bench's own processes are in the load too (a bench that
// fills both cores brings it to about the core count by itself), so the end threshold is the core
// count: above it, something besides the bench was queueing for the CPU.
export const LOAD_WARN_START_PER_CORE = 0.5;
export const LOAD_WARN_END_PER_CORE = 1.0;
/** Share of the machine's CPU time that processes outside the measured ones may use before a figure is flagged. */
export const OTHERS_WARN_SHARE = 0.1;

/** Warning lines for the load at the start and the end of a measurement; empty when the machine was quiet. */
export function loadWarnings(before: number[], after: number[], cores: number): string[] {
  const out: string[] = [];
  const start = before[0] ?? 0;
  const end = after[0] ?? 0;
  const startLimit = LOAD_WARN_START_PER_CORE * cores;
  const endLimit = LOAD_WARN_END_PER_CORE * cores;
  if (start > startLimit) {
    out.push(`WARNING: 1-minute load average ${start} at the start exceeds ${startLimit} (${LOAD_WARN_START_PER_CORE} × ${cores} cores): other work was running; treat the figures as taken on a busy machine`);
  }
  if (end > endLimit) {
    out.push(`WARNING: 1-minute load average ${end} at the end exceeds ${endLimit} (${LOAD_WARN_END_PER_CORE} × ${cores} cores): more was runnable than the cores could run; wall-clock figures include waiting for a CPU`);
  }
  return out;
}

/** A warning when processes outside the measured ones used more than OTHERS_WARN_SHARE of the machine. */
export function othersWarning(othersCpuS: number, wallS: number, cores: number): string | null {
  const capacity = wallS * cores;
  if (capacity <= 0 || othersCpuS <= OTHERS_WARN_SHARE * capacity) return null;
  const pct = Math.round((othersCpuS / capacity) * 100);
  return `WARNING: other processes used ${othersCpuS.toFixed(1)} CPU-s (${pct} % of the machine) during the measurement: the figures shared the cores with them`;
}
