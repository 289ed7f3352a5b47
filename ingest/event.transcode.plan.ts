// What the event transcoder (event.transcode.ts) reads, checks and writes, compiled once from the zod
// schemas of every contract version: the JSON keys it knows (one tree over all versions, since an
// event's `schema_version` may come after the fields it governs), for each version the predicate of
// every field (schemas/event.fastpath.ts `compileValidator`, the same code that accepts events on the
// old path) and which fields are required, and the columns of the row in EVENT_COLUMNS order, each
// from a path of the event.
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
import { EVENT_COLUMNS } from './event.row.tsv.ts';

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

/** The row's columns (EVENT_COLUMNS without the last four, which the Kafka origin fills) from the event. */
const COLUMN_SOURCES: Record<string, ['str' | 'num' | 'scalar' | 'list' | 'flag' | 'ts_sec' | 'ts_ms', string] | 'class' | 'inferred' | 'empty_list'> = {
  event_id: ['str', 'event_id'],
  schema_version: ['num', 'schema_version'],
  ts: ['ts_sec', 'ts'],
  ts_ms: ['ts_ms', 'ts'],
  tenant_id: ['str', 'tenant_id'],
  kind: ['str', 'kind'],
  mcp_method: ['str', 'mcp.method'],
  mcp_session_id: ['str', 'mcp.session_id'],
  mcp_protocol_version: ['str', 'mcp.protocol_version'],
  mcp_request_id: ['scalar', 'mcp.request_id'],
  user_id: ['str', 'actor.user_id'],
  agent_id: ['str', 'actor.agent_id'],
  client_name: ['str', 'actor.client_name'],
  client_version: ['str', 'actor.client_version'],
  source_address: ['str', 'actor.source_address'],
  server_name: ['str', 'server.name'],
  server_version: ['str', 'server.version'],
  server_transport: ['str', 'server.transport'],
  server_fingerprint: ['str', 'server.fingerprint'],
  tool_name: ['str', 'tool.name'],
  tool_call_id: ['str', 'tool.call_id'],
  tool_class: 'class',
  tool_class_inferred: 'inferred',
  args_preview: ['str', 'arguments.preview'],
  args_sha256: ['str', 'arguments.sha256'],
  args_size: ['num', 'arguments.size_bytes'],
  resource_paths: ['list', 'resource.paths'],
  resource_urls: ['list', 'resource.urls'],
  resource_hosts: ['list', 'resource.hosts'],
  resource_recipients: ['list', 'resource.recipients'],
  resource_tables: ['list', 'resource.tables'],
  result_status: ['str', 'result.status'],
  result_error_type: ['str', 'result.error_type'],
  result_size: ['num', 'result.size_bytes'],
  result_sha256: ['str', 'result.sha256'],
  duration_ms: ['num', 'duration_ms'],
  // Events with `tools` take the old path, so these are empty here.
  listed_tool_names: 'empty_list',
  listed_tool_descriptions: 'empty_list',
  listed_tool_description_sha256: 'empty_list',
  trace_id: ['str', 'trace.trace_id'],
  span_id: ['str', 'trace.span_id'],
  hash_key_id: ['str', 'hash_key_id'],
  args_hmac: ['str', 'arguments.hmac_sha256'],
  args_keys: ['list', 'arguments.keys'],
  args_secrets: ['list', 'arguments.secrets'],
  args_truncated: ['flag', 'arguments.truncated'],
  result_hmac: ['str', 'result.hmac_sha256'],
  result_secrets: ['list', 'result.secrets'],
  result_truncated: ['flag', 'result.truncated'],
  fp_args: ['list', 'fingerprints.arguments'],
  fp_result: ['list', 'fingerprints.result'],
  fp_destinations: ['list', 'fingerprints.destinations'],
  episode_id: ['str', 'episode.id'],
  episode_basis: ['str', 'episode.basis'],
  conversation_id: ['str', 'actor.conversation_id'],
  listed_tool_input_keys: 'empty_list',
};

/** The columns the Kafka origin and the ingest time fill, after the event's. */
export const ORIGIN_COLUMNS = ['kafka_topic', 'kafka_partition', 'kafka_offset', 'ingested_at'] as const;

/** The token each column op reads. */
const OP_TOKEN: Record<string, Token> = { str: Token.Str, num: Token.Num, scalar: Token.StrOrNum, list: Token.Strs, flag: Token.Bool, ts_sec: Token.Str, ts_ms: Token.Str } as const;

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
  const eventColumns = EVENT_COLUMNS.slice(0, EVENT_COLUMNS.length - ORIGIN_COLUMNS.length);
  if (EVENT_COLUMNS.slice(eventColumns.length).join() !== ORIGIN_COLUMNS.join() || eventColumns.join() !== Object.keys(COLUMN_SOURCES).join()) {
    throw new UnsupportedSchema('EVENT_COLUMNS differ from the columns the transcoder writes');
  }
  const stored = new Set(Object.values(COLUMN_SOURCES).flatMap((c) => (Array.isArray(c) ? [c[1]] : [])));

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

  const columns: ColumnOp[] = eventColumns.map((column) => {
    const source = COLUMN_SOURCES[column]!;
    if (!Array.isArray(source)) return { op: source };
    const [op, path] = source;
    const field = fieldOf.get(path);
    if (field === undefined) throw new UnsupportedSchema(`column ${column}: no field ${path} in any version`);
    // A column over a field the transcoder leaves to the old path still reads its (absent) slot.
    if (field.token !== Token.Fallback && field.token !== OP_TOKEN[op]) throw new UnsupportedSchema(`column ${column}: ${path} is not read as a ${op}`);
    return { op, slot: field.slot };
  });

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
    columns,
    fallbackPaths: [...fieldOf.values()].filter((f) => f.token === Token.Fallback).map((f) => f.path),
  };
}
