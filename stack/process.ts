// Pid files and detached processes for the local stack. A pid file alone is not trusted: the pid
// must be alive and its command line must name the instance's own config file, so a recycled pid
// (or a system-wide server on the same machine) is never mistaken for ours and never signalled.
import { spawn, type SpawnOptions } from 'node:child_process';
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export type StopSignal = 'SIGTERM' | 'SIGKILL';

/** True if the pid exists and is not a zombie (an exited child nobody reaped yet). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM means it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc (not Linux): kill(0) succeeded, trust it
  }
}

/** The pid's command line contains `marker` (the instance's config file path). */
export function commandLineContains(pid: number, marker: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').includes(marker);
  } catch {
    return false;
  }
}

export function readPidFile(pidFile: string): number | undefined {
  try {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    return Number.isInteger(pid) && pid > 1 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** The pid from `pidFile` if that process is alive and is ours; a stale pid file is removed. */
export function runningPid(pidFile: string, marker: string): number | undefined {
  const pid = readPidFile(pidFile);
  if (pid === undefined) return undefined;
  if (isAlive(pid) && commandLineContains(pid, marker)) return pid;
  rmSync(pidFile, { force: true });
  return undefined;
}

/**
 * Starts a process that outlives this one: own process group, stdout and stderr appended to
 * `outFile`, no stdin, and not holding our event loop open. Writes `pidFile`.
 */
export function spawnDetached(
  command: string,
  args: string[],
  opts: { cwd: string; outFile: string; pidFile: string; env?: NodeJS.ProcessEnv },
): number {
  mkdirSync(dirname(opts.outFile), { recursive: true });
  const out = openSync(opts.outFile, 'a');
  try {
    const spawnOpts: SpawnOptions = {
      cwd: opts.cwd,
      detached: true,
      stdio: ['ignore', out, out],
      env: opts.env ?? process.env,
    };
    const child = spawn(command, args, spawnOpts);
    if (child.pid === undefined) throw new Error(`could not start ${command}`);
    // Without a listener a failed exec would crash us with an unhandled 'error' event.
    child.on('error', () => {});
    child.unref();
    writeFileSync(opts.pidFile, `${child.pid}\n`);
    return child.pid;
  } finally {
    closeSync(out);
  }
}

/** Polls `check` until it returns true; throws after `timeoutMs` or when `abort` returns a reason. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean> | boolean,
  opts: { timeoutMs: number; intervalMs?: number; abort?: () => string | undefined },
): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    if (await check()) return;
    const reason = opts.abort?.();
    if (reason) throw new Error(`${what}: ${reason}`);
    if (Date.now() > deadline) throw new Error(`${what}: timed out after ${Math.round(opts.timeoutMs / 1000)} s`);
    await sleep(opts.intervalMs ?? 250);
  }
}

/**
 * Signals our process and waits until it is gone. A SIGTERM that has not worked after
 * `graceMs` is followed by SIGKILL, so `down` always ends. Returns the pid that was stopped.
 */
export async function stopProcess(
  pidFile: string,
  marker: string,
  signal: StopSignal = 'SIGTERM',
  graceMs = 60_000,
): Promise<number | undefined> {
  const pid = runningPid(pidFile, marker);
  if (pid === undefined) return undefined;
  signalProcess(pid, signal);
  const gone = () => !isAlive(pid);
  try {
    await waitFor(`stopping pid ${pid}`, gone, { timeoutMs: graceMs, intervalMs: 100 });
  } catch {
    signalProcess(pid, 'SIGKILL');
    await waitFor(`killing pid ${pid}`, gone, { timeoutMs: 10_000, intervalMs: 100 });
  }
  rmSync(pidFile, { force: true });
  return pid;
}

/** Sends a signal; a process that exited in the meantime (ESRCH) is what we wanted anyway. */
function signalProcess(pid: number, signal: StopSignal): void {
  try {
    process.kill(pid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

/** True if something accepts TCP connections on host:port. */
export function portOpen(port: number, host = '127.0.0.1', timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** The last lines of a log file, for error messages when a process dies while starting. */
export function tail(file: string, lines = 20): string {
  if (!existsSync(file)) return '';
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, 64_000);
    const buf = Buffer.alloc(length);
    readSync(fd, buf, 0, length, size - length);
    return buf.toString('utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } finally {
    closeSync(fd);
  }
}

/**
 * Runs `fn` while holding `lockFile` (created exclusively, holding our pid). Two `up`s at once
 * (say, the CLI and a test run's global setup) would otherwise both find nothing running, both
 * spawn a server, and the loser would overwrite the winner's pid file. A lock whose holder died
 * is taken over.
 */
export async function withLock<T>(lockFile: string, fn: () => Promise<T>, timeoutMs = 900_000): Promise<T> {
  mkdirSync(dirname(lockFile), { recursive: true });
  await waitFor(`waiting for the lock ${lockFile}`, () => {
    try {
      writeFileSync(lockFile, `${process.pid}\n`, { flag: 'wx' });
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = readPidFile(lockFile);
      // An empty file may be a lock whose holder has not written its pid yet; only an old one is stale.
      const stale = holder === undefined ? Date.now() - mtimeMs(lockFile) > 10_000 : !isAlive(holder);
      if (stale) rmSync(lockFile, { force: true });
      return false;
    }
  }, { timeoutMs, intervalMs: 200 });
  try {
    return await fn();
  } finally {
    rmSync(lockFile, { force: true });
  }
}

function mtimeMs(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return Date.now();
  }
}

export function xmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
