// One row of the ClickHouse `baselines` table (migrations/0003_baselines.sql) and the conversions
// between its flat metric columns (samples/median/mad/p95) and `MetricBaseline`.
import type { MetricBaseline } from './baseline.types.ts';
import { NO_SAMPLES } from './robust.stats.ts';

export const baselineScopes = ['user', 'tool', 'user_tool'] as const;
export type BaselineScope = (typeof baselineScopes)[number];

export const metricPrefixes = [
  'calls_per_hour',
  'bytes_out_per_hour',
  'bytes_in_per_call',
  'error_rate_per_hour',
  'distinct_resources_per_hour',
] as const;
export type MetricPrefix = (typeof metricPrefixes)[number];

type MetricColumns = {
  [P in MetricPrefix as `${P}_samples` | `${P}_median` | `${P}_mad` | `${P}_p95`]: number;
};

export type BaselineRow = MetricColumns & {
  tenant_id: string;
  scope: BaselineScope;
  /** '' for scope `tool`. */
  user_id: string;
  /** '' for scopes `user` and `user_tool` (a user x tool baseline spans servers, as the contract looks it up by tool name). */
  server_name: string;
  /** '' for scope `user`. */
  tool_name: string;
  /** Epoch seconds. */
  computed_at: number;
  computed_at_ms: number;
  lookback_days: number;
  /** Epoch seconds of the key's first and last event in the window. */
  first_seen: number;
  last_seen: number;
  weeks: number;
  calls: number;
  hour_of_week: number[];
  known_tools: string[];
  known_servers: string[];
  known_hosts: string[];
  known_destinations: string[];
  known_secret_paths: string[];
  known_sent_values: string[];
};

/** The four columns of one metric. */
export function metricColumns(prefix: MetricPrefix, m: MetricBaseline = NO_SAMPLES): Partial<MetricColumns> {
  return { [`${prefix}_samples`]: m.samples, [`${prefix}_median`]: m.median, [`${prefix}_mad`]: m.mad, [`${prefix}_p95`]: m.p95 };
}

/** Reads one metric back; ClickHouse returns 64-bit numbers as strings, so everything goes through Number(). */
export function metricFrom(row: Record<string, unknown>, prefix: MetricPrefix): MetricBaseline {
  return {
    samples: Number(row[`${prefix}_samples`] ?? 0),
    median: Number(row[`${prefix}_median`] ?? 0),
    mad: Number(row[`${prefix}_mad`] ?? 0),
    p95: Number(row[`${prefix}_p95`] ?? 0),
  };
}

/** A row with every metric empty; the compute job fills in what the scope has. */
export function emptyRow(base: Pick<BaselineRow, 'tenant_id' | 'scope' | 'user_id' | 'server_name' | 'tool_name'>): BaselineRow {
  const metrics = Object.assign({}, ...metricPrefixes.map((p) => metricColumns(p))) as MetricColumns;
  return {
    ...metrics,
    ...base,
    computed_at: 0,
    computed_at_ms: 0,
    lookback_days: 0,
    first_seen: 0,
    last_seen: 0,
    weeks: 0,
    calls: 0,
    hour_of_week: [],
    known_tools: [],
    known_servers: [],
    known_hosts: [],
    known_destinations: [],
    known_secret_paths: [],
    known_sent_values: [],
  };
}
