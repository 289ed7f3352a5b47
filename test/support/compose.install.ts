// Debian's `docker-compose` (1.29, Python) validates docker-compose.yml without a Docker engine.
// A fresh machine may not have it: install it once when running as root, else tell why not.
// The install runs asynchronously: a minute-long blocking apt-get would starve the vitest worker's
// RPC ("Timeout calling onTaskUpdate") and fail the run although every test passed.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

async function onPath(cmd: string): Promise<boolean> {
  return run('sh', ['-c', `command -v ${cmd}`]).then(
    () => true,
    () => false,
  );
}

/** `null` when docker-compose is available (installing it if needed), else the reason it is not. */
export async function ensureDockerCompose(): Promise<string | null> {
  if (await onPath('docker-compose')) return null;
  if (process.getuid?.() !== 0) return 'docker-compose is not installed and this user is not root (apt-get install docker-compose)';
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  await run('apt-get', ['update'], { env, timeout: 300_000, maxBuffer: 64 * 1024 * 1024 });
  await run('apt-get', ['install', '-y', '--no-install-recommends', 'docker-compose'], { env, timeout: 600_000, maxBuffer: 64 * 1024 * 1024 });
  return (await onPath('docker-compose')) ? null : 'apt-get install docker-compose did not put docker-compose on the PATH';
}
