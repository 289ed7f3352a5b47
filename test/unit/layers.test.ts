// The import rule: every import runs downward (.dependency-cruiser.mjs, docs/architecture.md).
// dependency-cruiser reads every import of the repository, type-only ones included, and this test
// fails with each violation listed. The fixture below shows that the rule set really fails on an
// upward import. Pure: nothing is started.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise, type ICruiseResult, type IConfiguration } from 'dependency-cruiser';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const configUrl = new URL('../../.dependency-cruiser.mjs', import.meta.url).href;
const { default: config, layers } = (await import(configUrl)) as { default: IConfiguration; layers: string[][] };

/** `rule: from → to`, one line per violation, sorted. */
async function violations(baseDir: string): Promise<string[]> {
  const { output } = await cruise(['.'], { ...config.options, baseDir, validate: true, ruleSet: { forbidden: config.forbidden ?? [] } });
  const result = output as ICruiseResult;
  return result.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`).sort();
}

describe('imports run downward', () => {
  it('no folder imports a folder above it or a peer', async () => {
    const found = await violations(root);
    expect(found, `upward or peer imports (see .dependency-cruiser.mjs):\n${found.join('\n')}`).toEqual([]);
  });

  it('gives every top-level folder with TypeScript a layer', () => {
    const skip = new Set(['node_modules', 'dist']);
    const hasTs = (dir: string): boolean =>
      readdirSync(dir, { withFileTypes: true }).some((e) => (e.isDirectory() ? hasTs(join(dir, e.name)) : e.name.endsWith('.ts')));
    const folders = readdirSync(root, { withFileTypes: true })
      .filter((e) => e.isDirectory() && !e.name.startsWith('.') && !skip.has(e.name) && hasTs(join(root, e.name)))
      .map((e) => e.name);
    const placed = new Set(layers.flat());
    expect(folders.filter((f) => !placed.has(f)), 'folders without a layer in .dependency-cruiser.mjs').toEqual([]);
  });

  describe('on a fixture tree', () => {
    const tree = mkdtempSync(join(tmpdir(), 'layers-'));
    afterAll(() => rmSync(tree, { recursive: true, force: true }));
    const files: Record<string, string> = {
      // Upward: the bottom layer reaching for the command line.
      'core/config.ts': "import { main } from '../cli/main.ts';\nexport const config = main;\n",
      // Peers: one service importing another.
      'ingest/events.pipeline.ts': "import { engine } from '../detector/engine.ts';\nexport const pipeline = engine;\n",
      // Downward, allowed: a service, the command line, a test beside the code using test/support/.
      'detector/engine.ts': "import { classify } from '../classify/classify.ts';\nexport const engine = classify;\n",
      'classify/classify.ts': 'export const classify = 1;\n',
      'cli/main.ts': "import type { Config } from '../core/types.ts';\nexport const main: Config = 1;\n",
      'core/types.ts': 'export type Config = number;\n',
      'notifier/format.test.ts': "import { alert } from '../test/support/alerts.factory.ts';\nexport const a = alert;\n",
      'test/support/alerts.factory.ts': 'export const alert = 1;\n',
      // Production code using test tooling, and an upward import that is only a type.
      'notifier/format.ts': "import { alert } from '../test/support/alerts.factory.ts';\nexport const a = alert;\n",
      'schemas/alert.ts': "import type { Config } from '../cli/options.ts';\nexport const x: Config | 1 = 1;\n",
      'cli/options.ts': 'export type Config = number;\n',
    };
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(dirname(join(tree, file)), { recursive: true });
      writeFileSync(join(tree, file), text);
    }

    it('fails on each upward import, type-only ones too, on peer imports and on test tooling in production code', async () => {
      expect(await violations(tree)).toEqual([
        'core-imports-upward: core/config.ts → cli/main.ts',
        'ingest-imports-a-peer: ingest/events.pipeline.ts → detector/engine.ts',
        'production-code-imports-test-tooling: notifier/format.ts → test/support/alerts.factory.ts',
        'schemas-imports-upward: schemas/alert.ts → cli/options.ts',
      ]);
    });
  });
});
