// Runs every shipped rule's own tests (the same as `mcp-audit rules test`), so `npm test` covers
// the pack, and checks that each rule has at least one test that fires and one that stays silent.
import { describe, expect, it } from 'vitest';
import { loadCatalogue } from '../../classify/catalogue.ts';
import { runRuleTests } from '../rules/rule.tests.ts';
import { DEFAULT_RULES_DIR, loadRules } from '../rules/rules.load.ts';

const { rules, problems } = loadRules([DEFAULT_RULES_DIR]);
const catalogue = loadCatalogue();

describe('shipped rule pack', () => {
  it('loads without problems', () => {
    expect(problems).toEqual([]);
    expect(rules.length).toBeGreaterThanOrEqual(15);
  });

  for (const loaded of rules) {
    it(`${loaded.rule.id}: has positive and negative tests, and they pass`, () => {
      expect(loaded.rule.tests.some((t) => t.expect.alerts > 0)).toBe(true);
      expect(loaded.rule.tests.some((t) => t.expect.alerts === 0)).toBe(true);
      for (const r of runRuleTests(loaded, catalogue)) {
        expect({ test: r.name, error: r.error, alerts: r.actual }).toEqual({ test: r.name, error: undefined, alerts: r.expected });
      }
    });
  }
});
