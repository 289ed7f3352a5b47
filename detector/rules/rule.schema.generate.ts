// Writes the rule format's JSON Schema (detector/rules/rule.schema.json, named on the first line of
// every shipped rule so editors validate them) and its reference (docs/rule-format.md), both from the
// zod schema in rule.schema.ts, the single source of truth. `npm run schema:generate` runs it.
//   node detector/rules/rule.schema.generate.ts          rewrite both files
//   node detector/rules/rule.schema.generate.ts --check  exit 1 if a committed file differs
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { writeOrCheck } from '../../core/generated.files.ts';
import { FIELD_NAMES, FIELDS } from './fields.ts';
import { renderRuleReference, type JsonSchema } from './rule.reference.ts';
import { MATCH_OPERATORS, ruleSchema } from './rule.schema.ts';

export const ruleSchemaPath = fileURLToPath(new URL('./rule.schema.json', import.meta.url));
export const ruleReferencePath = fileURLToPath(new URL('../../docs/rule-format.md', import.meta.url));
// A URN rather than an https URL: the project owns no domain to serve the schema from.
export const RULE_SCHEMA_ID = 'urn:mcp-audit:schema:rule:v1';

// What rule.schema.ts checks in refinements, which JSON Schema cannot say; mcp-audit still does.
const NOT_HERE = [
  'regexes compile',
  'a condition object names at least one operator',
  'a sequence does not start with an absence step, its last absence step has `within`, no two absence steps follow each other, `within` is only on absence steps, and its steps with `by` list the same number of fields',
];

export function ruleJsonSchema(): JsonSchema & Record<string, unknown> {
  // io 'input': the file describes what a person writes (defaults may be left out). `unrepresentable`
  // keeps its default ('throw'), so a construct JSON Schema cannot express fails here.
  const generated = z.toJSONSchema(ruleSchema, { target: 'draft-2020-12', io: 'input' }) as JsonSchema & Record<string, unknown>;
  const { $schema, description, $defs, ...rest } = generated;
  const match = $defs?.match;
  if (!match) throw new Error('rule.schema.ts no longer names its match schema `match`');
  // The match's superRefine (every key an operator or a known field) restated, so an editor flags an
  // unknown field as the loader does.
  match.propertyNames = { enum: [...MATCH_OPERATORS, ...FIELD_NAMES] };
  return {
    $schema,
    $id: RULE_SCHEMA_ID,
    title: 'mcp-audit detection rule',
    description: `${description ?? ''} Generated from detector/rules/rule.schema.ts; do not edit. Checked by mcp-audit, not by this schema: ${NOT_HERE.join('; ')}.`,
    ...rest,
    $defs,
  };
}

/** The JSON Schema text, byte for byte what belongs in rule.schema.json. */
export function renderRuleJsonSchema(): string {
  return `${JSON.stringify(ruleJsonSchema(), null, 2)}\n`;
}

/** The reference page, byte for byte what belongs in docs/rule-format.md. */
export function renderRuleFormatPage(): string {
  const facts = Object.fromEntries(Object.entries(FIELDS).map(([name, f]) => [name, { array: f.array, ...(f.name ? { name: true } : {}) }]));
  // The page says where it comes from in its own words, so it takes the description without the schema's note.
  return renderRuleReference({ ...ruleJsonSchema(), description: ruleSchema.description ?? '' }, facts, {
    zod: 'detector/rules/rule.schema.ts',
    json: 'detector/rules/rule.schema.json',
    generator: 'detector/rules/rule.schema.generate.ts',
  });
}

if (import.meta.main) {
  process.exitCode = writeOrCheck(
    [
      [ruleSchemaPath, renderRuleJsonSchema()],
      [ruleReferencePath, renderRuleFormatPage()],
    ],
    process.argv.slice(2),
  );
}
