import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FIELD_NAMES } from './fields.ts';
import { renderRuleFormatPage, ruleReferencePath } from './rule.schema.generate.ts';

describe('docs/rule-format.md', () => {
  it('is up to date with the zod schema', () => {
    const committed = existsSync(ruleReferencePath) ? readFileSync(ruleReferencePath, 'utf8') : '';
    expect(committed === renderRuleFormatPage(), 'docs/rule-format.md is stale: run `npm run schema:generate`').toBe(true);
  });

  it('documents every kind, every field of the common part and every field a condition can name', () => {
    const page = renderRuleFormatPage();
    for (const kind of ['sequence', 'threshold', 'pattern', 'first_seen', 'baseline', 'drift']) expect(page).toContain(`### \`${kind}\``);
    for (const field of ['id', 'version', 'severity', 'risk_score', 'alert', 'suppress', 'tests']) expect(page).toMatch(new RegExp(`^\\| \`${field}\` \\|`, 'm'));
    for (const field of FIELD_NAMES) expect(page).toContain(`| \`${field}\` | `);
  });
});
