// `pattern`: one event matches the conditions (argument regex, credential path, unapproved server).
import type { Catalogue } from '../../classify/catalogue.ts';
import { compileMatch, interestOf } from './condition.ts';
import { compileKey, describeCall, makeMatch, refOf } from './match.ts';
import type { EngineContext, Ev, RuleHandler } from './rule.types.ts';
import type { PatternRule } from './rule.schema.ts';

export function createPatternRule(rule: PatternRule, slot: number, catalogue: Catalogue): RuleHandler {
  const ref = refOf(rule);
  const pred = compileMatch(rule.match);
  const key = compileKey(rule.by);
  const { classes, kinds } = interestOf(rule.match, catalogue);
  return {
    ref,
    slot,
    classes,
    kinds,
    windowMs: 0,
    suppressMs: rule.suppress ?? 0,
    onEvent(ev: Ev, ctx: EngineContext) {
      if (!pred(ev) || !ctx.admit(this, key(ev), ev.ts)) return;
      ctx.emit(makeMatch(rule, ref, [ev], describeCall(ev)));
    },
    reset() {},
  };
}
