// An in-memory BaselineSnapshot from a small YAML fixture, for rule tests (a `tests[].baselines`
// file) and unit tests. Metrics left out have no samples, so rules on them stay silent.
//
//   computed_at: 2025-06-01T00:00:00Z
//   users:
//     - { tenant: acme, user: alice@acme.com, weeks: 4,
//         calls_per_hour: { samples: 200, median: 20, mad: 4 },
//         active_hours: [{ days: [mon, tue, wed, thu, fri], from: 8, to: 18 }],
//         known_tools: [read_file], known_servers: [filesystem], known_hosts: [api.github.com] }
//   tools:
//     - { tenant: acme, server: filesystem, tool: read_file, result_bytes_per_call: { samples: 500, median: 2000, mad: 800 } }
import { z } from 'zod';
import type { BaselineSnapshot, MetricBaseline, ToolBaseline, UserBaseline, UserToolBaseline } from '../baselines/baseline.types.ts';
import { fixtureFingerprint } from './event.builder.ts';
import { loadYamlFile } from '../../core/yaml.load.ts';

const metric = z
  .strictObject({ samples: z.number().int().min(0), median: z.number(), mad: z.number().min(0), p95: z.number().optional() })
  .transform((m): MetricBaseline => ({ ...m, p95: m.p95 ?? m.median }));
const NONE: MetricBaseline = Object.freeze({ samples: 0, median: 0, mad: 0, p95: 0 });
const day = z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);

const userSpec = z.strictObject({
  tenant: z.string(),
  user: z.string(),
  weeks: z.number().min(0).default(4),
  calls_per_hour: metric.optional(),
  bytes_out_per_hour: metric.optional(),
  bytes_in_per_call: metric.optional(),
  error_rate_per_hour: metric.optional(),
  distinct_resources_per_hour: metric.optional(),
  /** Hours [from, to) UTC of these days were active in every week of the history. */
  active_hours: z.array(z.strictObject({ days: z.array(day).min(1), from: z.number().int().min(0).max(23), to: z.number().int().min(1).max(24) })).default([]),
  known_tools: z.array(z.string()).default([]),
  known_servers: z.array(z.string()).default([]),
  known_hosts: z.array(z.string()).default([]),
  /** Destinations as in fixtures: recipients and hosts as they are, fingerprints as 'kind:value'. */
  known_destinations: z.array(z.string()).default([]),
  /** Values the user sends routinely, as fingerprints 'kind:value'. */
  known_sent_values: z.array(z.string()).default([]),
});

const toolSpec = z.strictObject({
  tenant: z.string(),
  server: z.string(),
  tool: z.string(),
  calls_per_hour: metric.optional(),
  result_bytes_per_call: metric.optional(),
  error_rate_per_hour: metric.optional(),
});

export const baselineFixtureSchema = z.strictObject({
  computed_at: z.iso.datetime({ offset: true }).optional(),
  lookback_days: z.number().min(0).default(28),
  users: z.array(userSpec).default([]),
  tools: z.array(toolSpec).default([]),
  user_tools: z.array(z.strictObject({ tenant: z.string(), user: z.string(), tool: z.string(), calls_per_hour: metric })).default([]),
});
export type BaselineFixture = z.input<typeof baselineFixtureSchema>;

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

export function buildBaselineSnapshot(input: BaselineFixture): BaselineSnapshot {
  const spec = baselineFixtureSchema.parse(input);
  const users = new Map<string, UserBaseline>();
  for (const u of spec.users) {
    const hourOfWeek = new Array<number>(168).fill(0);
    for (const range of u.active_hours) for (const d of range.days) for (let h = range.from; h < range.to; h++) hourOfWeek[DAYS.indexOf(d) * 24 + h] = Math.ceil(u.weeks);
    users.set(`${u.tenant}\u0001${u.user}`, {
      callsPerHour: u.calls_per_hour ?? NONE,
      bytesOutPerHour: u.bytes_out_per_hour ?? NONE,
      bytesInPerCall: u.bytes_in_per_call ?? NONE,
      errorRatePerHour: u.error_rate_per_hour ?? NONE,
      distinctResourcesPerHour: u.distinct_resources_per_hour ?? NONE,
      hourOfWeek,
      weeks: u.weeks,
      knownTools: new Set(u.known_tools),
      knownServers: new Set(u.known_servers),
      knownHosts: new Set(u.known_hosts),
      knownDestinations: new Set(u.known_destinations.map((d) => (/^(?:email|url|host|account|phone|number|id|text):/.test(d) ? fixtureFingerprint(d) : d))),
      knownSentValues: new Set(u.known_sent_values.map(fixtureFingerprint)),
    });
  }
  const tools = new Map<string, ToolBaseline>();
  for (const t of spec.tools) {
    tools.set(`${t.tenant}\u0001${t.server}\u0001${t.tool}`, {
      callsPerHour: t.calls_per_hour ?? NONE,
      resultBytesPerCall: t.result_bytes_per_call ?? NONE,
      errorRatePerHour: t.error_rate_per_hour ?? NONE,
    });
  }
  const userTools = new Map<string, UserToolBaseline>();
  for (const t of spec.user_tools) userTools.set(`${t.tenant}\u0001${t.user}\u0001${t.tool}`, { callsPerHour: t.calls_per_hour });
  return {
    computedAt: spec.computed_at ? Date.parse(spec.computed_at) : 0,
    lookbackDays: spec.lookback_days,
    user: (tenant, user) => users.get(`${tenant}\u0001${user}`),
    tool: (tenant, server, tool) => tools.get(`${tenant}\u0001${server}\u0001${tool}`),
    userTool: (tenant, user, tool) => userTools.get(`${tenant}\u0001${user}\u0001${tool}`),
  };
}

export function loadBaselineFixture(file: string): BaselineSnapshot {
  return buildBaselineSnapshot(loadYamlFile(file, baselineFixtureSchema) as BaselineFixture);
}
