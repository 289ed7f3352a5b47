// Risk-based alerting. Most rule matches are *signals*: weak alone (an agent ran curl, read a
// kube config, sent to a new address). Each signal adds its rule's risk score to the user's story
// and to the story of its episode (one agent run); the scores decay with a half-life, so old noise
// fades. When one story reaches the threshold with signals of at least two different rules, the
// story becomes one alert whose evidence is every contributing call. This is how security teams
// keep single weak rules from flooding (risk-based alerting, building-block rules).
//
// The user's own baseline lowers the weight of what they do routinely: a signal on a tool this
// user calls most active hours counts for less. A signal repeated on the same resource counts once
// per story.
import type { BaselineSnapshot } from '../baselines/baseline.types.ts';
import { pruneMap } from './map.prune.ts';
import { boundSummary, keepEvidence, matchUserKey, MAX_EVIDENCE } from './match.ts';
import type { RuleMatch, RuleRef } from './rule.types.ts';
import { isoToMs } from '../../core/iso.time.ts';

export interface RiskOptions {
  /** Accumulated risk at which a story becomes an alert (risk scores of rules are 0..100). */
  threshold: number;
  /** Time for a story's risk to halve (event time). */
  halfLifeMs: number;
  /** A story needs signals of at least this many different rules. */
  minDistinctRules: number;
  /** Weight of a signal on a tool the user calls routinely (0..1). */
  routineWeight: number;
}

/** Defaults: two medium signals (40 + 60) or three weak ones within about half an hour make a story. */
export const DEFAULT_RISK: RiskOptions = { threshold: 100, halfLifeMs: 30 * 60_000, minDistinctRules: 2, routineWeight: 0.3 };

export const RISK_RULE: RuleRef = { id: 'risk.story', version: 1, title: 'Signals of one agent run add up to an attack story', kind: 'risk' };

/**
 * A user's story spans their agent runs (a slow chain split over sessions); ordinary signals of a
 * busy day's separate runs add up there too, so it needs this many times the threshold of one run's.
 */
const USER_STORY_FACTOR = 2;

/** Stories kept at most; the least recently touched go first. */
const MAX_STORIES = 200_000;
/** Hours of a user×tool baseline after which the tool counts as routine for the user. */
const ROUTINE_MIN_ACTIVE_HOURS = 24;
/** A routine tool lowers the weight a little only: attacks use the tools a user uses too. */
const ROUTINE_TOOL_WEIGHT = 0.8;

interface Story {
  score: number;
  at: number;
  signals: RuleMatch[];
  /** rule id + resource of each signal already counted in this story. */
  counted: Set<string>;
}

export class RiskAccumulator {
  private readonly stories = new Map<string, Story>();
  private readonly opts: RiskOptions;
  constructor(opts: Partial<RiskOptions> = {}) {
    this.opts = { ...DEFAULT_RISK, ...opts };
  }

  /** Adds a signal; returns the story alerts it completes (0, 1 or 2: episode and user). */
  add(signal: RuleMatch, baselines: BaselineSnapshot): RuleMatch[] {
    const ts = isoToMs(signal.evidence[signal.evidence.length - 1]!.ts);
    const user = matchUserKey(signal);
    const weight = signal.risk_score * this.routine(signal, baselines);
    const out: RuleMatch[] = [];
    const keys = signal.episode ? [`${user}\u0001e\u0001${signal.episode}`, user] : [user];
    // Only capture's episodes (event v2) are agent runs; a v1 event's episode is its trace or session,
    // often one per call, so its user's story keeps the plain threshold.
    const last = signal.evidence[signal.evidence.length - 1]!;
    const runKnown = last.schema_version === 2 && last.episode !== undefined;
    for (const key of keys) {
      const alert = this.addTo(key, signal, weight, ts, key === user && runKnown ? USER_STORY_FACTOR : 1);
      if (alert) {
        out.push(alert);
        // One story alert per signal: the user-level story would repeat the episode's evidence.
        if (key !== user) this.stories.delete(user);
        break;
      }
    }
    return out;
  }

  private addTo(key: string, signal: RuleMatch, weight: number, ts: number, factor: number): RuleMatch | null {
    let s = this.stories.get(key);
    if (!s) {
      if (this.stories.size >= MAX_STORIES) this.stories.delete(this.stories.keys().next().value!);
      s = { score: 0, at: ts, signals: [], counted: new Set() };
    } else this.stories.delete(key);
    this.stories.set(key, s);
    const dt = Math.max(0, ts - s.at);
    s.score *= Math.pow(0.5, dt / this.opts.halfLifeMs);
    s.at = Math.max(s.at, ts);
    const what = `${signal.rule.id}\u0001${resourceOf(signal)}`;
    if (s.counted.has(what)) return null;
    s.counted.add(what);
    s.score += weight;
    s.signals.push(signal);
    if (s.signals.length > MAX_EVIDENCE) s.signals.shift();
    // The score first: counting distinct rules is the dearer test, and most signals fail the cheap one.
    if (s.score < this.opts.threshold * factor || new Set(s.signals.map((m) => m.rule.id)).size < this.opts.minDistinctRules) return null;
    const alert = storyAlert(s, this.opts.threshold);
    this.stories.delete(key);
    return alert;
  }

  /**
   * How routine the signal's call is for this user, from the baseline: a signal that hinges on a
   * credential store the user's agents read in the period (the read itself, or a chain that starts
   * with it) weighs `routineWeight`; a tool the user calls most active hours weighs a little less
   * than a rare one. 1 for anything new.
   */
  private routine(signal: RuleMatch, baselines: BaselineSnapshot): number {
    const e = signal.evidence[signal.evidence.length - 1]!;
    const known = baselines.user(e.tenant_id, e.actor.user_id)?.knownSecretPaths;
    if (known && known.size > 0) {
      for (let i = 0; i < signal.evidence.length; i++) {
        const paths = signal.evidence[i]!.resource?.paths;
        const isRead = signal.evidence_classes[i] === 'secret.read' || i === signal.evidence.length - 1;
        if (isRead && paths && paths.length > 0 && paths.every((p) => known.has(p))) return this.opts.routineWeight;
      }
    }
    const tool = e.tool?.name;
    if (!tool) return 1;
    const b = baselines.userTool(e.tenant_id, e.actor.user_id, tool);
    return b && b.callsPerHour.samples >= ROUTINE_MIN_ACTIVE_HOURS ? ROUTINE_TOOL_WEIGHT : 1;
  }

  /** An alert of its own explains the story of its user and episode: start them afresh. */
  explain(alert: RuleMatch): void {
    const user = matchUserKey(alert);
    this.stories.delete(user);
    if (alert.episode) this.stories.delete(`${user}\u0001e\u0001${alert.episode}`);
  }

  /** Drops stories untouched since `beforeTs` (their risk has decayed to nothing). */
  sweep(beforeTs: number): void {
    pruneMap(this.stories, (s) => s.at < beforeTs);
  }

  size(): number {
    return this.stories.size;
  }

  reset(): void {
    this.stories.clear();
  }
}

function resourceOf(m: RuleMatch): string {
  const r = m.evidence[m.evidence.length - 1]!.resource;
  return r?.paths?.[0] ?? r?.recipients?.[0] ?? r?.hosts?.[0] ?? r?.tables?.[0] ?? '';
}

function storyAlert(s: Story, threshold: number): RuleMatch {
  const byId = new Map<string, { e: RuleMatch['evidence'][number]; cls: string }>();
  for (const m of s.signals) m.evidence.forEach((e, i) => byId.set(e.event_id, { e, cls: m.evidence_classes[i] ?? '' }));
  const items = keepEvidence([...byId.values()].sort((a, b) => isoToMs(a.e.ts) - isoToMs(b.e.ts)));
  const rules = [...new Set(s.signals.map((m) => m.rule.id))];
  const tags = new Set<string>(['risk']);
  for (const m of s.signals) for (const t of m.tags) tags.add(t);
  const last = items[items.length - 1]!.e;
  const score = Math.round(s.score);
  const summary = `${RISK_RULE.title}: risk ${score} from ${rules.join(', ')} (user ${last.actor.user_id}, tenant ${last.tenant_id})`;
  return {
    rule: RISK_RULE,
    severity: s.score >= 2 * threshold ? 'critical' : 'high',
    risk_score: Math.min(100, score),
    summary: boundSummary(summary),
    tags: [...tags].slice(0, 32),
    evidence: items.map((x) => x.e),
    evidence_classes: items.map((x) => x.cls),
    alert: true,
    episode: s.signals[s.signals.length - 1]!.episode,
  };
}
