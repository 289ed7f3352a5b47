// Fixtures of event v2 (schemas/fixtures/v2): the valid ones come from capture itself; each invalid
// one is wrong in exactly one way. The union `auditEvent` takes v1 and v2 and nothing else.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { auditEvent } from './event.ts';
import { auditEventV1 } from './event.v1.ts';
import { auditEventV2 } from './event.v2.ts';

const fixtures = (dir: string) =>
  readdirSync(new URL(`./fixtures/${dir}/`, import.meta.url))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ file, value: JSON.parse(readFileSync(new URL(`./fixtures/${dir}/${file}`, import.meta.url), 'utf8')) as unknown }));

const expectedPath: Record<string, string> = {
  'bad-episode-basis.json': 'episode.basis',
  'bad-fingerprint.json': 'fingerprints.arguments.0',
  'empty-argument-key.json': 'arguments.keys.0',
  'hmac-without-key-id.json': 'hash_key_id',
  'too-many-destinations.json': 'fingerprints.destinations',
  'v1-sha256-in-arguments.json': 'arguments',
  'v2-fields-as-v1.json': 'schema_version',
};

describe('event v2 fixtures', () => {
  const valid = fixtures('v2/valid');
  const invalid = fixtures('v2/invalid');

  it.each(valid)('accepts v2/valid/$file, also through the union', ({ value }) => {
    expect(auditEventV2.safeParse(value).error?.issues ?? []).toEqual([]);
    expect(auditEvent.safeParse(value).success).toBe(true);
  });

  it('names the expected error path for every invalid fixture', () => {
    expect(Object.keys(expectedPath).sort()).toEqual(invalid.map((f) => f.file));
  });

  it.each(invalid)('rejects v2/invalid/$file at the expected path only, and the union rejects it too', ({ file, value }) => {
    const r = auditEventV2.safeParse(value);
    expect(new Set((r.error?.issues ?? []).map((i) => i.path.join('.')))).toEqual(new Set([expectedPath[file]]));
    expect(auditEvent.safeParse(value).success).toBe(false);
  });

  it('keeps every v1 fixture valid as v1 through the union, and never as v2', () => {
    for (const { value } of fixtures('valid')) {
      expect(auditEventV1.safeParse(value).success).toBe(true);
      expect(auditEvent.safeParse(value).success).toBe(true);
      expect(auditEventV2.safeParse(value).success).toBe(false);
    }
  });
});
