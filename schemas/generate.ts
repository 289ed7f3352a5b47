// Writes one JSON Schema per event contract version (schemas/event.v1.schema.json,
// schemas/event.v2.schema.json) from the zod schemas, the single source of truth.
//   node schemas/generate.ts          rewrite the files
//   node schemas/generate.ts --check  exit 1 if a committed file differs (for CI)
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { writeOrCheck } from '../core/generated.files.ts';
import { auditEventV1, requiredFieldByKind } from './event.v1.ts';
import { auditEventV2 } from './event.v2.ts';

export const SCHEMA_VERSIONS = [1, 2] as const;
export type SchemaVersion = (typeof SCHEMA_VERSIONS)[number];

type Clause = { if: Record<string, unknown>; then: Record<string, unknown> };

const byKind: Clause[] = Object.entries(requiredFieldByKind).map(([kind, field]) => ({
  if: { properties: { kind: { const: kind } }, required: ['kind'] },
  then: { required: [field] },
}));
const kindRules = Object.entries(requiredFieldByKind).map(([kind, field]) => `kind ${kind} requires ${field}`);

// v2's superRefine also requires `hash_key_id` whenever the event carries an HMAC or fingerprints
// (schemas/event.v2.ts); `arguments` always holds an HMAC, `result` only when it has `hmac_sha256`.
const keyed: Clause[] = [
  { if: { required: ['arguments'] }, then: { required: ['hash_key_id'] } },
  { if: { properties: { result: { required: ['hmac_sha256'] } }, required: ['result'] }, then: { required: ['hash_key_id'] } },
  { if: { required: ['fingerprints'] }, then: { required: ['hash_key_id'] } },
];

const CONTRACTS: Record<SchemaVersion, { schema: z.ZodType; source: string; clauses: Clause[]; rules: string[] }> = {
  1: { schema: auditEventV1, source: 'schemas/event.v1.ts', clauses: byKind, rules: kindRules },
  2: {
    schema: auditEventV2,
    source: 'schemas/event.v2.ts',
    clauses: [...byKind, ...keyed],
    rules: [...kindRules, 'arguments, result.hmac_sha256 or fingerprints require hash_key_id'],
  },
};

export const schemaPath = (version: SchemaVersion): string => fileURLToPath(new URL(`./event.v${version}.schema.json`, import.meta.url));
// A URN rather than an https URL: the project owns no domain to serve the schema from.
export const schemaId = (version: SchemaVersion): string => `urn:mcp-audit:schema:event:v${version}`;

/** The JSON Schema text of one version, byte-for-byte what belongs in its committed file. */
export function renderJsonSchema(version: SchemaVersion): string {
  const c = CONTRACTS[version];
  // io 'input': the file describes what producers send; `unrepresentable` keeps its default
  // ('throw') so a future zod construct JSON Schema cannot express fails here instead of vanishing.
  const generated = z.toJSONSchema(c.schema, { target: 'draft-2020-12', io: 'input' });
  const { $schema, description, ...rest } = generated;
  // toJSONSchema drops superRefine; restate its rules as if/then clauses.
  const schema = {
    $schema,
    $id: schemaId(version),
    title: `MCP audit event v${version}`,
    description: `${description ?? ''}. Generated from ${c.source}; do not edit. ${c.rules.join('; ')}.`,
    ...rest,
    allOf: c.clauses,
  };
  return `${JSON.stringify(schema, null, 2)}\n`;
}

if (import.meta.main) {
  process.exitCode = writeOrCheck(
    SCHEMA_VERSIONS.map((version) => [schemaPath(version), renderJsonSchema(version)] as const),
    process.argv.slice(2),
  );
}
