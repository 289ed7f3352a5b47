// Starts, probes and stops one local ClickHouse server with the instance's own generated config
// and data folder on 127.0.0.1: installs the package on first use, runs the server detached and
// waits until HTTP /ping answers "Ok.".
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Logger } from '../core/logger.ts';
import { ensureClickHouseInstalled } from './clickhouse.install.ts';
import { renderConfigXml, renderUsersXml, type ClickHouseHttps } from './clickhouse.config.ts';
import { portOpen, runningPid, spawnDetached, stopProcess, tail, waitFor, withLock, type StopSignal } from './process.ts';

export interface ClickHouseInstance {
  /** Folder of this instance: config, data, logs and pid file. */
  dir: string;
  httpPort: number;
  tcpPort: number;
  /** An HTTPS port too (TLS client tests); readiness is still probed over HTTP. */
  https?: ClickHouseHttps;
}

const READY_TIMEOUT_MS = 60_000;

export function clickhousePaths(inst: ClickHouseInstance) {
  const dir = resolve(inst.dir);
  return {
    dir,
    configXml: join(dir, 'config', 'config.xml'),
    usersXml: join(dir, 'config', 'users.xml'),
    dataDir: join(dir, 'data'),
    tmpDir: join(dir, 'tmp'),
    userFilesDir: join(dir, 'user_files'),
    formatSchemaDir: join(dir, 'format_schemas'),
    logsDir: join(dir, 'logs'),
    /** The server's own stdout/stderr: crashes and anything printed before its logger is set up. */
    outFile: join(dir, 'logs', 'clickhouse.out'),
    pidFile: join(dir, 'clickhouse.pid'),
  };
}

export function clickhouseUrl(inst: ClickHouseInstance): string {
  return `http://127.0.0.1:${inst.httpPort}`;
}

/** The pid of this instance's server if it runs (the pid file names a live process using our config). */
export function clickhousePid(inst: ClickHouseInstance): number | undefined {
  const p = clickhousePaths(inst);
  return runningPid(p.pidFile, p.configXml);
}

/** True once GET /ping answers "Ok.". */
export async function clickhouseReady(httpPort: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${httpPort}/ping`, { signal: AbortSignal.timeout(2_000) });
    return res.ok && (await res.text()).trim() === 'Ok.';
  } catch {
    return false;
  }
}

/** Installs if needed, starts the server if it is not running, and waits until it is ready. Idempotent. */
export async function startClickHouse(inst: ClickHouseInstance, log: Logger): Promise<void> {
  await withLock(join(resolve(inst.dir), 'start.lock'), () => startClickHouseLocked(inst, log));
}

async function startClickHouseLocked(inst: ClickHouseInstance, log: Logger): Promise<void> {
  const p = clickhousePaths(inst);
  const url = clickhouseUrl(inst);
  const running = clickhousePid(inst);
  if (running !== undefined) {
    await waitUntilReady(inst, running, p);
    log.info({ servicePid: running, url }, 'ClickHouse already running');
    return;
  }
  for (const port of [inst.httpPort, inst.tcpPort]) {
    if (await portOpen(port)) {
      throw new Error(
        `cannot start ClickHouse: port ${port} is already in use by a process this stack did not start ` +
          `(no live pid file in ${p.dir}); if it is the system service, stop it with ` +
          '`service clickhouse-server stop`, or choose other ports',
      );
    }
  }
  const binary = await ensureClickHouseInstalled(log);

  for (const d of [join(p.dir, 'config'), p.dataDir, p.tmpDir, p.userFilesDir, p.formatSchemaDir, p.logsDir]) {
    mkdirSync(d, { recursive: true });
  }
  // Rewritten on every start so a changed port or setting takes effect on the next `up`.
  writeFileSync(p.configXml, renderConfigXml({ ...p, httpPort: inst.httpPort, tcpPort: inst.tcpPort, https: inst.https }));
  writeFileSync(p.usersXml, renderUsersXml());

  log.info({ url, tcpPort: inst.tcpPort, logs: p.logsDir }, 'starting ClickHouse');
  const pid = spawnDetached(binary.command, [...binary.args, `--config-file=${p.configXml}`], {
    cwd: p.dir,
    outFile: p.outFile,
    pidFile: p.pidFile,
  });
  const started = Date.now();
  await waitUntilReady(inst, pid, p);
  log.info({ servicePid: pid, url, seconds: Math.round((Date.now() - started) / 1000) }, 'ClickHouse is ready');
}

async function waitUntilReady(inst: ClickHouseInstance, pid: number, p: ReturnType<typeof clickhousePaths>): Promise<void> {
  await waitFor(`waiting for ClickHouse on ${clickhouseUrl(inst)}`, () => clickhouseReady(inst.httpPort), {
    timeoutMs: READY_TIMEOUT_MS,
    intervalMs: 250,
    abort: () =>
      runningPid(p.pidFile, p.configXml) === pid
        ? undefined
        : `the server (pid ${pid}) exited; last lines of ${p.outFile}:\n${tail(p.outFile)}\n` +
          `last lines of ${join(p.logsDir, 'clickhouse-server.err.log')}:\n${tail(join(p.logsDir, 'clickhouse-server.err.log'))}`,
  });
}

/** Stops this instance's server (only if we started it) and waits until the process is gone. */
export async function stopClickHouse(inst: ClickHouseInstance, signal: StopSignal = 'SIGTERM'): Promise<number | undefined> {
  const p = clickhousePaths(inst);
  return stopProcess(p.pidFile, p.configXml, signal);
}
