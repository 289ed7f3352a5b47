// SIGTERM stops `mcp-audit ingest` cleanly and with exit code 0 however it was started: through npx
// or `npm run`, with the signal sent to npm alone (a supervisor that knows one pid) or to the whole
// process group (Ctrl-C, `kill -- -pgid`). npm forwards the signal to its child and, if that child
// died of a signal, re-raises it on itself (exit 143). With the repository's .npmrc (script-shell
// bash) and `exec` in the scripts, npm's child is mcp-audit itself; the signal it gets twice in the
// group case counts once. Under Debian's sh (dash, what npm uses without that .npmrc) the shell in
// between dies of the signal and npm reports 143 whatever happens: mcp-audit still stops cleanly
// instead of running on without a parent. (A direct start is covered by ingest.sigterm.test.ts.)
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../stack/free.port.ts';
import { createTestEnv, eventually, type TestEnv } from './support/test.env.ts';

const root = fileURLToPath(new URL('../', import.meta.url));
let t: TestEnv;

beforeAll(async () => {
  t = await createTestEnv('sigterm_npm', { MCP_AUDIT_LOG_LEVEL: 'info' });
});
afterAll(async () => {
  await t?.clickhouse.close();
});

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: nobody is left in the group
  }
}

/** Processes of the group that still run (zombies, dead but not yet reaped by init, do not count). */
function running(pgid: number): string[] {
  const live: string[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      // /proc/<pid>/stat: "pid (comm) state ppid pgrp ...", comm may hold spaces and parentheses.
      const [state, , pgrp] = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
      if (Number(pgrp) === pgid && state !== 'Z') live.push(pid);
    } catch {
      // the process ended while we looked
    }
  }
  return live;
}

/** Starts `command` in its own process group, as a terminal or a supervisor would, with a user's environment (no npm_* of an outer npm). */
async function start(command: string[]) {
  const port = await freePort();
  const env = Object.fromEntries(Object.entries({ ...process.env, ...t.env }).filter(([k]) => !k.toLowerCase().startsWith('npm_')));
  const proc = spawn(command[0]!, command.slice(1), {
    cwd: root,
    env: { ...env, MCP_AUDIT_INGEST_HEALTH_PORT: String(port) },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  for (const s of [proc.stdout!, proc.stderr!]) s.on('data', (b: Buffer) => (out = (out + b.toString()).slice(-50_000)));
  // 'close' waits for every process holding the output pipes, so also for an orphaned mcp-audit.
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.on('close', (code, signal) => resolve({ code, signal })));
  const run = { pgid: proc.pid!, closed, output: () => out };
  const healthy = await eventually(() => fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false), 90_000);
  if (!healthy) signalGroup(run.pgid, 'SIGKILL');
  expect(healthy, out).toBe(true);
  return run;
}

/** Runs `check` on a started run; whatever happens, nothing of the run is left behind. */
async function withRun(command: string[], check: (run: Awaited<ReturnType<typeof start>>) => Promise<void>): Promise<void> {
  const run = await start(command);
  try {
    await check(run);
  } finally {
    if (running(run.pgid).length > 0) signalGroup(run.pgid, 'SIGKILL');
  }
}

/** Whether every process of the group has ended (an orphan is reaped by init a moment after it exits). */
const ended = (pgid: number) => eventually(async () => running(pgid).length === 0, 10_000);

const npx = ['npx', 'mcp-audit', 'ingest'];
const npmRun = ['npm', 'run', '--silent', 'mcp-audit', '--', 'ingest'];

describe('ingest stopped by SIGTERM', () => {
  it.each([
    ['npx, SIGTERM to npm', npx, 'npm'],
    ['npx, SIGTERM to the process group', npx, 'group'],
    ['npm run, SIGTERM to npm', npmRun, 'npm'],
    ['npm run, SIGTERM to the process group', npmRun, 'group'],
  ] as const)('%s: stops cleanly and exits 0', async (_name, command, target) => {
    await withRun([...command], async (run) => {
      if (target === 'npm') process.kill(run.pgid, 'SIGTERM');
      else signalGroup(run.pgid, 'SIGTERM');
      expect(await run.closed, run.output()).toEqual({ code: 0, signal: null });
      expect(run.output()).toContain('"msg":"stopped cleanly"');
      expect(run.output()).not.toContain('second signal');
      expect(await ended(run.pgid), 'a process of the run is still alive').toBe(true);
    });
  });

  it("npx through Debian's sh, SIGTERM to npm: npm reports the shell's death, mcp-audit still stops cleanly", async () => {
    await withRun(['npx', '--script-shell=sh', 'mcp-audit', 'ingest'], async (run) => {
      process.kill(run.pgid, 'SIGTERM');
      // npm re-raises the signal its child (the shell) died of: what a shell shows as exit code 143.
      expect(await run.closed, run.output()).toEqual({ code: null, signal: 'SIGTERM' });
      expect(run.output()).toContain('"signal":"parent exited"');
      expect(run.output()).toContain('"msg":"stopped cleanly"');
      expect(await ended(run.pgid), 'mcp-audit still runs').toBe(true);
    });
  });
});
