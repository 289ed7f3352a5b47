// Files generated from code (JSON Schemas, the rule-format reference) are committed, so readers and
// editors find them without a build. One way to write them and to check they are current:
//   writeOrCheck(files, argv)   with `--check` in argv: report each stale file and return 1
import { readFileSync, writeFileSync } from 'node:fs';

function readCommitted(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Writes each [path, text], or with `--check` compares it with the file; returns the exit code. */
export function writeOrCheck(files: readonly (readonly [path: string, text: string])[], argv: readonly string[]): number {
  const check = argv.includes('--check');
  let stale = 0;
  for (const [path, fresh] of files) {
    if (!check) {
      writeFileSync(path, fresh);
      console.log(`wrote ${path}`);
    } else if (readCommitted(path) !== fresh) {
      console.error(`${path} is stale or missing: run \`npm run schema:generate\` and commit the result.`);
      stale++;
    }
  }
  return stale === 0 ? 0 : 1;
}
