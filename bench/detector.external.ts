// `npm run eval:detector -- --external` (and the second half of a plain `npm run eval:detector`):
// recall per attack class, per-trace false-positive rate, high-severity false positives per million
// benign events and time to alert, on labelled traces the rules were not written from
// (bench/eval/external.eval.ts). A table per set, then one JSON line for all of them.
import { createClickHouse } from '../core/clickhouse.ts';
import type { Config } from '../core/config.ts';
import type { Logger } from '../core/logger.ts';
import { loadCatalogue } from '../classify/catalogue.ts';
import { loadRulesOrThrow } from '../detector/rules/rules.load.ts';
import { agentdojoSets } from './eval/agentdojo.set.ts';
import { routineSet } from './eval/routine.set.ts';
import { evaluateSet, printSet, type LabelledSet, type SetResult } from './eval/external.eval.ts';

export async function runExternalEval(config: Config, log: Logger, say: (msg: string) => void, only?: string, show?: string): Promise<SetResult[]> {
  const wanted = (name: string) => only === undefined || name.includes(only);
  // The routine set is generated in memory (about 20 s for 200 users): only when asked for.
  const sets: LabelledSet[] = [...agentdojoSets().filter((s) => wanted(s.name)), ...(wanted('routine-200') ? [routineSet(200)] : [])];
  const ch = createClickHouse({ ...config.clickhouse, database: null });
  const deps = { config, ch, catalogue: loadCatalogue(config.rules.catalogueFiles), rules: loadRulesOrThrow(config.rules.dirs).map((r) => r.rule), log, say, show };
  const results: SetResult[] = [];
  try {
    for (const set of sets) {
      const r = await evaluateSet(set, deps);
      printSet(r, (line) => console.log(line));
      results.push(r);
    }
  } finally {
    await ch.close();
  }
  console.log(JSON.stringify({ bench: 'detector.quality.external', sets: results.map((r) => ({ name: r.name, day_events: r.day_events, ...r.score, missed: r.score.missed.length, false_alert_positions: undefined })) }));
  return results;
}
