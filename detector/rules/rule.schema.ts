// The rule file format (YAML, one rule per file), validated with zod. The descriptions below are
// the reference: `npm run schema:generate` writes detector/rules/rule.schema.json (editors validate
// the pack's files with it) and docs/rule-format.md from this file. detector/rules/README.md explains
// how rules behave.
import { z } from 'zod';
import { severities } from '../../schemas/alert.v1.ts';
import { duration } from './duration.ts';
import { FIELD_NAMES, FIELDS } from './fields.ts';
import { PROVENANCE_LABELS } from './provenance.ts';

const validRegex = z
  .string()
  .min(1)
  .refine((s) => {
    try {
      new RegExp(s, 'i');
      return true;
    } catch {
      return false;
    }
  }, 'not a valid regular expression')
  .describe('A JavaScript regular expression, always case-insensitive. It runs on attacker-controlled text: bound repetitions and never nest quantifiers.');

const scalar = z.union([z.string(), z.number(), z.boolean()]);
const oneOrMany = <T extends z.ZodType>(t: T) => z.union([t, z.array(t).min(1)]);

/** A condition on one field's value. */
export type Condition =
  | string
  | number
  | boolean
  | (string | number | boolean)[]
  | {
      eq?: string | number | boolean | (string | number | boolean)[];
      glob?: string | string[];
      regex?: string;
      gt?: number;
      gte?: number;
      lt?: number;
      lte?: number;
      exists?: boolean;
      not?: Condition;
    };

export const condition: z.ZodType<Condition> = z
  .lazy(() =>
  z.union([
    scalar,
    z.array(scalar).min(1),
    z
      .strictObject({
        eq: oneOrMany(scalar).optional().describe('The field equals the value (or one of the values).'),
        glob: oneOrMany(z.string().min(1))
          .optional()
          .describe('picomatch pattern(s), case-insensitive; for names a glob without `/` also matches the last `/` segment.'),
        regex: validRegex.optional(),
        gt: z.number().optional().describe('Greater than.'),
        gte: z.number().optional().describe('Greater than or equal.'),
        lt: z.number().optional().describe('Less than.'),
        lte: z.number().optional().describe('Less than or equal.'),
        exists: z.boolean().optional().describe('true: the field is present and not empty; false: it is not.'),
        not: condition.optional().describe('The inner condition does not hold (for a multi-valued field: no element satisfies it).'),
      })
      .refine((o) => Object.keys(o).length > 0, 'an empty condition; use one of eq, glob, regex, gt, gte, lt, lte, exists, not'),
  ]),
  )
  .meta({
    id: 'condition',
    description:
      'A condition on one field: a value (the field equals it), a list (it equals one of them), or an object of operators that must all hold. A multi-valued field holds when any element satisfies it.',
  });

/**
 * Where a value of this call came from (provenance.ts): some fingerprint of its arguments (or of its
 * destinations only, or of everything but its destinations: the payload) was in the result of an earlier call carrying one of the `from` labels, at most
 * `within` earlier (in the same episode with `same_episode`; not counting the values that named a
 * party of that result, with `except_parties`).
 */
export const provenanceCondition = z
  .strictObject({
    from: oneOrMany(z.enum(PROVENANCE_LABELS)).describe('The label(s) the earlier call must carry.'),
    within: duration.default(15 * 60_000).describe('How much earlier the earlier call may be (default 15m).'),
    in: z
      .enum(['arguments', 'destinations', 'payload'])
      .default('arguments')
      .describe('Which values of this call: all of its arguments, only its destinations, or everything but its destinations (the payload).'),
    same_episode: z.boolean().default(false).describe('true: the earlier call must be in the same episode (agent run).'),
    except_parties: z
      .boolean()
      .default(false)
      .describe('true: a value that named a party of the source (its sender, recipients, organiser, owner) does not count; a reply goes there.'),
    except_replies: z
      .boolean()
      .default(false)
      .describe('true: a source that names a destination of this call among its parties (its sender, its recipients) does not count: the content goes back to whom it came from.'),
    skip_familiar: z
      .boolean()
      .default(false)
      .describe("true: a source that names a party this user has sent to before (a known correspondent's mail, a transaction with a known payee) does not count: its values are the user's own business, not a stranger's words."),
  })
  .describe(
    "Holds when a value of this call was in the result of an earlier call of the same user carrying a `from` label; values are compared as capture's keyed fingerprints (event v2), never in clear.",
  );
export type ProvenanceCondition = z.output<typeof provenanceCondition>;

/** Keys of a match that are not event fields. */
export const MATCH_OPERATORS = ['any', 'none', 'provenance', 'novel_destination'] as const;

/**
 * Field conditions (all must hold), plus `any` (one of the sub-matches), `none` (none of them),
 * `provenance` (see above) and `novel_destination` (true: the call sends to a recipient, account,
 * channel, repository or host this user has not used in the baseline period nor since; users with
 * less than a week of history never have novel destinations).
 */
export type Match = {
  [field: string]: Condition | Match[] | ProvenanceCondition | undefined;
  any?: Match[];
  none?: Match[];
  provenance?: ProvenanceCondition;
  novel_destination?: boolean;
};

export const match: z.ZodType<Match> = z.lazy(() =>
  z
    .object({
      any: z.array(match).min(1).optional().describe('Holds when one of the sub-matches holds.'),
      none: z.array(match).min(1).optional().describe('Holds when none of the sub-matches holds.'),
      provenance: provenanceCondition.optional(),
      novel_destination: z
        .boolean()
        .optional()
        .describe(
          'true: the call sends, pays, shares or invites to a destination the user used neither in the baseline period nor since (never for users with less than a week of history).',
        ),
    })
    .catchall(condition)
    .superRefine((m, ctx) => {
      for (const key of Object.keys(m)) {
        if (!(MATCH_OPERATORS as readonly string[]).includes(key) && !(key in FIELDS)) {
          ctx.addIssue({ code: 'custom', path: [key], message: `unknown field "${key}"; known: ${FIELD_NAMES.join(', ')}` });
        }
      }
    }),
).meta({
  id: 'match',
  description: 'Conditions on event fields, all of which must hold, keyed by field name (the Fields of docs/rule-format.md), plus the operators below.',
}) as z.ZodType<Match>;

const field = z.enum(FIELD_NAMES as [string, ...string[]]);
const byKeys = z.array(field).min(1).max(4).describe('Key fields: matches are kept and counted per value of these (default [tenant_id, user_id]).');
const DEFAULT_BY = ['tenant_id', 'user_id'];

const ruleTest = z
  .strictObject({
    name: z.string().min(1).max(200).describe('What the test shows.'),
    events: z.string().min(1).describe('NDJSON file of events, relative to the rule file.'),
    baselines: z.string().min(1).optional().describe('Baseline fixture (YAML, see detector/rules/baseline.fixture.ts), relative to the rule file.'),
    expect: z
      .strictObject({ alerts: z.number().int().min(0).describe("How many matches of this rule (alerts or signals) the events raise.") })
      .describe('What the events must raise.'),
  })
  .describe('A test of the rule, run by `mcp-audit rules test`.');

const common = {
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]{2,127}$/, 'lowercase letters, digits, . _ - (3-128)')
    .describe('Unique id: lowercase letters, digits, `.`, `_`, `-` (3-128). Part of every alert id.'),
  version: z.number().int().min(1).describe('Bump it when the logic changes: the alert ids change with it.'),
  title: z.string().min(1).max(512).describe('For people; starts every alert summary.'),
  description: z.string().max(4000).default('').describe('For people: what the rule catches, and why it matters.'),
  severity: z.enum(severities).describe('Severity of its alerts.'),
  risk_score: z.number().int().min(0).max(100).describe("0-100: the alert's risk score, or what a signal adds to its story."),
  tags: z
    .array(z.string().min(1).max(64))
    .max(24)
    .default([])
    .describe("Added to the alert's tags, with the flow labels of the evidence; the notifier maps known ones to MITRE ATT&CK/ATLAS and OWASP ids."),
  enabled: z.boolean().default(true).describe('false: the detector does not run it (its tests still run).'),
  alert: z
    .boolean()
    .default(false)
    .describe(
      'true: every match is an alert on its own (a whole exfiltration chain). false: a match is a signal, stored and shown in the incident story, whose risk adds up per user and episode; an alert goes out when a story adds up.',
    ),
  suppress: duration.optional().describe('After a match, the same key (`by`) stays silent this long.'),
  tests: z.array(ruleTest).default([]).describe("The rule's own tests."),
};

const step = z
  .strictObject({
    match,
    by: byKeys.optional().describe('Join keys: their values must equal (share an element with) those of the other steps with `by`.'),
    absent: z.boolean().default(false).describe('An absence step: the match must not happen (before the next step, or within `within` if last).'),
    within: duration.optional().describe('For a last absence step: how long after the previous step the match must stay away.'),
  })
  .describe('One step of the sequence.')
  .refine((s) => !s.within || s.absent, { message: '`within` only applies to absence steps', path: ['within'] });

export const sequenceRule = z
  .strictObject({
    ...common,
    kind: z.literal('sequence'),
    by: byKeys.default(DEFAULT_BY),
    maxspan: duration.describe('The longest time from the first to the last event of a match.'),
    steps: z.array(step).min(2).max(16).describe('The ordered steps (2-16).'),
    until: match.optional().describe("A cancelling event: the key's partial matches started before it are dropped."),
  })
  .describe('Ordered steps for one key within maxspan.')
  .superRefine((r, ctx) => {
    if (r.steps[0]?.absent) ctx.addIssue({ code: 'custom', path: ['steps', 0, 'absent'], message: 'the first step cannot be an absence' });
    r.steps.forEach((s, i) => {
      if (s.absent && i === r.steps.length - 1 && s.within === undefined) {
        ctx.addIssue({ code: 'custom', path: ['steps', i], message: 'a last absence step needs `within`' });
      }
      if (s.absent && r.steps[i + 1]?.absent) ctx.addIssue({ code: 'custom', path: ['steps', i + 1], message: 'two absence steps in a row' });
    });
    const joinLengths = new Set(r.steps.filter((s) => s.by).map((s) => s.by!.length));
    if (joinLengths.size > 1) ctx.addIssue({ code: 'custom', path: ['steps'], message: 'steps with `by` must list the same number of fields' });
  });

export const thresholdRule = z.strictObject({
  ...common,
  kind: z.literal('threshold'),
  by: byKeys.default(DEFAULT_BY),
  match,
  window: duration.describe('The sliding window the events are counted in.'),
  threshold: z.number().int().min(1).max(100_000).describe('Fires when the count (or distinct count) within the window reaches this.'),
  distinct: field.optional().describe('Count distinct values of this field instead of events.'),
}).describe('The count, or distinct count, of matching events per key within a window reaches a threshold.');

export const patternRule = z.strictObject({
  ...common,
  kind: z.literal('pattern'),
  by: byKeys.default(DEFAULT_BY).describe('Key for `suppress` (default [tenant_id, user_id]).'),
  match,
}).describe('One event matches.');

export const firstSeenFields = ['tool.name', 'server.name', 'resource.hosts', 'destinations'] as const;

export const firstSeenRule = z.strictObject({
  ...common,
  kind: z.literal('first_seen'),
  field: z.enum(firstSeenFields).describe("Which value must be new for the user: compared with the baseline's known tools, servers, hosts or destinations."),
  match: match.optional(),
  min_history_weeks: z.number().min(0).default(1).describe("Stay silent unless the user's baseline covers at least this many weeks (cold start)."),
}).describe("A value the user's baseline has never seen, and not raised since.");

export const baselineMetrics = [
  'calls_per_hour',
  'bytes_out_per_hour',
  'response_bytes',
  'error_rate',
  'distinct_resources_per_hour',
  'hour_of_week',
] as const;

export const baselineRule = z.strictObject({
  ...common,
  kind: z.literal('baseline'),
  metric: z.enum(baselineMetrics).describe("The user's metric compared with their baseline."),
  match: match.optional(),
  z: z.number().positive().default(6).describe('Robust z-score ((x - median) / (1.4826 * MAD)) at or above which the value is anomalous.'),
  min_samples: z.number().int().min(1).default(24).describe('Samples the baseline needs before the rule judges (cold start stays silent).'),
  min_spread: z.number().positive().optional().describe('Smallest spread used in the z-score (default per metric: 1 call, 1 KiB, 0.05 error rate).'),
  min_value: z.number().min(0).default(0).describe('The current value must also be at least this (an absolute floor against tiny baselines).'),
  min_events: z.number().int().min(1).default(10).describe('error_rate: calls in the hour before the rate is judged.'),
  min_weeks: z.number().min(0).default(4).describe('hour_of_week: weeks of history needed.'),
  max_active_weeks: z.number().int().min(0).default(0).describe('hour_of_week: the most weeks the hour may have been active.'),
}).describe("A metric of the user deviates from their learned baseline.");

export const driftRule = z.strictObject({
  ...common,
  kind: z.literal('drift'),
  detect: z
    .enum(['changed', 'poisoning'])
    .describe("`changed`: a tool's description hash differs from the first one seen (rug pull); `poisoning`: a description matches one of `phrases`."),
  phrases: z.array(validRegex).default([]).describe('For `poisoning`: regexes (case-insensitive) of instructions aimed at the model.'),
  match: match.optional(),
}).describe("On tool_list events: a server's tool description changed, or holds instructions aimed at the model.");

export const ruleSchema = z
  .discriminatedUnion('kind', [sequenceRule, thresholdRule, patternRule, firstSeenRule, baselineRule, driftRule])
  .describe('An mcp-audit detection rule (one per YAML file).');

export type Rule = z.output<typeof ruleSchema>;
export type SequenceRule = z.output<typeof sequenceRule>;
export type ThresholdRule = z.output<typeof thresholdRule>;
export type PatternRule = z.output<typeof patternRule>;
export type FirstSeenRule = z.output<typeof firstSeenRule>;
export type BaselineRule = z.output<typeof baselineRule>;
export type DriftRule = z.output<typeof driftRule>;
