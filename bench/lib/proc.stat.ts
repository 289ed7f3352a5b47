// CPU time of processes and of the whole machine, read from /proc (Linux only): how a bench sees
// what its child processes, the broker and ClickHouse spend, in CPU seconds rather than wall time.
// Everything here returns null (or an empty table) where /proc is missing, so benches still run.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;

/** The kernel's clock ticks per second (USER_HZ) in which /proc reports times; 100 on every common build. */
export function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

export interface ProcStat {
  pid: number;
  ppid: number;
  /** utime + stime of the process itself (all its threads), in ticks. */
  ticks: number;
  /** cutime + cstime: the CPU of its children that have exited and been waited for, in ticks. */
  childTicks: number;
  /** Start time after boot, in ticks: with the pid, it tells a process from a later one that reused its pid. */
  startTicks: number;
}

/** Parses the text of /proc/<pid>/stat; null if it is not one. */
export function parseProcStat(text: string): ProcStat | null {
  const close = text.lastIndexOf(')');
  if (close < 0) return null;
  // Fields after the command name (which may hold spaces and parens, so split after its last paren):
  // [0] state, [1] ppid, ... [11] utime, [12] stime, [13] cutime, [14] cstime, ... [19] starttime.
  const f = text.slice(close + 2).split(' ');
  const pid = Number(text.slice(0, text.indexOf(' ')));
  const n = (i: number) => Number(f[i]);
  if (!Number.isInteger(pid) || f.length < 20 || [1, 11, 12, 13, 14, 19].some((i) => !Number.isFinite(n(i)))) return null;
  return { pid, ppid: n(1), ticks: n(11) + n(12), childTicks: n(13) + n(14), startTicks: n(19) };
}

export function readProcStat(pid: number): ProcStat | null {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}

/** CPU time of one process (user + system, all threads) in ms; null elsewhere than Linux or once it has exited. */
export function processCpuMs(pid: number): number | null {
  const s = readProcStat(pid);
  return s === null ? null : (s.ticks * 1000) / clockTicks();
}

/** Every process on the machine by pid (one pass over /proc); empty where there is no /proc. */
export function readProcTable(): Map<number, ProcStat> {
  const table = new Map<number, ProcStat>();
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return table;
  }
  for (const name of names) {
    if (name.charCodeAt(0) < 48 || name.charCodeAt(0) > 57) continue;
    const s = readProcStat(Number(name));
    if (s) table.set(s.pid, s);
  }
  return table;
}

/** The pids of `roots` and all their descendants that are alive in `table`. */
export function descendants(table: Map<number, ProcStat>, roots: number[]): number[] {
  const children = new Map<number, number[]>();
  for (const s of table.values()) {
    const list = children.get(s.ppid);
    if (list) list.push(s.pid);
    else children.set(s.ppid, [s.pid]);
  }
  const out: number[] = [];
  const seen = new Set<number>();
  const stack = roots.filter((p) => table.has(p));
  while (stack.length) {
    const pid = stack.pop()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    out.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return out;
}

export interface MachineTicks {
  /** Busy ticks over all CPUs: user, nice, system, irq, softirq (guest time is inside user). */
  busy: number;
  /** Ticks the hypervisor ran something else while this VM wanted the CPU: a noisy neighbour. */
  steal: number;
  /** Idle and iowait ticks. */
  idle: number;
}

/** Parses the first (`cpu `) line of /proc/stat. */
export function parseMachineTicks(text: string): MachineTicks | null {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return null;
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  if ([user, nice, system, idle].some((x) => x === undefined || !Number.isFinite(x))) return null;
  return { busy: user! + nice! + system! + (irq ?? 0) + (softirq ?? 0), steal: steal ?? 0, idle: idle! + (iowait ?? 0) };
}

export function readMachineTicks(): MachineTicks | null {
  try {
    return parseMachineTicks(readFileSync('/proc/stat', 'utf8'));
  } catch {
    return null;
  }
}
