// Python packages from PyPI that tests use as independent references: a virtual environment with
// pinned packages, or one file taken out of a pinned wheel. Both are made once into the ignored
// `.cache/` folder and reused. Everything runs asynchronously: a blocking minute-long pip would
// starve the vitest worker's RPC (see compose.install.ts).
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../../core/config.ts';

const run = promisify(execFile);
const CACHE = join(PROJECT_ROOT, '.cache');
const big = { maxBuffer: 64 * 1024 * 1024 };

/**
 * A virtual environment holding exactly `requirements` (pinned `name==version`); returns its python.
 * Built in a scratch folder and renamed into place, so two test files asking at once cannot see a
 * half-made one.
 */
export async function pythonVenv(name: string, requirements: readonly string[]): Promise<string> {
  const dir = join(CACHE, `${name}-venv`);
  const python = join(dir, 'bin', 'python');
  const marker = join(dir, 'requirements.txt');
  const wanted = `${[...requirements].sort().join('\n')}\n`;
  if (existsSync(marker) && (await readFile(marker, 'utf8')) === wanted) return python;
  const scratch = `${dir}.${randomBytes(4).toString('hex')}`;
  await mkdir(CACHE, { recursive: true });
  await run('python3', ['-m', 'venv', scratch], { timeout: 120_000, ...big });
  await run(join(scratch, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', ...requirements], { timeout: 600_000, ...big });
  await writeFile(join(scratch, 'requirements.txt'), wanted);
  await rm(dir, { recursive: true, force: true });
  await rename(scratch, dir).catch(async (err: NodeJS.ErrnoException) => {
    // Another worker finished first with the same requirements: use theirs.
    await rm(scratch, { recursive: true, force: true });
    if (!existsSync(marker)) throw err;
  });
  // A venv's scripts name their interpreter by absolute path; the rename moved it, so call python directly.
  return python;
}

/**
 * One file out of a pinned wheel (`pip download --no-deps`), checked against its sha256 so a
 * republished package cannot change what the test compares against.
 */
export async function fileFromWheel(requirement: string, member: string, sha256: string): Promise<Buffer> {
  const dir = join(CACHE, 'wheels', requirement.replace(/[^A-Za-z0-9._-]/g, '_'));
  const cached = join(dir, member.replace(/\//g, '__'));
  if (existsSync(cached)) {
    const bytes = await readFile(cached);
    if (digest(bytes) === sha256) return bytes;
  }
  await mkdir(dir, { recursive: true });
  await run('python3', ['-m', 'pip', 'download', '--quiet', '--disable-pip-version-check', '--no-deps', '--only-binary', ':all:', '-d', dir, requirement], { timeout: 300_000, ...big });
  const wheel = (await readdir(dir)).find((f) => f.endsWith('.whl'));
  if (!wheel) throw new Error(`pip download ${requirement} gave no wheel`);
  const read = 'import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]))';
  const { stdout } = await run('python3', ['-c', read, join(dir, wheel), member], { encoding: 'buffer', ...big });
  if (digest(stdout) !== sha256) throw new Error(`${member} in ${wheel} has sha256 ${digest(stdout)}, expected ${sha256}`);
  await writeFile(cached, stdout);
  return stdout;
}

const digest = (b: Buffer) => createHash('sha256').update(b).digest('hex');
