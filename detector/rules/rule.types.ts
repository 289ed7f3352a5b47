// Types shared by the engine and the rule kinds.
import type { Severity } from '../../schemas/alert.v1.ts';
import type { AuditEvent } from '../../schemas/event.ts';
import type { BaselineSnapshot, UserBaseline } from '../baselines/baseline.types.ts';
import type { Classification } from '../../classify/catalogue.ts';
import type { ProvenanceStore } from './provenance.ts';

/** Rule kinds of rule files, plus `risk`: the alert a story of signals raises (risk.ts). */
export type RuleKind = 'sequence' | 'threshold' | 'pattern' | 'first_seen' | 'baseline' | 'drift' | 'risk';

/** Per user (tenant_id + user_id) state the engine keeps; rules keyed by user store theirs in `slots`. */
export interface UserState {
  readonly tenant: string;
  readonly user: string;
  /** Largest event time seen for this user (set through UserTable.setNewest). */
  lastTs: number;
  /** The minute of `lastTs` the user table filed this user under (NaN: not filed, or removed). */
  minute: number;
  /** Hashes of the most recent event ids (idempotent re-processing). */
  ids: number[];
  idPos: number;
  /** One slot per rule (by rule index); undefined until the rule first needs state for this user. */
  slots: unknown[];
  /** The user's baseline, cached per snapshot. */
  baseline: UserBaseline | undefined;
  baselineOf: BaselineSnapshot | null;
  /** Fingerprints of recent results with their labels (provenance.ts); null until needed. */
  prov: ProvenanceStore | null;
  /** Destinations this user sent to since the baseline snapshot (value -> event time). */
  recentDestinations: Map<string, number> | null;
  /** The actor object this user's kept events share while it reads the same (event.kept.ts). */
  actor: AuditEvent['actor'] | null;
}

/** An event with what the engine derived from it once, shared by every rule. */
export interface Ev {
  /** The event; once every rule has seen it, the engine swaps in the part it keeps (event.kept.ts). */
  e: AuditEvent;
  /** Event time, epoch ms. */
  readonly ts: number;
  readonly cls: Classification;
  readonly user: UserState;
  /** Set by a `provenance` condition that held: the earlier call the value came from. */
  origin: Ev | undefined;
}

/**
 * What every event of one engine route shares: its kind and its classification (classifications
 * are interned, classify.ts). Conditions on these are decided once per route (condition.fold.ts).
 */
export interface RouteFacts {
  readonly kind: string;
  readonly cls: Classification;
}

export interface RuleRef {
  id: string;
  version: number;
  title: string;
  kind: RuleKind;
}

/** What a rule raises; `toAlert` (alert.ts) turns it into an AlertV1. */
export interface RuleMatch {
  rule: RuleRef;
  severity: Severity;
  risk_score: number;
  summary: string;
  tags: string[];
  /** The evidence events, in event-time order (at most 64). */
  evidence: AuditEvent[];
  /** The capability class of each evidence event (parallel to `evidence`). */
  evidence_classes: string[];
  /**
   * True: an alert (reaches the alerts topic, the notifier and the SIEM). False: a signal, kept for
   * the story, whose risk accumulates per user and episode (risk.ts) until a story adds up.
   */
  alert: boolean;
  /** The episode of the last evidence event ('' if unknown). */
  episode: string;
}

export interface EngineContext {
  baselines: BaselineSnapshot;
  /** Event time up to which the stream is complete (max event time minus the allowed lateness). */
  watermark: number;
  allowedLatenessMs: number;
  /** The user's baseline under the current snapshot (cached on the user state). */
  userBaseline(user: UserState): UserBaseline | undefined;
  /** False while `key` is suppressed for this rule (see `suppress`); true records a new match time. */
  admit(handler: RuleHandler, key: string | UserState, ts: number): boolean;
  /** Raises a match (call `admit` first). */
  emit(match: RuleMatch): void;
}

/** One compiled rule of any kind, as the engine drives it. */
export interface RuleHandler {
  readonly ref: RuleRef;
  /** Index of the rule's slot in UserState.slots. */
  readonly slot: number;
  /** Event kinds / classes this rule can match at all (null: any); the engine routes by them. */
  readonly kinds: ReadonlySet<string> | null;
  readonly classes: ReadonlySet<string> | null;
  /** How long after its last event a key's state can still matter (ms, without lateness). */
  readonly windowMs: number;
  /** After a match, the same key stays silent this long (ms; 0 = never suppressed). */
  readonly suppressMs: number;
  /** A plain function (the engine calls it without `this`, from its routes' lists of them). */
  readonly onEvent: (ev: Ev, ctx: EngineContext) => void;
  /** Called when the watermark moves (absence timers). */
  onWatermark?(ctx: EngineContext): void;
  /** Drops state that cannot matter any more; `user` is set for per-user slots. */
  expireUser?(user: UserState, ctx: EngineContext): boolean;
  /** Drops keyed (non-user) state older than `beforeTs`. */
  sweep?(beforeTs: number): void;
  /** Number of keys with state (for stats). */
  keyCount?(): number;
  reset(): void;
  onBaselines?(snapshot: BaselineSnapshot): void;
  /**
   * This rule for the events of one route, with the conditions the route decides taken out of its
   * tests; null when none of those events can match. Absent: the handler serves every route as is.
   */
  specialize?(route: RouteFacts): RuleHandler | null;
}
