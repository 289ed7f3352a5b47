// Debian's `docker-compose` (1.29, Python) validates docker-compose.yml without a Docker engine.
// A fresh machine may not have it: install it once when running as root, else tell why not.
import { execFileSync } from 'node:child_process';

function onPath(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** `null` when docker-compose is available (installing it if needed), else the reason it is not. */
export function ensureDockerCompose(): string | null {
  if (onPath('docker-compose')) return null;
  if (process.getuid?.() !== 0) return 'docker-compose is not installed and this user is not root (apt-get install docker-compose)';
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update'], { stdio: 'ignore', env, timeout: 300_000 });
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'docker-compose'], { stdio: 'ignore', env, timeout: 600_000 });
  return onPath('docker-compose') ? null : 'apt-get install docker-compose did not put docker-compose on the PATH';
}
