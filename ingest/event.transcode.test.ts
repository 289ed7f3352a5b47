// The transcoder (event.transcode.ts) against the old path (decodeEvent -> classifyWithHints ->
// eventRowTsv -> Buffer.from) on the same bytes: whatever it accepts, the old path must accept too and
// write the same line, byte for byte; whatever the old path refuses, it must decline (so the
// dead-letter reason stays the old path's). Factory events of v1 and v2, the same events serialized
// in other ways (key order, whitespace, escapes), fuzzed valid events with odd text, mutations into
// invalid events (types, missing and extra fields, enums, duplicate keys, numbers, UTF-8), and the
// invalid corpus. It may decline what the old path accepts (tool listings, schema changes it does
// not know): those events are only slower.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadCatalogue } from '../classify/catalogue.ts';
import { classifyWithHints, ToolHintsMemory } from '../classify/tool.hints.ts';
import { decodeEvent } from '../schemas/event.decode.ts';
import { auditEventV1, DEFAULT_EVENT_MAX_BYTES } from '../schemas/event.v1.ts';
import { auditEventV2 } from '../schemas/event.v2.ts';
import { makeEvents } from '../test/support/events.factory.ts';
import { makeEventsV2 } from '../test/support/events.v2.factory.ts';
import { makeInvalidInputs } from '../test/support/invalid.corpus.ts';
import type { KafkaOrigin } from './event.row.ts';
import { EVENT_COLUMNS, eventRowTsv } from './event.row.tsv.ts';
import { compileTranscodePlan } from './event.transcode.plan.ts';
import { EventTranscoder } from './event.transcode.ts';

const MAX = DEFAULT_EVENT_MAX_BYTES;
const AT = 1_764_460_800;
const catalogue = loadCatalogue();

type Json = Record<string, unknown>;

/** Both paths over one stream of messages, each with its own tool-hints memory, fed as the pipeline feeds it. */
class Paths {
  private readonly oldHints = new ToolHintsMemory();
  private readonly newHints = new ToolHintsMemory();
  readonly transcoder: EventTranscoder;
  accepted = 0;
  declined = 0;

  constructor(transcoder = new EventTranscoder()) {
    this.transcoder = transcoder;
  }

  /** Runs both; fails the test when the transcoder accepts what the old path refuses or writes another line. */
  run(bytes: Buffer | null, origin: KafkaOrigin = { topic: 'mcp.audit.events', partition: 1, offset: '42' }, at = AT): { old: Buffer | null; line: Buffer | null } {
    const d = decodeEvent(bytes, MAX);
    const old = d.ok ? Buffer.from(eventRowTsv(d.event, origin, at, classifyWithHints(this.oldHints, d.event, catalogue))) : null;
    const line = this.transcoder.line(bytes, MAX, origin, at, (e) => classifyWithHints(this.newHints, e, catalogue));
    const shown = () => (bytes === null ? 'null' : bytes.toString('utf8').slice(0, 600));
    if (line === null) {
      this.declined++;
      // What the pipeline does next: the old path, which also remembers tool listings.
      if (d.ok) classifyWithHints(this.newHints, d.event, catalogue);
    } else {
      this.accepted++;
      expect(d.ok ? 'accepted' : `refused (${d.reason}: ${d.detail})`, shown()).toBe('accepted');
      // Compared as text first for a readable difference, then byte for byte.
      expect(line.toString('utf8'), shown()).toBe(old!.toString('utf8'));
      expect(line.equals(old!), shown()).toBe(true);
    }
    return { old, line };
  }
}

const json = (v: unknown): Buffer => Buffer.from(JSON.stringify(v));
const roundTrip = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
const factoryEvents = (n: number, seed: number): Json[] => [...makeEvents(n, { seed }), ...makeEventsV2(n, { seed: seed + 1 })].map(roundTrip) as unknown as Json[];

/** Leaf paths of an object (lists of strings count as leaves). */
function leaves(o: unknown, prefix: string[] = []): string[][] {
  return o !== null && typeof o === 'object' && !(Array.isArray(o) && o.every((x) => typeof x === 'string'))
    ? Object.entries(o as Json).flatMap(([k, v]) => leaves(v, [...prefix, k]))
    : [prefix];
}
/** Every path, objects included. */
function allPaths(o: unknown, prefix: string[] = []): string[][] {
  if (o === null || typeof o !== 'object' || Array.isArray(o)) return [prefix];
  return [prefix, ...Object.entries(o as Json).flatMap(([k, v]) => allPaths(v, [...prefix, k]))].filter((p) => p.length > 0);
}
function parentOf(e: Json, path: string[]): Json {
  let parent = e;
  for (const k of path.slice(0, -1)) parent = parent[k] as Json;
  return parent;
}
function shuffleKeys(v: unknown, rnd: () => number): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map((x) => shuffleKeys(x, rnd));
  const entries = Object.entries(v as Json);
  for (let i = entries.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [entries[i], entries[j]] = [entries[j]!, entries[i]!];
  }
  return Object.fromEntries(entries.map(([k, x]) => [k, shuffleKeys(x, rnd)]));
}
/** JSON with every non-ASCII character and '/' escaped: the same value in other bytes. */
const escapedJson = (v: unknown): string =>
  JSON.stringify(v)
    .replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replaceAll('/', '\\/');

describe('the transcode plan', () => {
  it('writes the columns of EVENT_COLUMNS and knows every field of every version except tool listings', () => {
    const plan = compileTranscodePlan();
    expect(plan.columns).toHaveLength(EVENT_COLUMNS.length - 4);
    // A field the schemas gain and no column names shows up here (and such events take the old path).
    expect(plan.fallbackPaths).toEqual(['tools']);
    expect([...plan.versions.keys()].sort()).toEqual([1, 2]);
  });

  it('restates the schemas’ refinements as they are written (update event.transcode.plan.ts with them)', () => {
    const refinement = (file: string) => /\.superRefine\(\(e, ctx\) => \{([\s\S]*?)\n {2}\}\)/.exec(readFileSync(new URL(`../schemas/${file}`, import.meta.url), 'utf8'))![1]!.replace(/\s+/g, ' ').trim();
    const kinds = 'for (const [kind, field] of Object.entries(requiredFieldByKind)) { if (e.kind === kind && e[field] === undefined) ctx.addIssue({ code: \'custom\', path: [field], message: `required for kind ${kind}` }); }';
    expect(refinement('event.v1.ts')).toBe(kinds);
    expect(refinement('event.v2.ts')).toBe(
      `${kinds} const keyed = e.arguments?.hmac_sha256 ?? e.result?.hmac_sha256 ?? e.fingerprints; if (keyed !== undefined && e.hash_key_id === undefined) { ctx.addIssue({ code: 'custom', path: ['hash_key_id'], message: 'required when the event carries HMACs or fingerprints' }); }`,
    );
  });

  it('leaves to the old path a field it does not know, and every event of a version with a refinement it does not know', () => {
    const withField = z.strictObject({ ...auditEventV2.shape, novel: z.string().optional() }).superRefine(() => {});
    const plan = compileTranscodePlan(new Map<unknown, z.ZodType>([[2, withField], [1, auditEventV1]]));
    expect(plan.fallbackPaths).toContain('novel');
    const [e] = makeEventsV2(1, { seed: 1 }).map(roundTrip);
    expect(new EventTranscoder(plan).line(json({ ...e, novel: 'x' }), MAX, { topic: 't', partition: 0, offset: '0' }, AT, () => ({ class: '', inferred: false, labels: [] }))).toBeNull();

    const refined = auditEventV1.refine(() => true);
    const strict = new EventTranscoder(compileTranscodePlan(new Map<unknown, z.ZodType>([[2, auditEventV2], [1, refined]])));
    const [v1] = makeEvents(1, { seed: 1 }).map(roundTrip);
    expect(strict.line(json(v1), MAX, { topic: 't', partition: 0, offset: '0' }, AT, () => ({ class: '', inferred: false, labels: [] }))).toBeNull();
  });
});

describe('EventTranscoder against the old path', () => {
  let paths: Paths;
  beforeEach(() => {
    paths = new Paths();
  });

  it('writes the same line for every v1 and v2 factory event, and accepts all but tool listings', () => {
    const events = factoryEvents(2000, 7);
    events.forEach((e, i) => paths.run(json(e), { topic: 'mcp.audit.events', partition: i % 6, offset: String(1e6 + i) }, AT + (i % 3)));
    expect(paths.accepted).toBe(events.filter((e) => e.tools === undefined).length);
  });

  it('reads the same events serialized other ways: key order, whitespace, escapes', () => {
    let seed = 1;
    const rnd = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    const events = factoryEvents(300, 11);
    for (const e of events) {
      paths.run(json(shuffleKeys(e, rnd)));
      paths.run(Buffer.from(JSON.stringify(e, null, 2)));
      paths.run(Buffer.from(` \r\n\t${JSON.stringify(e)}\n `));
      paths.run(Buffer.from(escapedJson(e)));
    }
    expect(paths.accepted).toBe(4 * events.filter((e) => e.tools === undefined).length);
  });

  it('agrees on fuzzed valid events: any text in every string, lists, numbers and flags', () => {
    const base = factoryEvents(100, 5);
    const text = fc.oneof(
      fc.string({ maxLength: 60, unit: 'binary' }),
      fc.string({ maxLength: 20, unit: fc.constantFrom('\\', "'", '"', '\t', '\n', '\r', '\0', '\u007f', 'a', '[', ']', ',', 'N', 'é', '€', '😀', '\ud800', '/') }),
    );
    let valid = 0;
    fc.assert(
      fc.property(
        fc.nat(base.length - 1),
        fc.array(
          fc.record({ at: fc.nat(), text, list: fc.array(text, { maxLength: 3 }), number: fc.oneof(fc.nat(), fc.integer({ min: -5, max: 5 }), fc.double({ min: 0, max: 86_400_000, noNaN: true }), fc.constantFrom(2 ** 32 - 1, 2 ** 32, 1e15, 1e16 + 1, 0.1, 5e-324)), flag: fc.boolean() }),
          { minLength: 1, maxLength: 4 },
        ),
        (i, mutations) => {
          const e = structuredClone(base[i]!);
          for (const m of mutations) {
            const all = leaves(e);
            const path = all[m.at % all.length]!;
            const parent = parentOf(e, path);
            const key = path.at(-1)!;
            const old = parent[key];
            parent[key] = Array.isArray(old) ? m.list : typeof old === 'number' ? m.number : typeof old === 'boolean' ? m.flag : m.text;
          }
          const { old } = paths.run(json(e));
          if (old !== null) valid++;
        },
      ),
      { numRuns: 4000, seed: 25 },
    );
    // The fuzzer must reach valid events, and the transcoder must take most of them.
    expect(valid).toBeGreaterThan(800);
    expect(paths.accepted).toBeGreaterThan(valid * 0.8);
  });

  it('declines every mutation into an invalid event, and agrees on the ones that stay valid', () => {
    const base = factoryEvents(100, 9);
    const wrong = [null, 0, -1, 1.5, -0, 2 ** 32, 1e300, true, false, '', 'x', 'tool_call', 'ok', 'stdio', 'a'.repeat(300), [], ['x'], [1], [[]], {}, { a: 1 }, '\u0000'];
    let refused = 0;
    fc.assert(
      fc.property(fc.nat(base.length - 1), fc.nat(), fc.nat(wrong.length - 1), fc.constantFrom('set', 'delete', 'extra', 'duplicate'), (i, at, w, how) => {
        const e = structuredClone(base[i]!);
        const all = allPaths(e);
        const path = all[at % all.length]!;
        const parent = parentOf(e, path);
        const key = path.at(-1)!;
        let bytes: Buffer;
        if (how === 'set') {
          parent[key] = wrong[w];
          bytes = json(e);
        } else if (how === 'delete') {
          delete parent[key];
          bytes = json(e);
        } else if (how === 'extra') {
          parent[['extra', '__proto__', 'constructor', 'toString', 'Kind', 'kind ', 'sha256', 'hmac_sha256', 'tools', 'input_keys'][w % 10]!] = wrong[w];
          bytes = json(e);
        } else {
          // The key twice in its object: first a wrong value, then the right one (JSON.parse keeps the last), or the other way round.
          const text = JSON.stringify(e);
          const needle = `"${key}":${JSON.stringify(parent[key])}`;
          const at2 = text.indexOf(needle);
          if (at2 < 0) return;
          const dup = `"${key}":${JSON.stringify(wrong[w])}`;
          bytes = Buffer.from(w % 2 ? `${text.slice(0, at2)}${dup},${text.slice(at2)}` : `${text.slice(0, at2)}${needle},${dup}${text.slice(at2 + needle.length)}`);
          const { line } = paths.run(bytes);
          // Duplicate keys are always left to the old path.
          expect(line).toBeNull();
          return;
        }
        if (paths.run(bytes).old === null) refused++;
      }),
      { numRuns: 6000, seed: 26 },
    );
    expect(refused).toBeGreaterThan(2000);
  });

  it('declines byte-level damage the old path refuses', () => {
    const base = factoryEvents(50, 13).map((e) => JSON.stringify(e));
    fc.assert(
      fc.property(fc.nat(base.length - 1), fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('replace', 'insert', 'cut'), (i, at, byte, how) => {
        const b = Buffer.from(base[i]!);
        const p = at % b.length;
        const damaged = how === 'replace' ? Buffer.concat([b.subarray(0, p), Buffer.from([byte]), b.subarray(p + 1)]) : how === 'insert' ? Buffer.concat([b.subarray(0, p), Buffer.from([byte]), b.subarray(p)]) : b.subarray(0, p);
        paths.run(damaged);
      }),
      { numRuns: 6000, seed: 27 },
    );
  });

  it('handles the edges of numbers, text, UTF-8 and JSON exactly as the old path does', () => {
    const [v1] = makeEvents(1, { seed: 3 }).map(roundTrip) as unknown as Json[];
    const [v2] = makeEventsV2(1, { seed: 4 }).map(roundTrip) as unknown as Json[];
    const text = JSON.stringify(v1);
    const cases: (string | Buffer)[] = [];
    // Numbers as JSON may write them (1.0, 1e2, -0, big, tiny) and as it may not (01, 1., .5, +1, 1e).
    for (const n of ['0', '1', '1.0', '1.50', '1e2', '1E+2', '1e-2', '-0', '-1', '-0.0', '4294967295', '4294967296', '9007199254740993', '123456789012345', '1234567890123456', '01', '1.', '.5', '+1', '1e', '-', '1e400', '0.1e1'])
      for (const field of ['duration_ms', 'request_id', 'size_bytes', 'schema_version']) {
        const key = `"${field}":`;
        const at = text.indexOf(key);
        if (at < 0) continue;
        const end = at + key.length + /^-?[0-9.eE+-]+/.exec(text.slice(at + key.length))![0].length;
        cases.push(`${text.slice(0, at + key.length)}${n}${text.slice(end)}`);
      }
    // Times at the edges of the ranges tsvDateTime and tsvMillis treat apart, in and out of the common form, each twice (the second read from the transcoder's cache).
    for (const ts of ['1970-01-01T00:00:00.000Z', '1970-01-01T00:00:00.999Z', '1970-01-01T00:00:01.000Z', '1970-01-01T02:46:39.999Z', '1969-12-31T23:59:59.999Z', '0001-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z', '2038-01-19T03:14:07.999Z', '2038-01-19T03:14:08.000Z', '2038-01-19T03:14:08.001Z', '2024-02-29T12:00:00.123Z', '2026-02-29T12:00:00.123Z', '2026-11-30T23:59:59.5+14:00', '2026-11-30T23:59:59Z', '2026-11-30T23:59:59.1234Z', '2026-11-30T23:59:59.12Z', '2026-11-30T23:59:59.123z', '2026-11-30T23:59:59.12aZ'])
      cases.push(JSON.stringify({ ...v1, ts }), JSON.stringify({ ...v1, ts }));
    // Lengths count UTF-16 units: 2-byte and 4-byte characters at the bounds of user_id (1..256).
    for (const id of ['é'.repeat(256), 'é'.repeat(257), '😀'.repeat(128), '😀'.repeat(129), 'a'.repeat(256), 'a'.repeat(257), '', '\ud83d', '\ud83d\ude00', '\u2028', 'x\u0000y'])
      cases.push(JSON.stringify({ ...v1, actor: { ...(v1!.actor as Json), user_id: id } }));
    // Escapes in strings and keys.
    cases.push(text.replace('"kind":', '"k\\u0069nd":'), text.replace('"tenant_id":"', '"tenant_id":"\\u0074'), text.replace('"session_id":"', '"session_id":"\\x'), text.replace('"session_id":"', '"session_id":"\\ud800\\udc00\\u00e9\\"\\\\\\/\\b\\f\\n\\r\\t'));
    // Invalid UTF-8 inside a string (a bad continuation, an encoded surrogate, an overlong form, a code point past U+10FFFF) and a BOM.
    for (const bad of [[0xc3, 0x28], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82], [0xff]]) {
      const at = text.indexOf('"session_id":"') + 14;
      cases.push(Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from(bad), Buffer.from(text.slice(at))]));
    }
    cases.push(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]));
    // Shapes: not an object, trailing text, nothing, nested where a value belongs, a control character raw in a string.
    cases.push('', ' ', '{}', '[]', 'null', '"x"', `${text}x`, `${text}{}`, `[${text}]`, text.slice(0, -1), text.replace('"session_id":"', '"session_id":"\t'), text.replace('"session_id":"', '"session_id":"\u001f'), text.replace(/"session_id":"[^"]*"/, '"session_id":{"a":"b"}'));
    // v2: keyed hashes without hash_key_id, and a v1 field in a v2 event.
    const { hash_key_id: _k, ...noKey } = v2!;
    cases.push(JSON.stringify(noKey), JSON.stringify({ ...v2, arguments: { ...(v2!.arguments as Json), sha256: 'a'.repeat(64) } }), JSON.stringify({ ...v1, hash_key_id: 'k' }));
    // Kinds that require a field, without it.
    cases.push(JSON.stringify({ ...v1, kind: 'tool_list' }), JSON.stringify({ ...v1, kind: 'tool_call', tool: undefined }));
    let accepted = 0;
    for (const c of cases) if (paths.run(typeof c === 'string' ? Buffer.from(c) : c).line !== null) accepted++;
    expect(paths.run(null).line).toBeNull();
    // Too big for the limit: the old path says oversize.
    expect(paths.transcoder.line(Buffer.from(text), text.length - 1, { topic: 't', partition: 0, offset: '0' }, AT, () => ({ class: '', inferred: false, labels: [] }))).toBeNull();
    // Some of these are valid and must have been taken (not all declined by accident).
    expect(accepted).toBeGreaterThan(20);
  });

  it('declines every input of the invalid corpus', () => {
    for (const { bytes } of makeInvalidInputs(3000)) expect(paths.run(bytes).old === null ? paths.run(bytes).line : null).toBeNull();
  });

  it('writes lines into shared slabs without one line overwriting another', () => {
    const events = factoryEvents(3000, 17).filter((e) => e.tools === undefined);
    const lines = events.map((e) => paths.transcoder.line(json(e), MAX, { topic: 'mcp.audit.events', partition: 0, offset: '1' }, AT, () => ({ class: 'x', inferred: false, labels: [] }))!);
    const again = events.map((e) => Buffer.from(eventRowTsv(e as never, { topic: 'mcp.audit.events', partition: 0, offset: '1' }, AT, { class: 'x', inferred: false, labels: [] })));
    expect(Buffer.concat(lines).equals(Buffer.concat(again))).toBe(true);
  });
});
