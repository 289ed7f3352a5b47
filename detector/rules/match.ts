// Building blocks every rule kind shares: compiled keys and the RuleMatch it raises.
import { FIELDS, valuesOf } from './fields.ts';
import type { Ev, RuleMatch, RuleRef } from './rule.types.ts';
import { episodeOf } from './provenance.ts';
import { commandTextOf } from './shell.commands.ts';
import { isoToMs } from '../../core/iso.time.ts';
import type { Rule } from './rule.schema.ts';

export const MAX_EVIDENCE = 64;

/** A rule's `by` key: the user's state object for [tenant_id, user_id], else a string. */
export type KeyFn = (ev: Ev) => string | Ev['user'];

export function compileKey(by: readonly string[]): KeyFn {
  if (by.length === 2 && by.includes('tenant_id') && (by.includes('user_id') || by.includes('actor.user_id'))) return (ev) => ev.user;
  const defs = by.map((f) => FIELDS[f]!);
  return (ev) => {
    let key = ev.e.tenant_id;
    for (const d of defs) key += '\u0001' + valuesOf(d, ev).join(',');
    return key;
  };
}

export function refOf(rule: Rule): RuleRef {
  return { id: rule.id, version: rule.version, title: rule.title, kind: rule.kind };
}

/** At most MAX_EVIDENCE items: the first (where the story starts) and the most recent. */
export function keepEvidence<T>(items: readonly T[]): readonly T[] {
  return items.length > MAX_EVIDENCE ? [items[0]!, ...items.slice(items.length - MAX_EVIDENCE + 1)] : items;
}

/** A match summary within the alert contract's 2,048 characters. */
export function boundSummary(summary: string): string {
  return summary.length > 2048 ? summary.slice(0, 2045) + '...' : summary;
}

/** The tenant and user of a match (its last evidence event), as one key. */
export function matchUserKey(m: Pick<RuleMatch, 'evidence'>): string {
  const e = m.evidence[m.evidence.length - 1]!;
  return `${e.tenant_id}\u0001${e.actor.user_id}`;
}

export function makeMatch(rule: Rule, ref: RuleRef, matched: readonly Ev[], detail: string): RuleMatch {
  const kept = keepEvidence(withOrigins(matched));
  const tags = new Set(rule.tags);
  for (const ev of kept) for (const l of ev.cls.labels) tags.add(l);
  const last = kept[kept.length - 1]!;
  const summary = `${rule.title}: ${detail} (user ${last.e.actor.user_id}, tenant ${last.e.tenant_id})`;
  return {
    rule: ref,
    severity: rule.severity,
    risk_score: rule.risk_score,
    summary: boundSummary(summary),
    tags: [...tags].slice(0, 32),
    evidence: kept.map((ev) => ev.e),
    evidence_classes: kept.map((ev) => ev.cls.class),
    alert: rule.alert,
    episode: episodeOf(last),
  };
}

/** The matched events plus the calls their values came from (provenance), in event-time order. */
function withOrigins(evs: readonly Ev[]): readonly Ev[] {
  let out: Ev[] | null = null;
  for (const ev of evs) {
    const o = ev.origin;
    if (o === undefined || evs.includes(o) || out?.includes(o)) continue;
    (out ??= [...evs]).push(o);
  }
  return out === null ? evs : out.sort((a, b) => a.ts - b.ts);
}

/**
 * A match on `ev` whose values came from an earlier call (a provenance condition of any rule found
 * it, possibly after this rule matched) names that call: in its evidence and in its summary.
 */
export function citeOrigin(m: RuleMatch, ev: Ev): void {
  const o = ev.origin;
  if (o === undefined || m.evidence[m.evidence.length - 1] !== ev.e) return;
  if (!m.evidence.includes(o.e)) {
    let at = m.evidence.length;
    while (at > 0 && isoToMs(m.evidence[at - 1]!.ts) > o.ts) at--;
    m.evidence.splice(at, 0, o.e);
    m.evidence_classes.splice(at, 0, o.cls.class);
    if (m.evidence.length > MAX_EVIDENCE) {
      m.evidence.splice(1, 1);
      m.evidence_classes.splice(1, 1);
    }
  }
  m.summary = boundSummary(`${m.summary}; values of ${ev.e.tool?.name ?? ev.e.kind} came from the result of ${describeCall(o)}`);
}

/** A short description of a call for summaries: `read_file /etc/shadow on filesystem`. */
export function describeCall(ev: Ev): string {
  const e = ev.e;
  const what = e.tool?.name ?? e.kind;
  const r = e.resource;
  // A shell call is told by its (redacted) command, not by its working folder.
  const target = commandTextOf(ev) ?? r?.paths?.[0] ?? r?.hosts?.[0] ?? r?.recipients?.[0] ?? r?.tables?.[0] ?? r?.urls?.[0];
  return `${what}${target ? ` ${truncate(target, 120)}` : ''} on ${e.server.name}${ev.cls.class ? ` [${ev.cls.class}]` : ''}`;
}

export function truncate(s: string, n: number): string {
  return s.length > n ? s.slice(0, n - 1) + '…' : s;
}
