// Rules: the list, one rule with its definition, and a dry run of one rule over a time range of the
// key's tenant's events — the backtest of `mcp-audit rules backtest` (detector/rules/rules.backtest.ts)
// reading only `fromTenant(scope, 'events')`. A dry run produces nothing (no alert, no incident).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { evidenceItem, severities } from '../../schemas/alert.v1.ts';
import { backtestAlert, backtestRule } from '../../detector/rules/rules.backtest.ts';
import type { LoadedRule } from '../../detector/rules/rules.load.ts';
import type { ApiDeps } from '../api.deps.ts';
import { isoTime, timeParam, toIso } from '../api.schemas.ts';
import { tenantOf } from '../auth/auth.hook.ts';
import { AUTHED_ERRORS, HttpProblem, problemResponses } from '../problem.ts';
import { tenantBaselines } from '../queries/baselines.queries.ts';
import { fromTenant } from '../queries/tenant.scope.ts';
import type { RulesSource } from '../rules.source.ts';

const security = [{ apiKey: [] }];

// A dry run holds one request open while it reads events; these bounds keep it to seconds and
// bounded memory. Longer ranges are cut (the answer says so and where to resume).
const MAX_RANGE_MS = 7 * 24 * 3_600_000;
const MAX_EVENTS = 200_000;
const MAX_ALERTS = 500;
const PAGE_ROWS = 5_000;

// `risk`: story alerts (a dry run of a signal rule can raise them).
const ruleKinds = ['sequence', 'threshold', 'pattern', 'first_seen', 'baseline', 'drift', 'risk'] as const;

const ruleRef = z.object({ id: z.string(), version: z.number().int(), title: z.string(), kind: z.enum(ruleKinds) });

const ruleOut = z
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

const ruleDetail = ruleOut
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

const dryRunOut = z
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

const ruleIdParams = z.object({ rule_id: z.string().regex(/^[a-z0-9][a-z0-9._-]{2,127}$/).describe('Rule id') });

function summaryOf(source: RulesSource, loaded: LoadedRule) {
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

export const rulesRoutes: FastifyPluginAsyncZod<{ deps: ApiDeps; rules: RulesSource }> = async (app, { deps, rules }) => {
  const found = (id: string): LoadedRule => {
    const loaded = rules.byId(id);
    if (!loaded) throw new HttpProblem(404, 'no such rule');
    return loaded;
  };

  app.get('/v1/rules', {
    config: { scope: 'rules:read' },
    schema: {
      tags: ['rules'],
      summary: 'List the detection rules (the shipped pack and MCP_AUDIT_RULES_DIRS)',
      security,
      response: { 200: z.object({ items: z.array(ruleOut) }), ...problemResponses(...AUTHED_ERRORS) },
    },
    handler: async () => ({ items: rules.rules.map((l) => summaryOf(rules, l)) }),
  });

  app.get('/v1/rules/:rule_id', {
    config: { scope: 'rules:read' },
    schema: {
      tags: ['rules'],
      summary: 'One detection rule with its definition',
      security,
      params: ruleIdParams,
      response: { 200: ruleDetail, ...problemResponses(...AUTHED_ERRORS, 404) },
    },
    handler: async (req) => {
      const loaded = found(req.params.rule_id);
      const { tests: _tests, ...definition } = loaded.rule;
      return { ...summaryOf(rules, loaded), definition: JSON.parse(JSON.stringify(definition)) as Record<string, unknown> };
    },
  });

  app.post('/v1/rules/:rule_id/dry-run', {
    config: { scope: 'rules:read' },
    schema: {
      tags: ['rules'],
      summary: "Dry run: the alerts one rule would have raised over a time range of the key's tenant's events",
      description:
        'Runs the rule (enabled or not) over the stored events of the API key\'s tenant in [from, to), in event-time order, and returns what it would have raised; nothing is produced. ' +
        'Bounds: the range is cut to 7 days after `from`, at most 200,000 events are read, at most 500 alerts are listed (`alert_count` counts all); `complete` is false and `resume_from` set when a bound cut the run short (state is not carried across, so a chain spanning the cut is missed). ' +
        '`baseline` and `first_seen` rules are judged against the newest baseline run, which may already include the range. A `to` not after `from` reads nothing.',
      security,
      params: ruleIdParams,
      body: z.object({
        from: timeParam('Start of the range (inclusive)'),
        to: timeParam('End of the range (exclusive); cut to 7 days after `from`'),
      }),
      response: { 200: dryRunOut, ...problemResponses(...AUTHED_ERRORS, 404) },
    },
    handler: async (req) => {
      const scope = tenantOf(req);
      const loaded = found(req.params.rule_id);
      const rule = loaded.rule;
      const fromMs = req.body.from;
      const cut = req.body.to - fromMs > MAX_RANGE_MS;
      const toMs = cut ? fromMs + MAX_RANGE_MS : req.body.to;
      const judgedByBaselines = rule.kind === 'baseline' || rule.kind === 'first_seen';
      const baselines = judgedByBaselines ? await tenantBaselines(deps.clickhouse, scope) : undefined;
      const alerts: z.infer<typeof dryRunAlert>[] = [];
      const detectedAt = new Date();
      const result =
        toMs > fromMs
          ? await backtestRule({
              ch: deps.clickhouse,
              source: fromTenant(scope, 'events', { final: true }),
              rule,
              catalogue: rules.catalogue(),
              allowedLatenessMs: deps.config.detector.latenessMs,
              ...(baselines ? { baselines } : {}),
              fromMs,
              toMs,
              pageRows: PAGE_ROWS,
              maxEvents: MAX_EVENTS,
              onMatch: (m) => {
                if (alerts.length >= MAX_ALERTS) return;
                const a = backtestAlert(m, detectedAt);
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
    },
  });
};
