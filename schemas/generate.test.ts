import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderJsonSchema, schemaId, schemaPath, SCHEMA_VERSIONS } from './generate.ts';

describe.each(SCHEMA_VERSIONS)('event.v%i.schema.json', (version) => {
  it('is up to date with the zod schema', () => {
    const committed = readFileSync(schemaPath(version), 'utf8');
    expect(committed === renderJsonSchema(version), `schemas/event.v${version}.schema.json is stale: run \`npm run schema:generate\``).toBe(true);
  });

  it('carries what the zod refinements check', () => {
    const s = JSON.parse(renderJsonSchema(version));
    expect(s.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(s.$id).toBe(schemaId(version));
    expect(s.title).toBe(`MCP audit event v${version}`);
    expect(s.additionalProperties).toBe(false);
    expect(s.properties.schema_version.const).toBe(version);
    expect(s.properties.event_id.pattern).toBeTypeOf('string');
    expect(s.allOf).toContainEqual({ if: { properties: { kind: { const: 'tool_call' } }, required: ['kind'] }, then: { required: ['tool'] } });
    expect(s.allOf).toContainEqual({ if: { properties: { kind: { const: 'tool_list' } }, required: ['kind'] }, then: { required: ['tools'] } });
  });
});

describe('event.v2.schema.json', () => {
  const s = JSON.parse(renderJsonSchema(2));

  it('names the keyed hashes and drops the plain ones', () => {
    expect(s.properties.arguments.required).toContain('hmac_sha256');
    expect(s.properties.arguments.properties.sha256).toBeUndefined();
    expect(s.properties.result.properties.hmac_sha256.pattern).toBe('^[0-9a-f]{64}$');
    expect(s.properties.fingerprints.required).toEqual(['arguments', 'result', 'destinations']);
    expect(s.properties.episode.properties.basis.enum).toContain('idle_gap');
  });

  it('requires hash_key_id wherever the superRefine does', () => {
    const needsKey = s.allOf.filter((c: { then: { required: string[] } }) => c.then.required.includes('hash_key_id'));
    expect(needsKey.map((c: { if: unknown }) => c.if)).toEqual([
      { required: ['arguments'] },
      { properties: { result: { required: ['hmac_sha256'] } }, required: ['result'] },
      { required: ['fingerprints'] },
    ]);
  });

  it('has its own id beside v1', () => {
    expect(schemaId(2)).not.toBe(schemaId(1));
    expect(schemaPath(2)).toMatch(/event\.v2\.schema\.json$/);
  });
});
