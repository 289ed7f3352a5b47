// Rules: the list, one rule with its definition, and a dry run of one rule over a time range of the
// key's tenant's events (api/views/rule.view.ts). A dry run produces nothing (no alert, no incident).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { LoadedRule } from '../../detector/rules/rules.load.ts';
import type { ApiDeps } from '../api.deps.ts';
import { timeParam } from '../api.schemas.ts';
import { tenantOf } from '../auth/auth.hook.ts';
import { AUTHED_ERRORS, HttpProblem, problemResponses } from '../problem.ts';
import type { RulesSource } from '../rules.source.ts';
import { dryRun, dryRunOut, ruleDetail, ruleDetailOut, ruleOut, ruleSummary } from '../views/rule.view.ts';

const security = [{ apiKey: [] }];

const ruleIdParams = z.object({ rule_id: z.string().regex(/^[a-z0-9][a-z0-9._-]{2,127}$/).describe('Rule id') });

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
    handler: async () => ({ items: rules.rules.map((l) => ruleSummary(rules, l)) }),
  });

  app.get('/v1/rules/:rule_id', {
    config: { scope: 'rules:read' },
    schema: {
      tags: ['rules'],
      summary: 'One detection rule with its definition',
      security,
      params: ruleIdParams,
      response: { 200: ruleDetailOut, ...problemResponses(...AUTHED_ERRORS, 404) },
    },
    handler: async (req) => ruleDetail(rules, found(req.params.rule_id)),
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
    handler: async (req) =>
      dryRun({
        ch: deps.clickhouse,
        scope: tenantOf(req),
        rules,
        loaded: found(req.params.rule_id),
        allowedLatenessMs: deps.config.detector.latenessMs,
        fromMs: req.body.from,
        toMs: req.body.to,
        now: new Date(),
      }),
  });
};
