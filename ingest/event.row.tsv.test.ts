// eventRowTsv, written by hand, must write exactly the row of the column table (event.columns.ts),
// which toEventRow builds from the table: every line is parsed back here (a TabSeparated reader
// written from ClickHouse's format description, independent of tsv.ts) and compared value by value
// with toEventRow's row, on the v1 and v2 factories' events, on fuzzed valid
// events (any text, with tabs, newlines, backslashes and quotes, in every string the schema allows
// it), and on the edges of the time range. test/ingest.tsv-rows.test.ts checks the same in ClickHouse.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Classification } from '../classify/classify.ts';
import { auditEvent, type AuditEvent } from '../schemas/event.ts';
import { makeEvents } from '../test/support/events.factory.ts';
import { makeEventsV2 } from '../test/support/events.v2.factory.ts';
import { toEventRow, type KafkaOrigin } from './event.row.ts';
import { EVENT_COLUMNS, eventRowTsv } from './event.row.tsv.ts';

const ORIGIN: KafkaOrigin = { topic: 'mcp.audit.events', partition: 3, offset: '9007199254740993' };
const AT = 1_764_460_800;
const CLASSES: Classification[] = [
  { class: '', inferred: false, labels: [] },
  { class: 'file.read', inferred: false, labels: ['private_data'] },
  { class: "it's\\odd\t", inferred: true, labels: [] },
];

const UNESCAPE: Record<string, string> = { '\\': '\\', "'": "'", t: '\t', n: '\n', r: '\r', b: '\b', f: '\f', '0': '\0' };
const unescape = (s: string) => s.replace(/\\(.)/gs, (_, c: string) => UNESCAPE[c] ?? c);

/** ClickHouse's text form of an array: `[...]` of quoted strings or nested arrays; returns the value and the rest. */
function readArray(text: string): [unknown[], string] {
  if (!text.startsWith('[')) throw new Error(`not an array: ${text.slice(0, 40)}`);
  const out: unknown[] = [];
  let rest = text.slice(1);
  if (rest.startsWith(']')) return [out, rest.slice(1)];
  for (;;) {
    if (rest.startsWith('[')) {
      const [inner, after] = readArray(rest);
      out.push(inner);
      rest = after;
    } else {
      const m = /^'((?:[^'\\]|\\.)*)'/s.exec(rest);
      if (!m) throw new Error(`bad element at ${rest.slice(0, 40)}`);
      out.push(unescape(m[1]!));
      rest = rest.slice(m[0].length);
    }
    if (rest.startsWith(']')) return [out, rest.slice(1)];
    if (!rest.startsWith(',')) throw new Error(`expected , at ${rest.slice(0, 40)}`);
    rest = rest.slice(1);
  }
}

/** A line back into values, typed like the row it should equal: text, numbers, arrays. */
function parseLine(line: string, like: Record<string, unknown>): Record<string, unknown> {
  expect(line.endsWith('\n')).toBe(true);
  const fields = line.slice(0, -1).split('\t');
  expect(fields).toHaveLength(EVENT_COLUMNS.length);
  const out: Record<string, unknown> = {};
  EVENT_COLUMNS.forEach((column, i) => {
    const field = fields[i]!;
    const expected = like[column];
    if (Array.isArray(expected)) {
      const [value, rest] = readArray(field);
      expect(rest).toBe('');
      out[column] = value;
    } else if (typeof expected === 'number') {
      expect(field).toMatch(/^-?\d+(\.\d+)?(e[+-]\d+)?$/);
      out[column] = Number(field);
    } else out[column] = unescape(field);
  });
  return out;
}

function expectSameRow(e: AuditEvent, cls: Classification, origin = ORIGIN, at = AT): void {
  const row = toEventRow(e, origin, at, cls) as unknown as Record<string, unknown>;
  // kafka_offset is a string in the row (UInt64 in the table): compared as the text it is.
  expect(parseLine(eventRowTsv(e, origin, at, cls), row)).toEqual(row);
}

const roundTrip = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

describe('eventRowTsv', () => {
  it('writes the columns of toEventRow, in its order', () => {
    for (const e of [...makeEvents(50, { seed: 1 }), ...makeEventsV2(50, { seed: 1 })]) {
      expect(Object.keys(toEventRow(e, ORIGIN, AT))).toEqual([...EVENT_COLUMNS]);
    }
  });

  it('writes the row of toEventRow for every v1 and v2 factory event', () => {
    const events = [...makeEvents(2000, { seed: 7 }), ...makeEventsV2(2000, { seed: 8 })].map(roundTrip);
    events.forEach((e, i) => expectSameRow(e, CLASSES[i % CLASSES.length]!, { topic: 't', partition: i % 6, offset: String(i) }, AT + i));
  });

  it('keeps every character of text and list elements, and the edges of the time range', () => {
    const [base] = makeEventsV2(1, { seed: 3 }).map(roundTrip);
    const odd = "a\\b\tc\nd\re'f\"g\\N\\t[x],'y'\0\u0001 ü€😀";
    const e = {
      ...base!,
      kind: 'tool_list',
      mcp: { ...base!.mcp, session_id: odd, request_id: odd },
      actor: { ...base!.actor, conversation_id: odd },
      arguments: { preview: odd, hmac_sha256: 'a'.repeat(64), size_bytes: 2 ** 32 - 1, keys: [odd, 'x'], secrets: [odd], truncated: true },
      resource: { paths: [odd, 'C:\\Users\\me'], urls: [odd], hosts: [odd], recipients: ["o'brien@x.org"], tables: [odd] },
      tools: [{ name: odd, description: odd, description_sha256: 'b'.repeat(64), input_keys: [odd, '\\'] }, { name: 'x', description_sha256: 'c'.repeat(64) }],
      duration_ms: 0.125,
    } as AuditEvent;
    expect(auditEvent.safeParse(e).success).toBe(true);
    for (const ts of ['1970-01-01T00:00:00Z', '1970-01-01T00:00:09.999Z', '1970-01-01T02:46:39Z', '0001-01-01T00:00:00Z', '9999-12-31T23:59:59.999Z', '2026-11-30T23:59:59.5+14:00']) {
      expectSameRow({ ...e, ts }, CLASSES[2]!, ORIGIN, 0);
    }
  });

  it('agrees with toEventRow on fuzzed valid events', () => {
    const base = [...makeEvents(100, { seed: 5 }), ...makeEventsV2(100, { seed: 6 })].map(roundTrip);
    // Leaves only (text, numbers, flags, lists of text), each replaced by a value of its own type.
    const leaves = (o: unknown, prefix: string[] = []): string[][] =>
      o !== null && typeof o === 'object' && !(Array.isArray(o) && o.every((x) => typeof x === 'string'))
        ? Object.entries(o as Record<string, unknown>).flatMap(([k, v]) => leaves(v, [...prefix, k]))
        : [prefix];
    const text = fc.oneof(
      fc.string({ maxLength: 60, unit: 'binary' }),
      fc.string({ maxLength: 20, unit: fc.constantFrom('\\', "'", '"', '\t', '\n', '\r', 'a', '[', ']', ',', 'N', '0') }),
    );
    let valid = 0;
    fc.assert(
      fc.property(
        fc.nat(base.length - 1),
        fc.array(fc.record({ at: fc.nat(), text, list: fc.array(text, { maxLength: 3 }), number: fc.oneof(fc.nat(), fc.double({ min: 0, max: 86_400_000, noNaN: true })), flag: fc.boolean() }), {
          minLength: 1,
          maxLength: 4,
        }),
        (i, mutations) => {
          const e = structuredClone(base[i]!) as Record<string, unknown>;
          for (const m of mutations) {
            const all = leaves(e);
            const path = all[m.at % all.length]!;
            let parent = e;
            for (const k of path.slice(0, -1)) parent = parent[k] as Record<string, unknown>;
            const key = path.at(-1)!;
            const old = parent[key];
            parent[key] = Array.isArray(old) ? m.list : typeof old === 'number' ? m.number : typeof old === 'boolean' ? m.flag : m.text;
          }
          const v = roundTrip(e);
          // Only what ingest accepts today makes a row.
          if (!auditEvent.safeParse(v).success) return;
          valid++;
          expectSameRow(v as AuditEvent, CLASSES[i % CLASSES.length]!);
        },
      ),
      { numRuns: 4000, seed: 16 },
    );
    // The fuzzer must reach valid events, or it checked nothing.
    expect(valid).toBeGreaterThan(800);
  });
});
