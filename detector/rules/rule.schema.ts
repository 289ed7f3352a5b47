// The rule file format (YAML, one rule per file), validated with zod. Documented for people in
// detector/rules/README.md; keep the two in step.
import { z } from 'zod';
import { severities } from '../../schemas/alert.v1.ts';
import { duration } from './duration.ts';
import { FIELD_NAMES, FIELDS } from './fields.ts';
import { PROVENANCE_LABELS } from './provenance.ts';

const validRegex = z.string().min(1).refine((s) => {
  try {
    new RegExp(s, 'i');
    return true;
  } catch {
    return false;
  }
}, 'not a valid regular expression');

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

export const condition: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    scalar,
    z.array(scalar).min(1),
    z
      .strictObject({
        eq: oneOrMany(scalar).optional(),
        glob: oneOrMany(z.string().min(1)).optional(),
        regex: validRegex.optional(),
        gt: z.number().optional(),
        gte: z.number().optional(),
        lt: z.number().optional(),
        lte: z.number().optional(),
        exists: z.boolean().optional(),
        not: condition.optional(),
      })
      .refine((o) => Object.keys(o).length > 0, 'an empty condition; use one of eq, glob, regex, gt, gte, lt, lte, exists, not'),
  ]),
);

/**
 * Where a value of this call came from (provenance.ts): some fingerprint of its arguments (or of its
 * destinations only, or of everything but its destinations: the payload) was in the result of an earlier call carrying one of the `from` labels, at most
 * `within` earlier (in the same episode with `same_episode`; not counting the values that named a
 * party of that result, with `except_parties`).
 */
export const provenanceCondition = z.strictObject({
  from: oneOrMany(z.enum(PROVENANCE_LABELS)),
  within: duration.default(15 * 60_000),
  in: z.enum(['arguments', 'destinations', 'payload']).default('arguments'),
  same_episode: z.boolean().default(false),
  /** true: a value that named a party of the source (its sender, recipients, organiser, owner) does not count; a reply goes there. */
  except_parties: z.boolean().default(false),
});
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
      any: z.array(match).min(1).optional(),
      none: z.array(match).min(1).optional(),
      provenance: provenanceCondition.optional(),
      novel_destination: z.boolean().optional(),
    })
    .catchall(condition)
    .superRefine((m, ctx) => {
      for (const key of Object.keys(m)) {
        if (!(MATCH_OPERATORS as readonly string[]).includes(key) && !(key in FIELDS)) {
          ctx.addIssue({ code: 'custom', path: [key], message: `unknown field "${key}"; known: ${FIELD_NAMES.join(', ')}` });
        }
      }
    }),
) as z.ZodType<Match>;

const field = z.enum(FIELD_NAMES as [string, ...string[]]);
const byKeys = z.array(field).min(1).max(4);
const DEFAULT_BY = ['tenant_id', 'user_id'];

const ruleTest = z.strictObject({
  name: z.string().min(1).max(200),
  /** NDJSON of v1 events, relative to the rule file. */
  events: z.string().min(1),
  /** Optional baseline fixture (YAML, see baseline.fixture.ts), relative to the rule file. */
  baselines: z.string().min(1).optional(),
  expect: z.strictObject({ alerts: z.number().int().min(0) }),
});

const common = {
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]{2,127}$/, 'lowercase letters, digits, . _ - (3-128)'),
  version: z.number().int().min(1),
  title: z.string().min(1).max(512),
  description: z.string().max(4000).default(''),
  severity: z.enum(severities),
  risk_score: z.number().int().min(0).max(100),
  tags: z.array(z.string().min(1).max(64)).max(24).default([]),
  enabled: z.boolean().default(true),
  /**
   * true: every match is an alert on its own (a whole exfiltration chain). false (default): a match
   * is a signal whose risk accumulates per user and episode; an alert goes out when a story adds up.
   */
  alert: z.boolean().default(false),
  /** After a match, the same key stays silent this long. */
  suppress: duration.optional(),
  tests: z.array(ruleTest).default([]),
};

const step = z
  .strictObject({
    match,
    /** Join keys: their values must equal (share an element with) those of the other steps with `by`. */
    by: byKeys.optional(),
    /** An absence step: the match must NOT happen (before the next step, or within `within` if last). */
    absent: z.boolean().default(false),
    within: duration.optional(),
  })
  .refine((s) => !s.within || s.absent, { message: '`within` only applies to absence steps', path: ['within'] });

export const sequenceRule = z
  .strictObject({
    ...common,
    kind: z.literal('sequence'),
    by: byKeys.default(DEFAULT_BY),
    maxspan: duration,
    steps: z.array(step).min(2).max(16),
    /** A cancelling event: partial matches of the key started before it are dropped. */
    until: match.optional(),
  })
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
  window: duration,
  /** Fires when the count (or distinct count) within the window reaches this. */
  threshold: z.number().int().min(1).max(100_000),
  /** Count distinct values of this field instead of events. */
  distinct: field.optional(),
});

export const patternRule = z.strictObject({
  ...common,
  kind: z.literal('pattern'),
  /** Key for `suppress`. */
  by: byKeys.default(DEFAULT_BY),
  match,
});

export const firstSeenFields = ['tool.name', 'server.name', 'resource.hosts', 'destinations'] as const;

export const firstSeenRule = z.strictObject({
  ...common,
  kind: z.literal('first_seen'),
  /** Which value must be new for the user: compared with the baseline's known tools, servers or hosts. */
  field: z.enum(firstSeenFields),
  match: match.optional(),
  /** Stay silent unless the user's baseline covers at least this many weeks (cold start). */
  min_history_weeks: z.number().min(0).default(1),
});

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
  metric: z.enum(baselineMetrics),
  match: match.optional(),
  /** Robust z-score ((x - median) / (1.4826 * MAD)) at or above which the value is anomalous. */
  z: z.number().positive().default(6),
  /** Samples the baseline needs before the rule judges (cold start stays silent). */
  min_samples: z.number().int().min(1).default(24),
  /** Smallest spread used in the z-score (default per metric: 1 call, 1 KiB, 0.05 error rate). */
  min_spread: z.number().positive().optional(),
  /** The current value must also be at least this (absolute floor against tiny baselines). */
  min_value: z.number().min(0).default(0),
  /** error_rate: calls in the hour before the rate is judged. */
  min_events: z.number().int().min(1).default(10),
  /** hour_of_week: weeks of history needed, and the most weeks the hour may have been active. */
  min_weeks: z.number().min(0).default(4),
  max_active_weeks: z.number().int().min(0).default(0),
});

export const driftRule = z.strictObject({
  ...common,
  kind: z.literal('drift'),
  /** `changed`: a tool's description hash differs from the first one seen; `poisoning`: phrases. */
  detect: z.enum(['changed', 'poisoning']),
  /** Regexes (case-insensitive) of instructions aimed at the model; for `poisoning`. */
  phrases: z.array(validRegex).default([]),
  match: match.optional(),
});

export const ruleSchema = z.discriminatedUnion('kind', [sequenceRule, thresholdRule, patternRule, firstSeenRule, baselineRule, driftRule]);

export type Rule = z.output<typeof ruleSchema>;
export type SequenceRule = z.output<typeof sequenceRule>;
export type ThresholdRule = z.output<typeof thresholdRule>;
export type PatternRule = z.output<typeof patternRule>;
export type FirstSeenRule = z.output<typeof firstSeenRule>;
export type BaselineRule = z.output<typeof baselineRule>;
export type DriftRule = z.output<typeof driftRule>;
