import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { uuidv7Time } from '../core/ids.ts';
import { makeEvent, makeEvents } from '../test/support/events.factory.ts';
import { auditEventV1, eventKey } from './event.v1.ts';

const fixtureDir = new URL('./fixtures/', import.meta.url);
const fixtures = (dir: 'valid' | 'invalid') =>
  readdirSync(new URL(`${dir}/`, fixtureDir))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ file, value: JSON.parse(readFileSync(new URL(`${dir}/${file}`, fixtureDir), 'utf8')) as unknown }));

// Each invalid fixture is wrong in exactly one way; this is the one path its errors must point at.
const expectedPath: Record<string, string> = {
  'bad-event-id.json': 'event_id',
  'bad-sha256.json': 'arguments.sha256',
  'bad-trace-id.json': 'trace.trace_id',
  'bad-transport.json': 'server.transport',
  'empty-user-id.json': 'actor.user_id',
  'fractional-request-id.json': 'mcp.request_id',
  'missing-event-id.json': 'event_id',
  'negative-size-bytes.json': 'arguments.size_bytes',
  'result-bad-status.json': 'result.status',
  'string-too-long.json': 'tool.name',
  'tenant-with-colon.json': 'tenant_id',
  'too-many-paths.json': 'resource.paths',
  'tool-call-without-tool.json': 'tool',
  'tool-list-without-tools.json': 'tools',
  'ts-without-offset.json': 'ts',
  'unknown-field-in-actor.json': 'actor',
  'unknown-field.json': '',
  'unknown-kind.json': 'kind',
  'wrong-schema-version.json': 'schema_version',
  'wrong-type-ts.json': 'ts',
};

describe('event v1 fixtures', () => {
  const valid = fixtures('valid');
  const invalid = fixtures('invalid');

  it('has enough of both', () => {
    expect(valid.length).toBeGreaterThanOrEqual(6);
    expect(invalid.length).toBeGreaterThanOrEqual(10);
  });

  it.each(valid)('accepts valid/$file', ({ value }) => {
    const r = auditEventV1.safeParse(value);
    expect(r.error?.issues ?? []).toEqual([]);
  });

  it('names the expected error path for every invalid fixture', () => {
    expect(Object.keys(expectedPath).sort()).toEqual(invalid.map((f) => f.file));
  });

  it.each(invalid)('rejects invalid/$file at the expected path only', ({ file, value }) => {
    const r = auditEventV1.safeParse(value);
    expect(r.success).toBe(false);
    const paths = (r.error?.issues ?? []).map((i) => i.path.join('.'));
    expect(paths.length).toBeGreaterThan(0);
    expect(new Set(paths)).toEqual(new Set([expectedPath[file]]));
  });
});

describe('events factory', () => {
  it('always builds valid events with UUIDv7 ids carrying the event time', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 }), fc.integer({ min: 1, max: 20 }), (seed, n) => {
        for (const e of makeEvents(n, { seed })) {
          const r = auditEventV1.safeParse(e);
          if (!r.success) throw new Error(`seed ${seed}: ${JSON.stringify(r.error.issues)}`);
          expect(uuidv7Time(e.event_id)).toBe(Date.parse(e.ts));
          expect(eventKey(e)).toBe(`${e.tenant_id}:${e.actor.user_id}`);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('is deterministic for a seed and honours overrides', () => {
    expect(makeEvents(50, { seed: 42 })).toEqual(makeEvents(50, { seed: 42 }));
    expect(makeEvent({}, { seed: 1 })).toEqual(makeEvent({}, { seed: 1 }));
    const e = makeEvent({ kind: 'tool_list', tenant_id: 'zeta' }, { seed: 9 });
    expect(e.kind).toBe('tool_list');
    expect(e.tenant_id).toBe('zeta');
    expect(auditEventV1.safeParse(e).success).toBe(true);
  });

  it('produces events in time order with distinct ids', () => {
    const events = makeEvents(500, { seed: 3 });
    const times = events.map((e) => Date.parse(e.ts));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(new Set(events.map((e) => e.event_id)).size).toBe(events.length);
  });
});
