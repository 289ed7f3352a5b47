// Our own adversarial scenarios, placed into the evaluated day of chosen users between (and
// overlapping) their benign runs, with the labels an evaluation scores against: the harmful
// exchange ids, the attack class, and whether an audit log can reveal the attack at all.
import type { Rng } from '../rng.ts';
import { AttackBuilder, type AttackClass, type Scenario } from './attack.kit.ts';
import { EGRESS } from './attacks.egress.ts';
import { INJECTED } from './attacks.injected.ts';
import { POISON } from './attacks.poison.ts';
import { SHELL } from './attacks.shell.ts';
import type { Exchange } from './exchange.schema.ts';
import type { PopUser } from './population.ts';
import { shuffle } from './shuffle.ts';
import { filler } from './steps.ts';

export const SCENARIOS: readonly Scenario[] = [...INJECTED, ...EGRESS, ...SHELL, ...POISON];

/** Field names follow the AgentDojo export's labels (bench/agentdojo) so one scorer reads both. */
export interface AttackLabel {
  /** The attack's label id (`u017.a12`); its exchange ids are `<trace_id>#r<run>.<n>`. */
  trace_id: string;
  scenario: string;
  attack: true;
  attack_class: AttackClass;
  tenant_id: string;
  user_id: string;
  /** W3C trace ids of the attack's agent runs (two for chains across runs). */
  w3c_trace_ids: string[];
  servers: string[];
  /** Every exchange of the attack's runs, look-around included. */
  exchange_ids: string[];
  /** The exchange whose result or tool description carries the attacker's text, when there is one. */
  injected_exchange_id?: string;
  /** The exchanges that do the harm (a poisoned tools/list included). */
  harmful_exchange_ids: string[];
  /** The harmful tool calls: measure time to alert from the first. */
  harmful_action_ids: string[];
  first_harmful_action_ts: string;
  start: string;
  end: string;
  revealable: boolean;
  not_revealable_reason?: string;
}

export interface AttackOutput {
  exchanges: Exchange[];
  labels: AttackLabel[];
}

/** Every scenario once, and the injected-value ones a second time on other users with other vendors. */
export const attackPlan = (): Scenario[] => [...SCENARIOS, ...INJECTED];

/** Whether `u`'s servers can run scenario `s` (a payment needs suppliers to pay). */
export const fits = (u: PopUser, s: Scenario) => s.needs.every((c) => u.stack[c]) && (!s.needs.includes('pay') || u.suppliers.length > 0);

/**
 * Runs the plan on users of the evaluated day. `evalRuns` gives each user's benign runs that day;
 * an attack starts shortly after one of them ends, so it interleaves with the user's own work.
 */
export function generateAttacks(rng: Rng, users: readonly PopUser[], evalRuns: ReadonlyMap<string, readonly { start: number; end: number }[]>): AttackOutput {
  const used = new Map<string, number>();
  const order = shuffle(rng, users.filter((u) => (evalRuns.get(u.key)?.length ?? 0) > 0));
  const exchanges: Exchange[] = [];
  const labels: AttackLabel[] = [];
  attackPlan().forEach((scenario, i) => {
    const candidates = order.filter((u) => fits(u, scenario));
    if (!candidates.length) return;
    const least = Math.min(...candidates.map((u) => used.get(u.key) ?? 0));
    const u = candidates.find((c) => (used.get(c.key) ?? 0) === least)!;
    used.set(u.key, least + 1);
    const anchor = rng.pick(evalRuns.get(u.key)!);
    const id = `${u.key}.a${String(i + 1).padStart(2, '0')}`;
    const b = new AttackBuilder(u, rng, anchor.end + rng.int(5, 120) * 1000, id);
    // Some look-around first, as agents do, and at least three calls in every attack.
    filler(b.ctx, rng.int(0, 2));
    scenario.build(b);
    while (b.runs.flatMap((r) => r.exchanges).filter((x) => x.request.method === 'tools/call').length < 3) filler(b.ctx, 1);
    const mine = b.runs.flatMap((r) => r.exchanges);
    exchanges.push(...mine);
    const actions = b.harmful.filter((x) => x.request.method === 'tools/call');
    const carrier = b.carrier();
    labels.push({
      trace_id: id,
      scenario: scenario.name,
      attack: true,
      attack_class: scenario.class,
      tenant_id: u.tenant.id,
      user_id: u.user_id,
      w3c_trace_ids: b.runs.map((r) => r.traceId),
      servers: [...new Set(mine.map((x) => x.server.name))],
      exchange_ids: mine.map((x) => x.request.id),
      ...(carrier ? { injected_exchange_id: carrier.request.id } : {}),
      harmful_exchange_ids: b.harmful.map((x) => x.request.id),
      harmful_action_ids: actions.map((x) => x.request.id),
      first_harmful_action_ts: actions[0]!.ts,
      start: mine[0]!.ts,
      end: mine[mine.length - 1]!.ts,
      revealable: !scenario.unrevealable,
      ...(scenario.unrevealable ? { not_revealable_reason: scenario.unrevealable } : {}),
    });
  });
  return { exchanges, labels };
}
