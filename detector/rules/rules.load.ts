// Loads rule files (one rule per `*.yaml` file) from one or more folders; every problem is reported
// with file and line, and rule ids must be unique across all folders.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseYamlWith } from '../../core/yaml.load.ts';
import { readFileSync } from 'node:fs';
import { ruleSchema, type Rule } from './rule.schema.ts';

/** The shipped rule pack. */
export const DEFAULT_RULES_DIR = fileURLToPath(new URL('../pack/', import.meta.url));

export interface LoadedRule {
  rule: Rule;
  file: string;
}

export interface RulesLoad {
  rules: LoadedRule[];
  problems: string[];
}

export function ruleFilesIn(dir: string): string[] {
  if (statSync(dir).isFile()) return [dir];
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => join(dir, f));
}

export function loadRules(dirs: readonly string[]): RulesLoad {
  const rules: LoadedRule[] = [];
  const problems: string[] = [];
  const ids = new Map<string, string>();
  for (const file of dirs.flatMap(ruleFilesIn)) {
    const result = parseYamlWith(file, readFileSync(file, 'utf8'), ruleSchema);
    if (!result.ok) {
      problems.push(...result.problems);
      continue;
    }
    const first = ids.get(result.value.id);
    if (first) {
      problems.push(`${file}:1:1: rule id "${result.value.id}" is already used by ${first}`);
      continue;
    }
    ids.set(result.value.id, file);
    rules.push({ rule: result.value, file });
  }
  return { rules, problems };
}

export class RulesError extends Error {}

/** Loads or throws one error listing every problem (for services: a bad rule stops start-up). */
export function loadRulesOrThrow(dirs: readonly string[]): LoadedRule[] {
  const { rules, problems } = loadRules(dirs);
  if (problems.length > 0) throw new RulesError(`invalid rules:\n  ${problems.join('\n  ')}`);
  return rules;
}
