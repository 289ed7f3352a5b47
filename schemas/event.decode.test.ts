import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_EVENT_MAX_BYTES } from './event.v1.ts';
import { makeEvent } from '../test/support/events.factory.ts';
import { makeEventsV2 } from '../test/support/events.v2.factory.ts';
import { decodeEvent, type DecodeResult } from './event.decode.ts';

const MAX = DEFAULT_EVENT_MAX_BYTES;
const bytes = (v: unknown) => Buffer.from(JSON.stringify(v));
const failure = (r: DecodeResult) => {
  if (r.ok) throw new Error('expected a rejection');
  return r;
};

describe('decodeEvent', () => {
  it('accepts a valid event and returns it parsed', () => {
    const event = makeEvent({}, { seed: 1 });
    expect(decodeEvent(bytes(event), MAX)).toEqual({ ok: true, event: JSON.parse(JSON.stringify(event)) });
  });

  it('accepts a valid v2 event beside v1, each checked against its own version', () => {
    for (const event of makeEventsV2(50, { seed: 1 })) expect(decodeEvent(bytes(event), MAX)).toEqual({ ok: true, event: JSON.parse(JSON.stringify(event)) });
    // A v1 body labelled v2 is explained against v2: its plain hash is an unknown field there.
    const v1 = makeEvent({ kind: 'tool_call' }, { seed: 2 });
    const r = failure(decodeEvent(bytes({ ...v1, schema_version: 2 }), MAX));
    expect(r).toMatchObject({ reason: 'schema', step: 'validate' });
    expect(r.detail).toContain('arguments: unknown field(s) "sha256"');
    // And a v2 event without its key id gets v2's own rule.
    const { hash_key_id: _, ...noKey } = makeEventsV2(1, { seed: 3 }).find((e) => e.arguments)!;
    expect(failure(decodeEvent(bytes(noKey), MAX)).detail).toContain('hash_key_id: required when the event carries HMACs or fingerprints');
  });

  it('unknown_version: a version this ingest does not read, named as such', () => {
    for (const version of [0, 3, 99, 1.5]) {
      const r = failure(decodeEvent(bytes({ ...makeEvent({}, { seed: 4 }), schema_version: version }), MAX));
      expect(r).toEqual({ ok: false, reason: 'unknown_version', step: 'validate', detail: `schema_version ${version} is not one this ingest reads (1, 2)` });
    }
    // No version, or one that is not a number, is a schema error naming the field.
    const { schema_version: _, ...unversioned } = makeEvent({}, { seed: 5 });
    for (const v of [unversioned, { ...unversioned, schema_version: '2' }]) {
      const r = failure(decodeEvent(bytes(v), MAX));
      expect(r.reason).toBe('schema');
      expect(r.detail).toMatch(/^schema_version: /);
    }
  });

  it('empty: null or zero-length value', () => {
    for (const b of [null, Buffer.alloc(0)]) expect(failure(decodeEvent(b, MAX))).toMatchObject({ reason: 'empty', step: 'decode' });
  });

  it('oversize: checked on raw bytes before decoding', () => {
    const b = bytes(makeEvent({}, { seed: 2 }));
    expect(decodeEvent(b, b.length).ok).toBe(true);
    expect(failure(decodeEvent(b, b.length - 1))).toMatchObject({ reason: 'oversize', step: 'decode' });
    // Invalid UTF-8 and too big: the cheap size check answers first.
    expect(failure(decodeEvent(Buffer.alloc(100, 0xff), 99)).reason).toBe('oversize');
  });

  it('not_utf8: invalid sequences are rejected, not replaced', () => {
    for (const bad of [[0xff], [0xc3, 0x28], [0xc0, 0xaf], [0xed, 0xa0, 0x80]]) {
      const text = JSON.stringify(makeEvent({ tenant_id: 'acme' }, { seed: 3 }));
      const at = text.indexOf('acme');
      const b = Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from(bad), Buffer.from(text.slice(at + 4))]);
      expect(failure(decodeEvent(b, MAX))).toMatchObject({ reason: 'not_utf8', step: 'decode' });
    }
  });

  it('bad_json: reports a position but never the payload', () => {
    const r = failure(decodeEvent(Buffer.from('{"password": "hunter2" x}'), MAX));
    expect(r).toMatchObject({ reason: 'bad_json', step: 'decode' });
    expect(r.detail).toMatch(/position \d+/);
    const quoted = failure(decodeEvent(Buffer.from('hunter2hunter2hunter2'), MAX));
    expect(quoted.reason).toBe('bad_json');
    expect(quoted.detail).not.toContain('hunter2');
    expect(failure(decodeEvent(Buffer.from('{"a":'), MAX)).reason).toBe('bad_json');
    expect(failure(decodeEvent(Buffer.from('  \n'), MAX)).reason).toBe('bad_json');
  });

  it('not_object: arrays, scalars and null', () => {
    for (const s of ['[]', '[{}]', '42', 'null', '"event"', 'true']) {
      expect(failure(decodeEvent(Buffer.from(s), MAX))).toMatchObject({ reason: 'not_object', step: 'decode' });
    }
  });

  it('schema: lists the first issues as `path: message`', () => {
    const { event_id: _, ...noId } = makeEvent({ kind: 'tool_call' }, { seed: 4 });
    const r = failure(decodeEvent(bytes(noId), MAX));
    expect(r).toMatchObject({ reason: 'schema', step: 'validate' });
    expect(r.detail).toMatch(/^event_id: /);
    expect(failure(decodeEvent(bytes({ ...noId, event_id: 'x', tool: undefined, kind: 'tool_call' }), MAX)).detail).toContain('tool: required for kind tool_call');
  });

  it('schema: detail is bounded and holds no field values', () => {
    const secret = 'AKIAIOSFODNN7EXAMPLE';
    const junk = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`k${i}_${'x'.repeat(300)}`, secret]));
    const r = failure(decodeEvent(bytes({ ...makeEvent({}, { seed: 5 }), ts: secret, tenant_id: `${secret}:x`, ...junk }), 1 << 20));
    expect(r.reason).toBe('schema');
    expect(r.detail.length).toBeLessThanOrEqual(1024);
    expect(r.detail).not.toContain(secret);
    expect(r.detail).toContain('unknown field(s)');
  });

  it('rejects an own __proto__ key instead of letting it through', () => {
    const text = JSON.stringify(makeEvent({}, { seed: 6 })).replace('{', '{"__proto__":{"admin":true},');
    expect(failure(decodeEvent(Buffer.from(text), MAX)).reason).toBe('schema');
  });

  it('never throws, whatever the bytes', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 512 }).map((a) => Buffer.from(a)), fc.jsonValue().map(bytes)), (b) => {
        const r = decodeEvent(b, MAX);
        expect(typeof r.ok).toBe('boolean');
      }),
      { numRuns: 2000 },
    );
  });
});
