// Writes schemas/event.v1.schema.json from the zod schema, the single source of truth.
//   node schemas/generate.ts          rewrite the file
//   node schemas/generate.ts --check  exit 1 if the committed file differs (for CI)
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { auditEventV1, requiredFieldByKind } from './event.v1.ts';

export const SCHEMA_PATH = fileURLToPath(new URL('./event.v1.schema.json', import.meta.url));
// A URN rather than an https URL: the project owns no domain to serve the schema from.
export const SCHEMA_ID = 'urn:mcp-audit:schema:event:v1';

/** The JSON Schema text, byte-for-byte what belongs in the committed file. */
export function renderJsonSchema(): string {
  // io 'input': the file describes what producers send; `unrepresentable` keeps its default
  // ('throw') so a future zod construct JSON Schema cannot express fails here instead of vanishing.
  const generated = z.toJSONSchema(auditEventV1, { target: 'draft-2020-12', io: 'input' });
  const { $schema, description, ...rest } = generated;
  // toJSONSchema drops superRefine; restate the kind-specific requirement as if/then clauses.
  const allOf = Object.entries(requiredFieldByKind).map(([kind, field]) => ({
    if: { properties: { kind: { const: kind } }, required: ['kind'] },
    then: { required: [field] },
  }));
  const rules = Object.entries(requiredFieldByKind).map(([kind, field]) => `kind ${kind} requires ${field}`);
  const schema = {
    $schema,
    $id: SCHEMA_ID,
    title: 'MCP audit event v1',
    description: `${description ?? ''}. Generated from schemas/event.v1.ts; do not edit. ${rules.join('; ')}.`,
    ...rest,
    allOf,
  };
  return `${JSON.stringify(schema, null, 2)}\n`;
}

function readCommitted(): string | undefined {
  try {
    return readFileSync(SCHEMA_PATH, 'utf8');
  } catch {
    return undefined;
  }
}

function main(argv: readonly string[]): number {
  const fresh = renderJsonSchema();
  if (argv.includes('--check')) {
    if (readCommitted() === fresh) return 0;
    console.error(`${SCHEMA_PATH} is stale or missing: run \`npm run schema:generate\` and commit the result.`);
    return 1;
  }
  writeFileSync(SCHEMA_PATH, fresh);
  console.log(`wrote ${SCHEMA_PATH}`);
  return 0;
}

if (import.meta.main) process.exitCode = main(process.argv.slice(2));
