// `baseline`: a metric of this user deviates from the user's (or the tool's) learned baseline.
// Hourly metrics accumulate over the current event-time hour and are judged as the hour fills up
// (robust z-score on median/MAD); `hour_of_week` fires on activity in an hour of the week the user
// has not been active in. Every metric needs `min_samples` (or `min_weeks`) of history, so a cold
// start stays silent, and a user raises at most one alert per rule per hour.
import { robustZ, type MetricBaseline, type UserBaseline } from '../baselines/baseline.types.ts';
import type { Catalogue } from '../../classify/catalogue.ts';
import { compileMatch, interestOf, type Predicate } from './condition.ts';
import { specializeByMatch } from './condition.fold.ts';
import { describeCall, makeMatch, refOf } from './match.ts';
import type { EngineContext, Ev, RuleHandler } from './rule.types.ts';
import type { BaselineRule } from './rule.schema.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Distinct resources are only counted up to this many per hour (enough to judge any baseline). */
const MAX_DISTINCT_PER_HOUR = 4096;

const DEFAULT_MIN_SPREAD: Record<BaselineRule['metric'], number> = {
  calls_per_hour: 1,
  bytes_out_per_hour: 1024,
  response_bytes: 1024,
  error_rate: 0.05,
  distinct_resources_per_hour: 1,
  hour_of_week: 0,
};

interface HourState {
  hour: number;
  calls: number;
  bytesOut: number;
  errors: number;
  resources: Set<string> | null;
  firedHour: number;
}

/** Hour of the week, 0 = Monday 00:00-01:00 UTC (1970-01-01 was a Thursday). */
export function hourOfWeek(ms: number): number {
  const day = Math.floor(ms / DAY_MS);
  return ((day + 3) % 7) * 24 + (Math.floor(ms / HOUR_MS) % 24);
}

export function createBaselineRule(rule: BaselineRule, slot: number, catalogue: Catalogue): RuleHandler {
  const ref = refOf(rule);
  const interest = interestOf(rule.match, catalogue);
  const minSpread = rule.min_spread ?? DEFAULT_MIN_SPREAD[rule.metric];
  const metric = rule.metric;
  const userMetric: ((b: UserBaseline) => MetricBaseline) | null =
    metric === 'calls_per_hour' ? (b) => b.callsPerHour
    : metric === 'bytes_out_per_hour' ? (b) => b.bytesOutPerHour
    : metric === 'error_rate' ? (b) => b.errorRatePerHour
    : metric === 'distinct_resources_per_hour' ? (b) => b.distinctResourcesPerHour
    : null;

  const handler: RuleHandler = {
    ref,
    slot,
    classes: interest.classes,
    kinds: interest.kinds ?? new Set(['tool_call']),
    windowMs: HOUR_MS,
    suppressMs: rule.suppress ?? 0,
    onEvent: onEventFor(compileMatch(rule.match)),
    specialize: (route) => specializeByMatch(handler, rule.match, route, onEventFor),
    reset() {},
  };

  function state(ev: Ev): HourState {
    let s = ev.user.slots[slot] as HourState | undefined;
    if (!s) ev.user.slots[slot] = s = { hour: -1, calls: 0, bytesOut: 0, errors: 0, resources: null, firedHour: -1 };
    return s;
  }

  function fire(ev: Ev, ctx: EngineContext, detail: string): void {
    if (!ctx.admit(handler, ev.user, ev.ts)) return;
    ctx.emit(makeMatch(rule, ref, [ev], detail));
  }

  /** The rule's event handler around `pred`, the match (or what a route leaves of it, condition.fold.ts). */
  function onEventFor(pred: Predicate) {
    return (ev: Ev, ctx: EngineContext): void => {
      if (!pred(ev)) return;
      const b = ctx.userBaseline(ev.user);
      if (!b) return;
      const hour = Math.floor(ev.ts / HOUR_MS);
      if (metric === 'hour_of_week') {
        if (b.weeks < rule.min_weeks) return;
        const how = hourOfWeek(ev.ts);
        const activeWeeks = b.hourOfWeek[how] ?? 0;
        if (activeWeeks > rule.max_active_weeks) return;
        const s = state(ev);
        if (s.firedHour === hour) return;
        s.firedHour = hour;
        fire(ev, ctx, `activity in hour ${how % 24}:00 UTC on ${WEEKDAYS[Math.floor(how / 24)]}, active in ${activeWeeks} of the last ${Math.round(b.weeks)} weeks: ${describeCall(ev)}`);
        return;
      }
      if (metric === 'response_bytes') {
        const size = ev.e.result?.size_bytes;
        if (size === undefined || size < rule.min_value) return;
        const tool = ev.e.tool ? ctx.baselines.tool(ev.e.tenant_id, ev.e.server.name, ev.e.tool.name) : undefined;
        const m = tool?.resultBytesPerCall ?? b.bytesInPerCall;
        if (m.samples < rule.min_samples) return;
        const z = robustZ(size, m, minSpread);
        if (z < rule.z) return;
        const s = state(ev);
        if (s.firedHour === hour) return;
        s.firedHour = hour;
        fire(ev, ctx, `response of ${size} bytes vs median ${m.median} (robust z ${z.toFixed(1)}): ${describeCall(ev)}`);
        return;
      }
      const m = userMetric!(b);
      if (m.samples < rule.min_samples) return;
      const s = state(ev);
      if (hour !== s.hour) {
        if (hour < s.hour) return; // late into an hour already judged: ignored
        s.hour = hour;
        s.calls = s.bytesOut = s.errors = 0;
        s.resources = null;
      }
      s.calls++;
      let value: number;
      if (metric === 'calls_per_hour') value = s.calls;
      else if (metric === 'bytes_out_per_hour') value = s.bytesOut += ev.e.arguments?.size_bytes ?? 0;
      else if (metric === 'error_rate') {
        if (ev.e.result?.status === 'error') s.errors++;
        if (s.calls < rule.min_events) return;
        value = s.errors / s.calls;
      } else {
        const r = ev.e.resource;
        if (r) {
          const set = (s.resources ??= new Set());
          addAll(set, r.paths);
          addAll(set, r.hosts);
          addAll(set, r.recipients);
          addAll(set, r.tables);
        }
        value = s.resources?.size ?? 0;
      }
      if (s.firedHour === hour || value < rule.min_value) return;
      const z = robustZ(value, m, minSpread);
      if (z < rule.z) return;
      s.firedHour = hour;
      const shown = metric === 'error_rate' ? `${(value * 100).toFixed(0)}% errors over ${s.calls} calls` : `${value}`;
      fire(ev, ctx, `${metric.replaceAll('_', ' ')} this hour ${shown} vs median ${m.median} (robust z ${z.toFixed(1)}, ${m.samples} samples)`);
    };
  }

  return handler;
}

function addAll(set: Set<string>, list: readonly string[] | undefined): void {
  if (list) for (let i = 0; i < list.length && set.size < MAX_DISTINCT_PER_HOUR; i++) set.add(list[i]!);
}

const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
