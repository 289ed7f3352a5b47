// `pattern`: one event matches the conditions (argument regex, credential path, unapproved server).
import type { Catalogue } from '../../classify/catalogue.ts';
import { compileMatch, interestOf, type Predicate } from './condition.ts';
import { specializeByMatch } from './condition.fold.ts';
import { compileKey, describeCall, makeMatch, refOf } from './match.ts';
import type { EngineContext, Ev, RuleHandler } from './rule.types.ts';
import type { PatternRule } from './rule.schema.ts';

export function createPatternRule(rule: PatternRule, slot: number, catalogue: Catalogue): RuleHandler {
  const ref = refOf(rule);
  const key = compileKey(rule.by);
  const { classes, kinds } = interestOf(rule.match, catalogue);
  const onEventFor = (pred: Predicate) => (ev: Ev, ctx: EngineContext): void => {
    if (!pred(ev) || !ctx.admit(handler, key(ev), ev.ts)) return;
    ctx.emit(makeMatch(rule, ref, [ev], describeCall(ev)));
  };
  const handler: RuleHandler = {
    ref,
    slot,
    classes,
    kinds,
    windowMs: 0,
    suppressMs: rule.suppress ?? 0,
    onEvent: onEventFor(compileMatch(rule.match)),
    specialize: (route) => specializeByMatch(handler, rule.match, route, onEventFor),
    reset() {},
  };
  return handler;
}
