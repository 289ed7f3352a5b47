// What the event transcoder (event.transcode.ts) reads, checks and writes, compiled once from the zod
// schemas of every contract version: the JSON keys it knows (one tree over all versions, since an
// event's `schema_version` may come after the fields it governs), for each version the predicate of
// every field (schemas/event.fastpath.ts `compileValidator`, the same code that accepts events on the
// old path) and which fields are required, and how to write each column of the row, read from the
// column table of event.columns.ts (the source and kind of each column).
//
// Anything the compiler does not know exactly makes the field a "fall back when present" field (and
// a required one then sends every event of that version back to the old path), so a schema change
// can only make the transcoder decline more, never accept something new:
//  - a field whose schema is not a string, number, boolean, literal, enum, union of those, array of
//    those or strict object, or that compileValidator refuses;
//  - a field of the schema that no column names and that is not listed in NOT_STORED;
//  - fields of different JSON shapes in two versions;
//  - checks on a nested object, or root refinements other than the ones named in ROOT_REFINEMENTS.
// The root refinements (the schemas' superRefine) are code zod cannot show; they are restated below
// and event.transcode.test.ts pins the source text of both superRefine blocks.
import type { z } from 'zod';
import { compileValidator, UnsupportedSchema, type Check, type Def, type Schema } from '../schemas/event.fastpath.ts';
import { requiredFieldByKind } from '../schemas/event.v1.ts';
import { eventSchemaByVersion } from '../schemas/event.versions.ts';
import { EVENT_ROW, type ColumnKind, type EventColumn } from './event.columns.ts';

type Validate = (v: unknown) => boolean;

/** The JSON token a field takes: a string, a number, true/false, either of string and number, an array of strings, an object. */
export const Token = {
  Str: 1,
  Num: 2,
  StrOrNum: 3,
  Bool: 4,
  Strs: 8,
  Obj: 16,
  /** Known to the schema but not to the transcoder: present means the old path. */
  Fallback: 32,
} as const;
export type Token = (typeof Token)[keyof typeof Token];

export interface Field {
  key: string;
  /** The key's bytes, to compare with a key read from the message without making a string. */
  keyBytes: Uint8Array;
  path: string;
  slot: number;
  token: Token;
  /** Its object's fields when token is Obj (always set, so every Field has one shape for V8). */
  node: ObjectNode | undefined;
}

export interface ObjectNode {
  fields: Field[];
  /**
   * The transcoder's guess of the next key: follow[k + 1] is the index of the field that came after
   * field k (follow[0]: the first) in the last object read. A producer writes its objects in one
   * order, so after the first event nearly every guess is right; a wrong one costs a search.
   */
  follow: Int32Array;
}

/** How one version checks a present field. */
export interface SlotRule {
  validate: Validate;
  /** For strings checked by length alone: bounds in UTF-16 units (= bytes for ASCII text), so ASCII text needs no string made. */
  lengthOnly?: { min: number; max: number };
  /** For enums of strings: the values, so plain ASCII text is matched by its bytes and the value is the schema's own string. */
  enumValues?: { bytes: Uint8Array; value: string }[];
}

export interface VersionPlan {
  version: number;
  /** By slot: the rule of a field this version has, undefined for fields of other versions only. */
  rules: (SlotRule | undefined)[];
  /** [object slot (-1: the event), field slot]: the field must be present when its object is. */
  required: [number, number][];
  /** v2's rule: these slots need `hash_key_id` (its slot) when any is present. */
  keyed: { needs: number; any: number[] } | null;
}

export type ColumnOp =
  | { op: 'str' | 'num' | 'scalar' | 'list' | 'flag'; slot: number }
  | { op: 'ts_sec' | 'ts_ms'; slot: number }
  | { op: 'class' | 'inferred' | 'empty_list' };

export interface TranscodePlan {
  root: ObjectNode;
  slots: number;
  /** The slot of each path. */
  slotOf: ReadonlyMap<string, number>;
  versions: ReadonlyMap<number, VersionPlan>;
  versionSlot: number;
  kindSlot: number;
  /** The columns up to, without, the Kafka origin and ingest time that end every row. */
  columns: ColumnOp[];
  /** Paths of the schema that present send an event to the old path (for the test that lists them). */
  fallbackPaths: string[];
}

/**
 * Fields of the schema that no column stores: validated, then dropped, as toEventRow drops them.
 * `tools` is stored (listed_tool_*) but not transcoded: tool listings are rare and classification
 * remembers them (classify/tool.hints.ts), so an event with `tools` takes the old path.
 */
const NOT_STORED = new Set(['result.instructions', 'fingerprints.parties']);
const OLD_PATH_ONLY = new Set(['tools']);

/** The op that writes each kind of column read from the event; a kind not here cannot be transcoded. */
const KIND_OP: Partial<Record<ColumnKind, ['str' | 'num' | 'scalar' | 'list' | 'flag' | 'ts_sec' | 'ts_ms', Token]>> = {
  string: ['str', Token.Str],
  number: ['num', Token.Num],
  text_or_number: ['scalar', Token.StrOrNum],
  strings: ['list', Token.Strs],
  flag: ['flag', Token.Bool],
  iso_seconds: ['ts_sec', Token.Str],
  iso_millis: ['ts_ms', Token.Str],
};

/** The origin columns that end every line, as the transcoder writes them (event.transcode.ts writeOrigin): source path and kind. */
const ORIGIN_TAIL = ['topic string', 'partition number', 'offset uint64_text', 'ingested_at seconds'];

/** The table's columns up to the origin ones, after checking that those end it in the order the transcoder writes them. */
function eventColumns(): readonly EventColumn[] {
  const n = EVENT_ROW.length - ORIGIN_TAIL.length;
  const tail = EVENT_ROW.slice(n).map((c: EventColumn) => (c.source === 'origin' ? `${c.from} ${c.kind}` : c.name));
  if (tail.join() !== ORIGIN_TAIL.join() || EVENT_ROW.slice(0, n).some((c: EventColumn) => c.source === 'origin')) {
    throw new UnsupportedSchema('the origin columns do not end the row as the transcoder writes them');
  }
  return EVENT_ROW.slice(0, n);
}

/** The first key of a column's event path (`tools` for `tools[].name`). */
const topKey = (c: EventColumn): string => c.from.split(/[.[]/)[0]!;

/**
 * Root refinements the transcoder restates, by the number of custom checks a version's root has:
 * every version requires the fields of requiredFieldByKind; a version with `hash_key_id` (v2)
 * requires it when the event carries an HMAC or fingerprints.
 */
const ROOT_REFINEMENTS = 1;
const KEYED_PATHS = ['arguments.hmac_sha256', 'result.hmac_sha256', 'fingerprints'];

/** The JSON token a leaf schema reads, or Fallback. */
function leafToken(d: Def): Token {
  switch (d.type) {
    case 'string':
    case 'enum':
      return d.type === 'enum' && !Object.values(d.entries ?? {}).every((v) => typeof v === 'string') ? Token.Fallback : Token.Str;
    case 'number':
      return Token.Num;
    case 'boolean':
      return Token.Bool;
    case 'literal': {
      const values = d.values ?? [];
      if (values.length > 0 && values.every((v) => typeof v === 'number')) return Token.Num;
      if (values.length > 0 && values.every((v) => typeof v === 'string')) return Token.Str;
      return Token.Fallback;
    }
    case 'union': {
      let t = 0;
      for (const o of d.options ?? []) {
        const ot = leafToken(o._zod.def);
        if (ot !== Token.Str && ot !== Token.Num) return Token.Fallback;
        t |= ot;
      }
      return t === Token.StrOrNum || t === Token.Str || t === Token.Num ? (t as Token) : Token.Fallback;
    }
    case 'array':
      return leafToken(d.element!._zod.def) === Token.Str ? Token.Strs : Token.Fallback;
    default:
      return Token.Fallback;
  }
}

/** Length bounds of a string schema checked by length alone, or undefined when it has any other check. */
function lengthOnly(d: Def): { min: number; max: number } | undefined {
  if (d.type !== 'string' || d.format !== undefined) return undefined;
  let min = 0;
  let max = Infinity;
  for (const c of d.checks ?? []) {
    const cd = c._zod.def;
    if (cd.check === 'min_length' && typeof cd.minimum === 'number') min = Math.max(min, cd.minimum);
    else if (cd.check === 'max_length' && typeof cd.maximum === 'number') max = Math.min(max, cd.maximum);
    else return undefined;
  }
  return { min, max };
}

interface Walked {
  path: string;
  parentPath: string | null;
  key: string;
  token: Token;
  optional: boolean;
  rule: SlotRule | undefined;
}

/** Every field of one version's object schema, depth first, parents before their fields. */
function walk(s: Schema, parentPath: string | null, out: Walked[], stored: ReadonlySet<string>): void {
  const d = s._zod.def;
  for (const [key, field] of Object.entries(d.shape ?? {})) {
    const path = parentPath === null ? key : `${parentPath}.${key}`;
    const optional = field._zod.def.type === 'optional';
    const inner = optional ? field._zod.def.innerType! : field;
    const id = inner._zod.def;
    if (id.type === 'object') {
      // Only strict objects without checks of their own: a plain object strips unknown keys.
      const ok = id.catchall?._zod.def.type === 'never' && (id.checks ?? []).length === 0 && !OLD_PATH_ONLY.has(path);
      out.push({ path, parentPath, key, token: ok ? Token.Obj : Token.Fallback, optional, rule: ok ? { validate: () => true } : undefined });
      if (ok) walk(inner, path, out, stored);
      continue;
    }
    let token = OLD_PATH_ONLY.has(path) || (!stored.has(path) && !NOT_STORED.has(path)) ? Token.Fallback : leafToken(id);
    let rule: SlotRule | undefined;
    if (token !== Token.Fallback) {
      try {
        const bounds = lengthOnly(id);
        const validate = compileValidator(inner as unknown as z.ZodType);
        const values = id.type === 'enum' && (id.checks ?? []).length === 0 ? Object.values(id.entries ?? {}) : [];
        rule = bounds !== undefined ? { validate, lengthOnly: bounds } : values.length > 0 && values.every((v) => typeof v === 'string') ? { validate, enumValues: values.map((value) => ({ bytes: Buffer.from(value), value })) } : { validate };
      } catch (err) {
        if (!(err instanceof UnsupportedSchema)) throw err;
        token = Token.Fallback;
      }
    }
    out.push({ path, parentPath, key, token, optional, rule });
  }
}

/** Compiles the plan of every version in eventSchemaByVersion; throws UnsupportedSchema when the row cannot be written. */
export function compileTranscodePlan(schemas: ReadonlyMap<unknown, z.ZodType> = eventSchemaByVersion): TranscodePlan {
  const columns = eventColumns();
  const stored = new Set(columns.filter((c) => c.source === undefined && !c.from.includes('[')).map((c) => c.from));

  const root: ObjectNode = { fields: [], follow: new Int32Array(0) };
  const nodes = new Map<string | null, ObjectNode>([[null, root]]);
  const fieldOf = new Map<string, Field>();
  const perVersion: [number, Walked[], Schema][] = [];
  for (const [version, schema] of schemas) {
    if (typeof version !== 'number') throw new UnsupportedSchema(`schema_version ${String(version)}`);
    const s = schema as unknown as Schema;
    if (s._zod.def.type !== 'object' || s._zod.def.catchall?._zod.def.type !== 'never') throw new UnsupportedSchema(`v${version} is not a strict object`);
    const walked: Walked[] = [];
    walk(s, null, walked, stored);
    perVersion.push([version, walked, s]);
    for (const w of walked) {
      const known = fieldOf.get(w.path);
      if (known === undefined) {
        const field: Field = { key: w.key, keyBytes: Buffer.from(w.key, 'utf8'), path: w.path, slot: fieldOf.size, token: w.token, node: undefined };
        if (w.token === Token.Obj) nodes.set(w.path, (field.node = { fields: [], follow: new Int32Array(0) }));
        nodes.get(w.parentPath)!.fields.push(field);
        fieldOf.set(w.path, field);
      } else if (known.token !== w.token) {
        // Two versions read this field differently: leave it (and what is under it) to the old path.
        known.token = Token.Fallback;
      }
    }
  }
  // A Fallback object's fields are never reached.
  for (const f of fieldOf.values()) if (f.token === Token.Fallback) f.node = undefined;
  // First guess: the schema's order.
  for (const node of nodes.values()) node.follow = Int32Array.from({ length: node.fields.length + 1 }, (_, k) => k);

  const slotOf = new Map([...fieldOf].map(([p, f]) => [p, f.slot]));
  const versions = new Map<number, VersionPlan>();
  for (const [version, walked, s] of perVersion) {
    const rules: (SlotRule | undefined)[] = new Array(fieldOf.size).fill(undefined);
    const required: [number, number][] = [];
    for (const w of walked) {
      const f = fieldOf.get(w.path)!;
      if (f.token === Token.Fallback) {
        // Present: old path. Required: every event of this version takes the old path.
        if (!w.optional) required.push([w.parentPath === null ? -1 : fieldOf.get(w.parentPath)!.slot, -2]);
        continue;
      }
      rules[f.slot] = w.rule;
      if (!w.optional) required.push([w.parentPath === null ? -1 : fieldOf.get(w.parentPath)!.slot, f.slot]);
    }
    const customs = (s._zod.def.checks ?? []).filter((c) => c._zod.def.check === 'custom').length;
    if (customs !== ROOT_REFINEMENTS || (s._zod.def.checks ?? []).length !== customs) {
      // Refinements this file does not restate: the old path decides every event of this version.
      required.push([-1, -2]);
    }
    for (const field of Object.values(requiredFieldByKind)) {
      if (!slotOf.has(field)) required.push([-1, -2]);
    }
    const hashKey = walked.some((w) => w.path === 'hash_key_id') ? slotOf.get('hash_key_id')! : undefined;
    const keyed = hashKey === undefined ? null : { needs: hashKey, any: KEYED_PATHS.filter((p) => slotOf.has(p)).map((p) => slotOf.get(p)!) };
    versions.set(version, { version, rules, required, keyed });
  }

  // A column of one version only: the transcoder reads its field whatever the version, so no other version may have it.
  for (const c of columns) {
    if (c.only === undefined) continue;
    for (const [version, walked] of perVersion) {
      if (version !== c.only && walked.some((w) => w.path === c.from)) throw new UnsupportedSchema(`column ${c.name}: v${version} has ${c.from}, which only v${c.only} fills`);
    }
  }
  const ops = columns.map((c) => columnOp(c, fieldOf));

  const versionSlot = slotOf.get('schema_version');
  const kindSlot = slotOf.get('kind');
  if (versionSlot === undefined || kindSlot === undefined) throw new UnsupportedSchema('no schema_version or kind');
  return {
    root,
    slots: fieldOf.size,
    slotOf,
    versions,
    versionSlot,
    kindSlot,
    columns: ops,
    fallbackPaths: [...fieldOf.values()].filter((f) => f.token === Token.Fallback).map((f) => f.path),
  };
}

/** How the transcoder writes one column of the event from what it read. */
function columnOp(c: EventColumn, fieldOf: ReadonlyMap<string, Field>): ColumnOp {
  if (c.source === 'classification') {
    if (c.from === 'class' && c.kind === 'string') return { op: 'class' };
    if (c.from === 'inferred' && c.kind === 'flag') return { op: 'inferred' };
    throw new UnsupportedSchema(`column ${c.name}: classification ${c.from} as ${c.kind}`);
  }
  // Events with such a field take the old path, so on this one the column is always empty.
  if (OLD_PATH_ONLY.has(topKey(c))) {
    if (c.kind === 'strings' || c.kind === 'string_lists') return { op: 'empty_list' };
    throw new UnsupportedSchema(`column ${c.name}: empty ${c.kind}`);
  }
  const op = KIND_OP[c.kind];
  if (op === undefined || c.from.includes('[')) throw new UnsupportedSchema(`column ${c.name}: ${c.from} as ${c.kind}`);
  const field = fieldOf.get(c.from);
  if (field === undefined) throw new UnsupportedSchema(`column ${c.name}: no field ${c.from} in any version`);
  // A column over a field the transcoder leaves to the old path still reads its (absent) slot.
  if (field.token !== Token.Fallback && field.token !== op[1]) throw new UnsupportedSchema(`column ${c.name}: ${c.from} is not read as a ${op[0]}`);
  return { op: op[0], slot: field.slot };
}
