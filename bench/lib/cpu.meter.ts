// CPU seconds spent during one measured window, per role: this process (`process.cpuUsage`), child
// processes with all their descendants (an ingest primary and its forked workers), the broker and
// ClickHouse; and the whole machine from /proc/stat, so what *other* processes took is a figure too.
//
// Processes are sampled from /proc at the start, every `sampleMs` while the window is open, and at
// the end. Each process counts once with (last sample − first sample) of its own utime + stime; a
// process first seen after the start began inside the window and counts from zero. A process that
// exits between two samples loses at most `sampleMs` of CPU, so benches close the window before they
// stop their children. (cutime/cstime are not added: a reaped child counted there would count twice.)
import { readFileSync } from 'node:fs';
import { clockTicks, descendants, readMachineTicks, readProcStat, readProcTable, type MachineTicks, type ProcStat } from './proc.stat.ts';

export interface CpuRole {
  name: string;
  /** The pids this role is made of, asked at every sample (a child may be started after the window opened). */
  pids: () => (number | undefined)[];
  /** Count every descendant of those pids too (forked workers, a server spawned by a proxy). */
  tree?: boolean;
}

export interface CpuWindow {
  wall_s: number;
  /** CPU seconds per role, plus `bench` (this process). */
  cpu_s: Record<string, number>;
  /** Busy CPU seconds of the whole machine in the window. */
  machine_busy_s: number;
  /** Machine busy time not accounted to any role: other processes (other sessions' tests, the kernel). */
  others_s: number;
  /** CPU seconds the hypervisor gave to other guests while this machine wanted them. */
  steal_s: number;
}

const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;

interface Seen {
  first: number;
  last: number;
}

export class CpuMeter {
  private readonly roles: CpuRole[];
  private readonly sampleMs: number;
  private seen = new Map<string, Map<string, Seen>>();
  private startTicks = 0;
  private wall0 = 0;
  private self0: NodeJS.CpuUsage | null = null;
  private machine0: MachineTicks | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(roles: CpuRole[], opts: { sampleMs?: number } = {}) {
    this.roles = roles;
    this.sampleMs = opts.sampleMs ?? 500;
  }

  /** Opens the window. */
  start(): this {
    this.seen = new Map(this.roles.map((r) => [r.name, new Map()]));
    this.wall0 = performance.now();
    this.self0 = process.cpuUsage();
    this.machine0 = readMachineTicks();
    // Processes already alive now count from their current CPU time; later ones from zero.
    this.startTicks = uptimeTicks();
    this.sample(true);
    this.timer = setInterval(() => this.sample(false), this.sampleMs);
    this.timer.unref();
    return this;
  }

  /** Closes the window and returns what each role spent in it. */
  stop(): CpuWindow {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.sample(false);
    const wall = (performance.now() - this.wall0) / 1000;
    const self = process.cpuUsage(this.self0 ?? undefined);
    const hz = clockTicks();
    const cpu: Record<string, number> = { bench: round((self.user + self.system) / 1e6) };
    for (const role of this.roles) {
      let ticks = 0;
      for (const s of this.seen.get(role.name)!.values()) ticks += s.last - s.first;
      cpu[role.name] = round(ticks / hz);
    }
    const machine1 = readMachineTicks();
    const busy = this.machine0 && machine1 ? (machine1.busy - this.machine0.busy) / hz : NaN;
    const steal = this.machine0 && machine1 ? (machine1.steal - this.machine0.steal) / hz : NaN;
    const accounted = Object.values(cpu).reduce((s, x) => s + x, 0);
    return {
      wall_s: round(wall),
      cpu_s: cpu,
      machine_busy_s: round(busy),
      others_s: round(Math.max(0, busy - accounted)),
      steal_s: round(steal),
    };
  }

  private sample(atStart: boolean): void {
    const needTable = this.roles.some((r) => r.tree);
    const table = needTable ? readProcTable() : null;
    for (const role of this.roles) {
      const roots = role.pids().filter((p): p is number => p !== undefined);
      const pids = role.tree && table ? descendants(table, roots) : roots;
      const seen = this.seen.get(role.name)!;
      for (const pid of pids) {
        const s: ProcStat | null | undefined = table ? table.get(pid) : readProcStat(pid);
        if (!s) continue;
        const key = `${s.pid}:${s.startTicks}`;
        const prior = seen.get(key);
        if (prior) prior.last = s.ticks;
        else seen.set(key, { first: atStart || s.startTicks < this.startTicks ? s.ticks : 0, last: s.ticks });
      }
    }
  }
}

/** Ticks since boot (the clock of a process's start time in /proc/<pid>/stat); 0 where there is no /proc. */
function uptimeTicks(): number {
  try {
    const up = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
    return Number.isFinite(up) ? up * clockTicks() : 0;
  } catch {
    return 0;
  }
}

/** One line: wall time and CPU seconds per role, others and steal. */
export function formatCpuWindow(w: CpuWindow): string {
  const roles = Object.entries(w.cpu_s).map(([name, s]) => `${name} ${s.toFixed(2)}`).join(', ');
  return `wall ${w.wall_s.toFixed(2)} s; CPU-s: ${roles}; other processes ${w.others_s.toFixed(2)}, steal ${w.steal_s.toFixed(2)} (machine busy ${w.machine_busy_s.toFixed(2)})`;
}
