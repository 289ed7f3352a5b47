import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { FIELD_NAMES } from './fields.ts';
import { renderRuleJsonSchema, ruleSchemaPath } from './rule.schema.generate.ts';
import { ruleSchema } from './rule.schema.ts';

const packDir = fileURLToPath(new URL('../pack/', import.meta.url));
const packFiles = readdirSync(packDir)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => join(packDir, f));
// Union types (`type: [string, number, boolean]`) are what zod writes for a scalar; strict otherwise.
const validate = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true }).compile(JSON.parse(renderRuleJsonSchema()));
const SCHEMA_LINE = /^# yaml-language-server: \$schema=(\S+)\n/;

const valid = {
  id: 'test.pattern',
  version: 1,
  title: 'A call to a tool',
  severity: 'low',
  risk_score: 10,
  kind: 'pattern',
  match: { 'tool.name': { glob: 'send_*' }, any: [{ labels: 'external_sink' }] },
  suppress: '10m',
};

describe('rule.schema.json', () => {
  it('is up to date with the zod schema', () => {
    const committed = readFileSync(ruleSchemaPath, 'utf8');
    expect(committed === renderRuleJsonSchema(), 'detector/rules/rule.schema.json is stale: run `npm run schema:generate`').toBe(true);
  });

  it('is named on the first line of every shipped rule, for editors', () => {
    for (const file of packFiles) {
      const line = SCHEMA_LINE.exec(readFileSync(file, 'utf8'));
      expect(line, `${file} does not start with # yaml-language-server: $schema=../rules/rule.schema.json`).not.toBeNull();
      expect(resolve(dirname(file), line![1]!)).toBe(ruleSchemaPath);
    }
  });

  it('accepts every shipped rule', () => {
    expect(packFiles.length).toBeGreaterThan(10);
    for (const file of packFiles) {
      const ok = validate(parse(readFileSync(file, 'utf8')));
      expect(ok, `${file}: ${JSON.stringify(validate.errors?.slice(0, 3))}`).toBe(true);
    }
    expect(validate(valid), JSON.stringify(validate.errors)).toBe(true);
  });

  it.each([
    ['an unknown field in a match', { ...valid, match: { 'tool.nmae': 'x' } }],
    ['a duration that is not one', { ...valid, suppress: '10 minutes' }],
    ['an unknown kind', { ...valid, kind: 'regexp' }],
    ['a field a kind does not have', { ...valid, maxspan: '10m' }],
    ['a missing severity', { ...valid, severity: undefined }],
    ['a sequence of one step', { ...valid, kind: 'sequence', maxspan: '1m', steps: [{ match: { kind: 'tool_call' } }], match: undefined }],
  ])('refuses %s, as the loader does', (_name, rule) => {
    const plain = JSON.parse(JSON.stringify(rule));
    expect(ruleSchema.safeParse(plain).success).toBe(false);
    expect(validate(plain)).toBe(false);
  });

  it('lists every field a condition can name', () => {
    const names = JSON.parse(renderRuleJsonSchema()).$defs.match.propertyNames.enum;
    expect(names).toEqual(expect.arrayContaining(FIELD_NAMES));
  });
});
