// The published package, used the way a stranger would: `npm pack` (which builds dist/ through
// prepack), the tarball installed into an empty folder on Node 24, the CLI run through npx, and the
// public entry points imported from a JavaScript file and from a TypeScript file that tsc checks
// against the shipped declarations. Nothing here needs Kafka or ClickHouse. npm installs from its
// cache where it can (--prefer-offline) and asks the registry for the rest.
import { execFile } from 'node:child_process';
import { cpSync, existsSync, globSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUNTIME_ASSETS } from '../build/dist.build.ts';

const root = fileURLToPath(new URL('../', import.meta.url));
const consumerFiles = fileURLToPath(new URL('./package.consumer/', import.meta.url));
const require = createRequire(import.meta.url);
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string; exports: Record<string, string | Record<string, string>> };
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version: string }> };
/** The version the lockfile holds, which npm's cache has from the checkout's own install. */
const lockedVersion = (name: string) => lock.packages[`node_modules/${name}`]!.version;

// Node 24 from the pinned `node` devDependency goes first on the PATH, so npm, npx and the bin's
// `#!/usr/bin/env node` all run on it. npm settings of an outer `npm test` (npm_*) are left out: the
// installs below are a fresh user's.
const node24 = join(dirname(require.resolve('node/package.json')), 'bin', 'node');
const env: NodeJS.ProcessEnv = {
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_'))),
  PATH: `${dirname(node24)}:${process.env.PATH}`,
  npm_config_update_notifier: 'false',
};
const npmQuiet = ['--prefer-offline', '--no-audit', '--no-fund'];

async function run(cmd: string, args: string[], cwd: string): Promise<string> {
  try {
    return (await promisify(execFile)(cmd, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 << 20 })).stdout;
  } catch (err) {
    const e = err as { message: string; stdout?: string; stderr?: string };
    throw new Error(`${cmd} ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
}

let work: string;
let project: string;
let packed: string[];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'mcp-audit-package-'));
  await run('npm', ['pack', '--pack-destination', work], root);
  const tarball = join(work, readdirSync(work).find((f) => f.endsWith('.tgz'))!);
  packed = (await run('tar', ['-tzf', tarball], work)).split('\n').filter(Boolean);
  project = join(work, 'project');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  await run('npm', ['install', ...npmQuiet, tarball], project);
});
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the npm package', () => {
  it('holds the compiled code, its declarations and the runtime assets, and no tests, benches or CI files', () => {
    const unexpected = packed.filter((f) => !/^package\/(package\.json|README\.md|bin\/mcp-audit\.js|dist\/.+)$/.test(f));
    expect(unexpected).toEqual([]);
    expect(packed.filter((f) => f.includes('.test.') || (f.endsWith('.ts') && !f.endsWith('.d.ts')))).toEqual([]);
    for (const pattern of RUNTIME_ASSETS) {
      for (const file of globSync(pattern, { cwd: root })) expect(packed, `${file} is read at run time`).toContain(`package/dist/${file}`);
    }
    const targets = Object.values(pkg.exports).flatMap((t) => (typeof t === 'string' ? [t] : Object.values(t)));
    for (const target of targets) expect(packed, `exports names ${target}`).toContain(`package/${target.replace(/^\.\//, '')}`);
  });

  it('runs on Node 24 through npx: --help and --version', async () => {
    expect((await run('node', ['--version'], project)).trim()).toMatch(/^v24\./);
    expect((await run('npx', ['mcp-audit', '--version'], project)).trim()).toBe(pkg.version);
    expect(await run('npx', ['mcp-audit', '--help'], project)).toMatch(/^Usage: mcp-audit/);
  });

  it('finds its assets from dist/: the shipped rules pass their own tests', async () => {
    expect(await run('npx', ['mcp-audit', 'rules', 'test'], project)).toMatch(/\n\d+ passed, 0 failed\n$/);
  });

  it('needs no @modelcontextprotocol/sdk at run time: a .js file imports the producer, the middleware and the schema', async () => {
    const installed = join(project, 'node_modules', 'mcp-audit');
    const runtimeImports = globSync('dist/**/*.js', { cwd: installed }).filter((f) =>
      /(?:from|import\()\s*['"]@modelcontextprotocol\/sdk/.test(readFileSync(join(installed, f), 'utf8')),
    );
    expect(runtimeImports).toEqual([]);
    expect(existsSync(join(project, 'node_modules', '@modelcontextprotocol'))).toBe(false);

    cpSync(join(consumerFiles, 'consumer.js'), join(project, 'consumer.js'));
    cpSync(join(root, 'schemas/fixtures/v2/valid/minimal-event.json'), join(project, 'event.json'));
    expect(JSON.parse(await run('node', ['consumer.js'], project))).toEqual({
      key: 't:u',
      rejected: true,
      valid: true,
      schema: 'https://json-schema.org/draft/2020-12/schema',
      middleware: ['function', 'function'],
      previewChars: 1024,
    });
  });

  it('a .ts file with the MCP SDK type-checks against the shipped declarations and runs on Node 24', async () => {
    // What a middleware user has: the SDK (an optional peer) and Node's types.
    const deps = [`@modelcontextprotocol/sdk@${lockedVersion('@modelcontextprotocol/sdk')}`, `@types/node@${lockedVersion('@types/node')}`];
    await run('npm', ['install', ...npmQuiet, ...deps], project);
    for (const f of ['consumer.ts', 'tsconfig.json']) cpSync(join(consumerFiles, f), join(project, f));
    await run('node', [require.resolve('typescript/bin/tsc'), '-p', join(project, 'tsconfig.json')], project);
    expect(JSON.parse(await run('node', ['consumer.ts'], project))).toEqual({ tool: 'ping', status: 'ok', valid: true, key: 'acme:alice', rejected: true });
  });
});
