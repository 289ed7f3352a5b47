// `npm install` on a fresh clone must leave the committed lockfile byte-identical (the README's two
// commands promise it). The cause of the old drift: the lockfile had been written from a
// node_modules that held only this platform's optional packages (an `npm install <pkg>` over an
// existing tree), so a fresh install added the other platforms' entries. A lockfile written from a
// clean install records every platform's optional packages; the first test checks that it does.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../', import.meta.url);
const lock = JSON.parse(readFileSync(new URL('package-lock.json', root), 'utf8')) as { packages: Record<string, { os?: string[] }> };

describe('the committed lockfile', () => {
  it("records other platforms' optional packages, so an install on any machine adds none", () => {
    const platforms = new Set(Object.values(lock.packages).flatMap((p) => p.os ?? []));
    for (const os of ['darwin', 'win32', 'linux']) expect(platforms.has(os), `no optional package for ${os}`).toBe(true);
  });

  // In CI `.ci/run` has just run `npm install` on a fresh clone: the file must be as committed.
  it.runIf(process.env.CI === 'true')('is unchanged by the npm install that CI just ran', () => {
    const status = execFileSync('git', ['status', '--porcelain', '--', 'package-lock.json'], { cwd: root, encoding: 'utf8' });
    expect(status, 'npm install changed package-lock.json').toBe('');
  });
});
