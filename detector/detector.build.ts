// Assembles the detector from configuration: catalogue, rule files, engine, and the functions the
// service plugs in. A bad rule or catalogue file stops start-up with every problem listed.
import type { ClickHouseClient } from '../core/clickhouse.ts';
import type { Config } from '../core/config.ts';
import { loadBaselineSnapshot } from './baselines/baselines.load.ts';
import { loadCatalogue } from '../classify/catalogue.ts';
import { eventFromRow } from './event.from-row.ts';
import { toAlert } from './rules/alert.ts';
import { createEngine } from './rules/engine.ts';
import { loadRulesOrThrow } from './rules/rules.load.ts';

export function buildDetector(config: Config, clickhouse: ClickHouseClient) {
  const catalogue = loadCatalogue(config.rules.catalogueFiles);
  const rules = loadRulesOrThrow(config.rules.dirs).map((r) => r.rule);
  // The service drives event time per partition (partition.watermark.ts), not the engine.
  const engine = createEngine({ rules, catalogue, allowedLatenessMs: config.detector.latenessMs, watermarkFromEvents: false, risk: config.detector.risk });
  return {
    engine,
    rules,
    catalogue,
    toAlert,
    fromRow: eventFromRow,
    loadBaselines: () => loadBaselineSnapshot(clickhouse, config.clickhouse.database),
  };
}
