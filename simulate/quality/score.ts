// Scores detector output against the simulator's ground truth (simulate/ manifest): per rule, how
// many of its alerts touch an injected chain (precision) and how many of the chains the rule is
// meant for it caught (recall). An alert is a true positive when one of its evidence events belongs
// to an injected chain; everything in simulated benign traffic counts against precision.
import type { InjectedChain, ChainType } from '../chains.ts';

/**
 * The chain types each rule is written to catch (its intent, from the rule's description; not
 * fitted to results). Rules absent here (baselines, first-seen, allow-list) have no injected chain
 * made for them: their recall is not defined, their precision still is. exfil.private-then-sink is
 * about bulk payloads (at least 4 KiB out); every injected chain sends one small secret, so none
 * targets it either.
 */
export const RULE_TARGETS: Readonly<Record<string, readonly ChainType[]>> = {
  'exfil.mail-secret-send': ['exfil'],
  'cred.store-access': ['exfil', 'secret-then-sink'],
  'approval.write-after-secret-read': ['exfil', 'secret-then-sink'],
  'db.destructive-sql': ['destructive-sql'],
  'exec.network-tool-in-args': ['shell-download'],
  'drift.tool-description-changed': ['rug-pull'],
  'drift.tool-poisoning': ['rug-pull'],
};

/** The one rule that names each chain type best: an injected chain must raise exactly one alert of it. */
export const PRIMARY_RULE: Readonly<Record<ChainType, string>> = {
  exfil: 'exfil.mail-secret-send',
  // Each step alone is a signal (a credential read; a send after it); together they are a story.
  'secret-then-sink': 'risk.story',
  'destructive-sql': 'db.destructive-sql',
  'shell-download': 'exec.download-and-run',
  'rug-pull': 'drift.tool-poisoning',
};

export interface ScoredAlert {
  ruleId: string;
  userKey: string;
  evidenceIds: readonly string[];
}

export interface RuleScore {
  rule: string;
  alerts: number;
  truePositives: number;
  falsePositives: number;
  /** null when the rule raised nothing. */
  precision: number | null;
  /** Chains of the rule's target types, and how many of them it raised an alert for; null recall when none. */
  targetChains: number;
  caught: number;
  recall: number | null;
}

export interface QualityReport {
  rules: RuleScore[];
  chains: number;
  /** Chains with at least one alert of any rule. */
  chainsDetected: number;
  /** Alerts on users that no chain touched. */
  benignUserAlerts: number;
}

export function scoreAlerts(chains: readonly InjectedChain[], alerts: readonly ScoredAlert[], ruleIds: readonly string[]): QualityReport {
  const chainOf = new Map<string, InjectedChain>();
  for (const c of chains) for (const id of c.event_ids) chainOf.set(id, c);
  const victims = new Set(chains.map((c) => `${c.tenant_id}:${c.user_id}`));

  const byRule = new Map<string, { tp: number; fp: number; caught: Set<string> }>();
  for (const id of ruleIds) byRule.set(id, { tp: 0, fp: 0, caught: new Set() });
  const detected = new Set<string>();
  let benignUserAlerts = 0;
  for (const a of alerts) {
    const s = byRule.get(a.ruleId) ?? { tp: 0, fp: 0, caught: new Set<string>() };
    byRule.set(a.ruleId, s);
    const hit = new Set(a.evidenceIds.map((id) => chainOf.get(id)).filter((c): c is InjectedChain => c !== undefined));
    if (hit.size > 0) s.tp++;
    else s.fp++;
    for (const c of hit) {
      detected.add(c.id);
      s.caught.add(c.id);
    }
    if (!victims.has(a.userKey)) benignUserAlerts++;
  }

  const rules = [...byRule.entries()].map(([rule, s]): RuleScore => {
    const targets = RULE_TARGETS[rule] ?? [];
    const targetChains = chains.filter((c) => targets.includes(c.type));
    const caught = targetChains.filter((c) => s.caught.has(c.id)).length;
    const alerts = s.tp + s.fp;
    return {
      rule,
      alerts,
      truePositives: s.tp,
      falsePositives: s.fp,
      precision: alerts ? s.tp / alerts : null,
      targetChains: targetChains.length,
      caught,
      recall: targetChains.length ? caught / targetChains.length : null,
    };
  });
  rules.sort((a, b) => a.rule.localeCompare(b.rule));
  return { rules, chains: chains.length, chainsDetected: detected.size, benignUserAlerts };
}
