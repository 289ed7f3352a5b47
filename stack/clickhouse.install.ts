// Finds the ClickHouse server binary and, on a machine that has none, installs Debian's
// clickhouse-server package (18.16) with apt-get. Only the binary is used: the stack runs it with
// its own config and data folder, never the system service, /etc/clickhouse-server or /var/lib/clickhouse.
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, rmSync, writeFileSync } from 'node:fs';
import type { Logger } from '../core/logger.ts';

export interface ClickHouseBinary {
  command: string;
  /** Upstream builds ship one `clickhouse` binary that takes `server` as its first argument. */
  args: string[];
}

const CANDIDATES: ClickHouseBinary[] = [
  { command: '/usr/bin/clickhouse-server', args: [] },
  { command: '/usr/sbin/clickhouse-server', args: [] }, // Debian's package puts it here
  { command: '/usr/bin/clickhouse', args: ['server'] },
];

export function findClickHouseServer(): ClickHouseBinary | undefined {
  return CANDIDATES.find((c) => {
    try {
      accessSync(c.command, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

export const APT_PACKAGES = ['clickhouse-server', 'clickhouse-client'];

/** Returns the server binary, installing the Debian packages first if there is none. */
export async function ensureClickHouseInstalled(log: Logger): Promise<ClickHouseBinary> {
  const found = findClickHouseServer();
  if (found) return found;
  const command = `apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${APT_PACKAGES.join(' ')}`;
  if (process.getuid?.() !== 0) {
    throw new Error(`ClickHouse is not installed and installing it needs root; run as root:\n  ${command}`);
  }
  log.info({ packages: APT_PACKAGES }, 'installing ClickHouse (Debian clickhouse-server) with apt-get (first use)...');
  // The package's postinst starts the system service on 8123/9000, which would take the stack's
  // ports. A policy-rc.d that answers 101 ("action forbidden") tells invoke-rc.d not to start it.
  const policy = '/usr/sbin/policy-rc.d';
  const ownPolicy = !existsSync(policy);
  if (ownPolicy) writeFileSync(policy, '#!/bin/sh\n# temporary, written by mcp-audit stack up\nexit 101\n', { mode: 0o755 });
  try {
    await run('apt-get', ['update'], log);
    await run('apt-get', ['install', '-y', '--no-install-recommends', ...APT_PACKAGES], log, {
      ...process.env,
      DEBIAN_FRONTEND: 'noninteractive',
    });
  } finally {
    if (ownPolicy) rmSync(policy, { force: true });
  }
  const installed = findClickHouseServer();
  if (!installed) throw new Error(`apt-get installed ${APT_PACKAGES.join(', ')} but no clickhouse-server binary was found`);
  log.info({ binary: installed.command }, 'installed ClickHouse');
  return installed;
}

function run(command: string, args: string[], log: Logger, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    let output = '';
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      output = (output + text).slice(-20_000);
      // Progress for people watching a first install: apt's own lines, one log line each.
      for (const line of text.split('\n')) if (/^(Get:|Setting up|Unpacking)/.test(line)) log.info(`apt: ${line.trim()}`);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (err) => reject(new Error(`could not run ${command}: ${err.message}`)));
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} failed (exit ${code}):\n${output.slice(-4_000)}`)),
    );
  });
}
