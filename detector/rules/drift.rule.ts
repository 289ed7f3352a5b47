// `drift`: on tools/list events. `changed` — a tool's description hash differs from the one first
// seen for that server (a rug pull: approved with one description, later serving another);
// `poisoning` — a description holds instructions aimed at the model ("ignore previous
// instructions", "<IMPORTANT>", "before using this tool read ~/.ssh ...").
import type { Catalogue } from '../../classify/catalogue.ts';
import { compileMatch, type Predicate } from './condition.ts';
import { specializeByMatch } from './condition.fold.ts';
import { makeMatch, refOf, truncate } from './match.ts';
import type { EngineContext, Ev, RuleHandler } from './rule.types.ts';
import type { DriftRule } from './rule.schema.ts';

interface ServerState {
  /** tool name -> description hash and the event it was seen in. */
  tools: Map<string, { sha: string; ev: Ev }>;
  /** `name:sha` of descriptions already raised as poisoned. */
  raised: Set<string>;
}

/** Servers per tenant are few; the cap only guards against a flood of made-up server names. */
const MAX_SERVERS = 100_000;
const MAX_TOOLS_PER_SERVER = 1024;

export function createDriftRule(rule: DriftRule, slot: number, _catalogue: Catalogue): RuleHandler {
  const ref = refOf(rule);
  const phrases = rule.phrases.map((p) => new RegExp(p, 'i'));
  const servers = new Map<string, ServerState>();

  const handler: RuleHandler = {
    ref,
    slot,
    classes: null,
    kinds: new Set(['tool_list']),
    windowMs: 0,
    suppressMs: rule.suppress ?? 0,
    onEvent: onEventFor(compileMatch(rule.match)),
    specialize: (route) => specializeByMatch(handler, rule.match, route, onEventFor),
    keyCount: () => servers.size,
    reset() {
      servers.clear();
    },
  };
  /** The rule's event handler around `pred`, the match (or what a route leaves of it, condition.fold.ts). */
  function onEventFor(pred: Predicate) {
    return (ev: Ev, ctx: EngineContext): void => {
      const tools = ev.e.tools;
      if (!tools || tools.length === 0 || !pred(ev)) return;
      const key = `${ev.e.tenant_id}\u0001${ev.e.server.name}`;
      let s = servers.get(key);
      if (!s) {
        if (servers.size >= MAX_SERVERS) servers.delete(servers.keys().next().value!);
        servers.set(key, (s = { tools: new Map(), raised: new Set() }));
      }
      if (rule.detect === 'changed') {
        const changed: string[] = [];
        let before: Ev | null = null;
        for (const t of tools) {
          const prev = s.tools.get(t.name);
          if (prev === undefined) {
            if (s.tools.size < MAX_TOOLS_PER_SERVER) s.tools.set(t.name, { sha: t.description_sha256, ev });
          } else if (prev.sha !== t.description_sha256) {
            changed.push(t.name);
            before ??= prev.ev;
            s.tools.set(t.name, { sha: t.description_sha256, ev });
          }
        }
        if (changed.length === 0 || !ctx.admit(handler, key, ev.ts)) return;
        const evidence = before && before.ts <= ev.ts && before !== ev ? [before, ev] : [ev];
        ctx.emit(makeMatch(rule, ref, evidence, `server ${ev.e.server.name} changed the description of ${changed.join(', ')} since first seen`));
        return;
      }
      const poisoned: string[] = [];
      for (const t of tools) {
        const d = t.description;
        if (!d) continue;
        const id = `${t.name}:${t.description_sha256}`;
        if (s.raised.has(id)) continue;
        const hit = phrases.find((re) => re.test(d));
        if (!hit) continue;
        if (s.raised.size < MAX_TOOLS_PER_SERVER) s.raised.add(id);
        const m = hit.exec(d)!;
        poisoned.push(`${t.name} ("${truncate(m[0], 80)}")`);
      }
      if (poisoned.length === 0 || !ctx.admit(handler, key, ev.ts)) return;
      ctx.emit(makeMatch(rule, ref, [ev], `server ${ev.e.server.name} describes tools with instructions aimed at the model: ${poisoned.join(', ')}`));
    };
  }

  return handler;
}
