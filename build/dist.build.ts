// `npm run build`: compiles what the published package runs into dist/ (tsconfig.build.json) and
// copies beside it the files the code reads at run time, at the same relative places as in the
// source tree, so every `new URL('./x', import.meta.url)` finds its file from dist/ too.
// `npm pack` and `npm publish` run it (prepack); a checkout runs the sources and never needs it.
import { spawnSync } from 'node:child_process';
import { cpSync, globSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');

/** Read at run time (each line: what reads it). A test installs the packed package and uses them. */
export const RUNTIME_ASSETS = [
  'migrations/*.sql', // migrations/migrate.ts
  'schemas/event.v*.schema.json', // api/openapi.ts, and `mcp-audit/schema/*.schema.json` for other languages
  'classify/catalogue.yaml', // classify/catalogue.ts
  'detector/pack/*.yaml', // the shipped rules (MCP_AUDIT_RULES_DIRS default)
  'detector/pack/fixtures/*', // the shipped rules' own tests (`mcp-audit rules test`)
  'detector/rules/rule.schema.json', // named by the shipped rules' first line (editors), and `mcp-audit/rule.schema.json`
  'stack/kafka/pom.xml', // stack/kafka.install.ts
];

function build(): void {
  // A clean folder: a module deleted from the sources must not live on in the package.
  rmSync(dist, { recursive: true, force: true });
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const compiled = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
  if (compiled.status !== 0) {
    process.stderr.write('build: tsc failed\n');
    process.exit(1);
  }
  let copied = 0;
  for (const pattern of RUNTIME_ASSETS) {
    const files = globSync(pattern, { cwd: root });
    if (files.length === 0) throw new Error(`build: no file matches the runtime asset pattern ${pattern}`);
    for (const file of files) cpSync(join(root, file), join(dist, file));
    copied += files.length;
  }
  process.stdout.write(`build: dist/ compiled, ${copied} runtime assets copied\n`);
}

if (import.meta.main) build();
