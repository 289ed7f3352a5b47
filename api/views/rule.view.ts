// Rules as the API shows them, and the dry run: the backtest of `mcp-audit rules backtest`
// (detector/rules/rules.backtest.ts) over a time range of one tenant's events, reading only
// `fromTenant(scope, 'events')`, within bounds that keep one request to seconds and bounded memory.
// A dry run produces nothing (no alert, no incident).
import type { ClickHouseClient } from '../../core/clickhouse.ts';
import { z } from 'zod';
import { evidenceItem, severities } from '../../schemas/alert.v1.ts';
import { backtestAlert, backtestRule } from '../../detector/rules/rules.backtest.ts';
import type { LoadedRule } from '../../detector/rules/rules.load.ts';
import { isoTime, toIso } from '../api.schemas.ts';
import { tenantBaselines } from '../queries/baselines.queries.ts';
import { fromTenant, type TenantScope } from '../queries/tenant.scope.ts';
import type { RulesSource } from '../rules.source.ts';

// A dry run holds one request open while it reads events; these bounds keep it to seconds and
// bounded memory. Longer ranges are cut (the answer says so and where to resume).
const MAX_RANGE_MS = 7 * 24 * 3_600_000;
const MAX_EVENTS = 200_000;
const MAX_ALERTS = 500;
const PAGE_ROWS = 5_000;

// `risk`: story alerts (a dry run of a signal rule can raise them).
const ruleKinds = ['sequence', 'threshold', 'pattern', 'first_seen', 'baseline', 'drift', 'risk'] as const;

const ruleRef = z.object({ id: z.string(), version: z.number().int(), title: z.string(), kind: z.enum(ruleKinds) });

export const ruleOut = z
  .object({
    id: z.string(),
    version: z.number().int(),
    title: z.string(),
    kind: z.enum(ruleKinds),
    severity: z.enum(severities),
    risk_score: z.number().int(),
    description: z.string(),
    tags: z.array(z.string()),
    enabled: z.boolean(),
    suppress_ms: z.number().int().nullable().describe('After a match, the same key stays silent this long (null: never)'),
    tests: z.number().int().describe('Number of tests shipped with the rule'),
    origin: z.enum(['pack', 'custom']).describe('pack: the shipped rule pack; custom: a folder of MCP_AUDIT_RULES_DIRS'),
  })
  .meta({ id: 'Rule' });

export const ruleDetailOut = ruleOut
  .extend({ definition: z.record(z.string(), z.unknown()).describe('The rule as loaded (durations in ms), without its tests') })
  .meta({ id: 'RuleDetail' });

const dryRunAlert = z
  .object({
    alert_id: z.string().describe('The id the alert would have (deterministic: rule version and evidence)'),
    rule: ruleRef,
    severity: z.enum(severities),
    risk_score: z.number().int(),
    summary: z.string(),
    user_id: z.string(),
    session_id: z.string(),
    agent_id: z.string(),
    client_name: z.string(),
    ts: isoTime.describe('Event time of the evidence event that completed the match'),
    evidence_event_ids: z.array(z.string()),
    evidence: z.array(evidenceItem).describe('The evidence events, in event-time order'),
    tags: z.array(z.string()),
  })
  .meta({ id: 'DryRunAlert' });

export const dryRunOut = z
  .object({
    rule: ruleRef,
    from: isoTime,
    to: isoTime.describe('End of the range read: `to` as asked, or cut to 7 days after `from`'),
    events_read: z.number().int(),
    complete: z.boolean().describe('False when the range was cut (7 days) or the event cap (200,000) was reached; continue from `resume_from`'),
    resume_from: isoTime.nullable().describe('Where a following dry run would continue (null when complete)'),
    alert_count: z.number().int().describe('Alerts the rule would have raised (all of them, even past the 500 listed)'),
    alerts: z.array(dryRunAlert).describe('The first 500, in the order they would have been raised'),
    baselines_from: isoTime
      .nullable()
      .describe('baseline and first_seen rules: the baseline run they were judged against (the newest; null when none, and then they stay silent)'),
  })
  .meta({ id: 'DryRun' });

export type DryRunOut = z.infer<typeof dryRunOut>;
type DryRunAlert = z.infer<typeof dryRunAlert>;

export function ruleSummary(source: RulesSource, loaded: LoadedRule): z.infer<typeof ruleOut> {
  const rule = loaded.rule;
  return {
    id: rule.id,
    version: rule.version,
    title: rule.title,
    kind: rule.kind,
    severity: rule.severity,
    risk_score: rule.risk_score,
    description: rule.description,
    tags: rule.tags,
    enabled: rule.enabled,
    suppress_ms: rule.suppress ?? null,
    tests: rule.tests.length,
    origin: source.originOf(loaded),
  };
}

/** A rule with its definition as loaded (durations in ms), without its tests. */
export function ruleDetail(source: RulesSource, loaded: LoadedRule): z.infer<typeof ruleDetailOut> {
  const { tests: _tests, ...definition } = loaded.rule;
  return { ...ruleSummary(source, loaded), definition: JSON.parse(JSON.stringify(definition)) as Record<string, unknown> };
}

export interface DryRunRequest {
  ch: ClickHouseClient;
  scope: TenantScope;
  rules: RulesSource;
  loaded: LoadedRule;
  /** The detector's allowed lateness, so the dry run orders events as the detector would. */
  allowedLatenessMs: number;
  fromMs: number;
  toMs: number;
  /** Stamped on the would-be alerts. */
  now: Date;
}

/** The alerts one rule (enabled or not) would have raised over [fromMs, toMs) of the tenant's events. */
export async function dryRun(r: DryRunRequest): Promise<DryRunOut> {
  const rule = r.loaded.rule;
  const fromMs = r.fromMs;
  const cut = r.toMs - fromMs > MAX_RANGE_MS;
  const toMs = cut ? fromMs + MAX_RANGE_MS : r.toMs;
  const judgedByBaselines = rule.kind === 'baseline' || rule.kind === 'first_seen';
  const baselines = judgedByBaselines ? await tenantBaselines(r.ch, r.scope) : undefined;
  const alerts: DryRunAlert[] = [];
  const result =
    toMs > fromMs
      ? await backtestRule({
          ch: r.ch,
          source: fromTenant(r.scope, 'events', { final: true }),
          rule,
          catalogue: r.rules.catalogue(),
          allowedLatenessMs: r.allowedLatenessMs,
          ...(baselines ? { baselines } : {}),
          fromMs,
          toMs,
          pageRows: PAGE_ROWS,
          maxEvents: MAX_EVENTS,
          onMatch: (m) => {
            if (alerts.length >= MAX_ALERTS) return;
            const a = backtestAlert(m, r.now);
            alerts.push({
              alert_id: a.alert_id,
              rule: a.rule,
              severity: a.severity,
              risk_score: a.risk_score,
              summary: a.summary,
              user_id: a.user_id,
              session_id: a.session_id,
              agent_id: a.agent_id,
              client_name: a.client_name,
              ts: toIso(Date.parse(a.ts)),
              evidence_event_ids: a.evidence.map((e) => e.event_id),
              evidence: a.evidence,
              tags: a.tags,
            });
          },
        })
      : { read: 0, raised: 0, complete: true, lastMs: fromMs };
  const resumeFrom = !result.complete ? result.lastMs : cut ? toMs : null;
  return {
    rule: { id: rule.id, version: rule.version, title: rule.title, kind: rule.kind },
    from: toIso(fromMs),
    to: toIso(toMs),
    events_read: result.read,
    complete: resumeFrom === null,
    resume_from: resumeFrom === null ? null : toIso(resumeFrom),
    alert_count: result.raised,
    alerts,
    baselines_from: judgedByBaselines && baselines ? toIso(baselines.computedAt) : null,
  };
}
