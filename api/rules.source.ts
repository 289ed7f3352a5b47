// The detection rules the API lists and dry-runs: loaded once from MCP_AUDIT_RULES_DIRS (the shipped
// pack plus user folders) as the detector loads them, and the capability catalogue, loaded on the
// first dry run. A rule file with a problem is left out and logged; the API still starts, since
// the detector (not the API) is what refuses to run with a bad rule.
import type { Config } from '../core/config.ts';
import type { Logger } from '../core/logger.ts';
import { loadCatalogue, type Catalogue } from '../classify/catalogue.ts';
import { DEFAULT_RULES_DIR, loadRules, type LoadedRule } from '../detector/rules/rules.load.ts';

export interface RulesSource {
  /** In file order. */
  readonly rules: readonly LoadedRule[];
  byId(id: string): LoadedRule | undefined;
  /** 'pack' for the shipped rule pack, 'custom' for a user folder. */
  originOf(loaded: LoadedRule): 'pack' | 'custom';
  catalogue(): Catalogue;
}

export function loadRulesSource(config: Config, log: Logger): RulesSource {
  let rules: LoadedRule[] = [];
  try {
    const loaded = loadRules(config.rules.dirs);
    rules = loaded.rules;
    if (loaded.problems.length > 0) log.warn({ problems: loaded.problems }, 'rule files with problems are left out of the API');
  } catch (err) {
    log.error({ err, dirs: config.rules.dirs }, 'the rule folders could not be read; the API lists no rules');
  }
  const index = new Map(rules.map((r) => [r.rule.id, r]));
  let catalogue: Catalogue | undefined;
  return {
    rules,
    byId: (id) => index.get(id),
    originOf: (loaded) => (loaded.file.startsWith(DEFAULT_RULES_DIR) ? 'pack' : 'custom'),
    catalogue: () => (catalogue ??= loadCatalogue(config.rules.catalogueFiles)),
  };
}
