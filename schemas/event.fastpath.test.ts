import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { auditEvent } from './event.ts';
import { makeEvents } from '../test/support/events.factory.ts';
import { makeEventsV2 } from '../test/support/events.v2.factory.ts';
import { makeInvalidInputs } from '../test/support/invalid.corpus.ts';
import { compileValidator, fastPathByVersion, fastPathUnsupported, fastValidEvent, UnsupportedSchema } from './event.fastpath.ts';

const zodOk = (v: unknown) => auditEvent.safeParse(v).success;
const roundTrip = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

describe('fastValidEvent', () => {
  it('is compiled for every contract version (not the always-false fallback)', () => {
    expect(fastPathUnsupported).toBeNull();
    expect([...fastPathByVersion.keys()].sort()).toEqual([1, 2]);
  });

  it('accepts every valid event of either version, as zod does', () => {
    for (const e of makeEvents(3000, { seed: 11 }).map(roundTrip)) expect(fastValidEvent(e)).toBe(true);
    for (const e of makeEventsV2(3000, { seed: 12 }).map(roundTrip)) expect(fastValidEvent(e)).toBe(true);
  });

  it('never takes one version for the other', () => {
    const [v1] = makeEvents(1, { seed: 13 }).map(roundTrip);
    const [v2] = makeEventsV2(1, { seed: 13 }).map(roundTrip);
    expect(fastValidEvent({ ...v1, schema_version: 2 })).toBe(zodOk({ ...v1, schema_version: 2 }));
    expect(fastValidEvent({ ...v2, schema_version: 1 })).toBe(false);
    expect(fastValidEvent({ ...v2, schema_version: 3 })).toBe(false);
    const { schema_version: _, ...unversioned } = v2!;
    expect(fastValidEvent(unversioned)).toBe(false);
  });

  it('never accepts what zod rejects: the invalid corpus', () => {
    for (const item of makeInvalidInputs(1000)) {
      let value: unknown;
      try {
        value = JSON.parse(item.bytes.toString('utf8'));
      } catch {
        continue;
      }
      if (fastValidEvent(value)) expect(zodOk(value), item.kind).toBe(true);
    }
  });

  it.each([
    ['v1', () => makeEvents(200, { seed: 3 })],
    ['v2', () => makeEventsV2(200, { seed: 3 })],
  ] as const)('agrees with zod on fuzzed mutations of valid %s events', (_version, make) => {
    const base = make().map(roundTrip);
    const paths = (o: unknown, prefix: string[] = []): string[][] =>
      o !== null && typeof o === 'object'
        ? Object.entries(o as Record<string, unknown>).flatMap(([k, v]) => [[...prefix, k], ...paths(v, [...prefix, k])])
        : [];
    fc.assert(
      fc.property(
        fc.nat(base.length - 1),
        fc.nat(),
        fc.oneof(
          fc.constant<'delete'>('delete'),
          fc.constant<'unknown'>('unknown'),
          fc.jsonValue({ maxDepth: 2 }),
          fc.string({ maxLength: 300 }),
          fc.string({ minLength: 4000, maxLength: 9000 }),
          fc.double(),
          fc.integer(),
          fc.constantFrom('', 'tool_call', 'tool_list', '2025-06-02T09:00:00Z', '2025-02-29T09:00:00Z', 'a'.repeat(64), 'ok'),
          // v2 shapes: a version switch, flags, fingerprints right and wrong, an episode basis.
          fc.constantFrom(1, 2, 3, true, false, [], ['email:0123456789abcdef'], ['email:0123456789ABCDEF'], 'idle_gap', 'k1'),
        ),
        (i, j, mutation) => {
          const e = structuredClone(base[i]!) as Record<string, unknown>;
          const all = paths(e);
          const path = all[j % all.length]!;
          let parent = e;
          for (const k of path.slice(0, -1)) parent = parent[k] as Record<string, unknown>;
          const key = path.at(-1)!;
          if (mutation === 'delete') delete parent[key];
          else if (mutation === 'unknown') parent[`${key}_x`] = 1;
          else parent[key] = mutation;
          const v = roundTrip(e);
          expect(fastValidEvent(v)).toBe(zodOk(v));
        },
      ),
      { numRuns: 3000, seed: 42 },
    );
  });

  it('refuses to compile what it cannot reproduce exactly, so zod decides', () => {
    expect(() => compileValidator(z.object({ a: z.string() }))).toThrow(UnsupportedSchema); // strips unknown keys
    expect(() => compileValidator(z.strictObject({ a: z.email() }))).toThrow(UnsupportedSchema);
    expect(() => compileValidator(z.strictObject({ a: z.string().transform((s) => s.trim()) }))).toThrow(UnsupportedSchema);
  });
});
