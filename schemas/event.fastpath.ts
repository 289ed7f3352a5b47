// Fast acceptance of valid events, compiled once from the zod schema's own definition.
//
// zod's safeParse costs about 8 µs per event (it rebuilds every object and collects issues), most of
// the ingest CPU at tens of thousands of events a second. Nearly every event is valid, so this
// compiles the schema's definition into plain closures that answer one question: "is this value
// certainly valid?". `true` means the value passes every rule zod would apply and is used as it is
// (the schema has no defaults or transforms, so zod's output equals its input); `false` sends the
// value through zod, which decides and explains. Being stricter than zod is harmless, so anything
// the compiler does not know exactly — a schema type, a string format, a non-strict object, a
// transform — makes compilation fail and every event goes through zod (`compileValidator` throws;
// that version's fast path is then `() => false`). Checks it does not know (the schema's
// superRefine) are run through zod's own check function. Every contract version gets its own
// compiled validator. `event.fastpath.test.ts` compares both on valid events of each version,
// fuzzed mutations and the invalid corpus.
import type { z } from 'zod';
import { eventSchemaByVersion } from './event.versions.ts';

type Validate = (v: unknown) => boolean;

/** The parts of zod's internal definition this reads (zod/v4/core, meant for library authors). */
export interface Def {
  type: string;
  checks?: Check[];
  shape?: Record<string, Schema>;
  catchall?: Schema;
  element?: Schema;
  innerType?: Schema;
  options?: Schema[];
  values?: unknown[];
  entries?: Record<string, unknown>;
  format?: string;
  pattern?: RegExp;
}
export interface Schema {
  _zod: { def: Def };
}
export interface Check {
  _zod: {
    def: { check: string; minimum?: number; maximum?: number; value?: number; inclusive?: boolean; format?: string; pattern?: RegExp; when?: unknown };
    check: (payload: { value: unknown; issues: unknown[] }) => void | Promise<void>;
  };
}

export class UnsupportedSchema extends Error {}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A check zod would run, as a predicate on an already type-checked value. */
function compileCheck(c: Check, kind: 'string' | 'number' | 'array' | 'object'): Validate {
  const d = c._zod.def;
  switch (d.check) {
    case 'min_length':
      if (kind !== 'string' && kind !== 'array') break;
      return (v) => (v as { length: number }).length >= d.minimum!;
    case 'max_length':
      if (kind !== 'string' && kind !== 'array') break;
      return (v) => (v as { length: number }).length <= d.maximum!;
    case 'string_format':
      if (kind === 'string' && (d.format === 'regex' || d.format === 'datetime') && d.pattern instanceof RegExp) return regexTest(d.pattern);
      break;
    case 'number_format':
      if (kind === 'number' && d.format === 'safeint') return (v) => Number.isSafeInteger(v);
      break;
    case 'greater_than':
      if (kind === 'number') return d.inclusive ? (v) => (v as number) >= d.value! : (v) => (v as number) > d.value!;
      break;
    case 'less_than':
      if (kind === 'number') return d.inclusive ? (v) => (v as number) <= d.value! : (v) => (v as number) < d.value!;
      break;
    case 'custom': {
      // A refinement (the schema's superRefine): run zod's own check on the value and see if it complains.
      const run = c._zod.check;
      return (v) => {
        const payload = { value: v, issues: [] as unknown[] };
        const r = run(payload);
        return !(r instanceof Promise) && payload.issues.length === 0;
      };
    }
  }
  throw new UnsupportedSchema(`check ${d.check}${d.format ? ` (${d.format})` : ''} on ${kind}`);
}

function regexTest(pattern: RegExp): Validate {
  // zod resets lastIndex before testing; a global or sticky regex would need the same, so refuse those.
  if (pattern.global || pattern.sticky) throw new UnsupportedSchema(`stateful regex ${pattern}`);
  return (v) => pattern.test(v as string);
}

function all(base: Validate, checks: Validate[]): Validate {
  if (checks.length === 0) return base;
  return (v) => {
    if (!base(v)) return false;
    for (const c of checks) if (!c(v)) return false;
    return true;
  };
}

/** Compiles a zod schema into a predicate that is true only for values zod accepts unchanged. */
export function compileValidator(schema: z.ZodType): Validate {
  return compile(schema as unknown as Schema);
}

function compile(s: Schema): Validate {
  const d = s._zod.def;
  switch (d.type) {
    case 'string': {
      const checks = (d.checks ?? []).map((c) => compileCheck(c, 'string'));
      if (d.format !== undefined) {
        // A format schema such as z.iso.datetime(): its pattern is the whole check.
        if ((d.format !== 'datetime' && d.format !== 'regex') || !(d.pattern instanceof RegExp)) throw new UnsupportedSchema(`string format ${d.format}`);
        checks.unshift(regexTest(d.pattern));
      }
      return all((v) => typeof v === 'string', checks);
    }
    case 'number': {
      const checks = (d.checks ?? []).map((c) => compileCheck(c, 'number'));
      return all((v) => typeof v === 'number' && Number.isFinite(v), checks);
    }
    case 'boolean': {
      if ((d.checks ?? []).length > 0) throw new UnsupportedSchema('boolean with checks');
      return (v) => typeof v === 'boolean';
    }
    case 'literal': {
      const values = d.values ?? [];
      if (!values.every((x) => x === null || ['string', 'number', 'boolean'].includes(typeof x))) throw new UnsupportedSchema('literal of an unusual type');
      return (v) => values.includes(v);
    }
    case 'enum': {
      const values = new Set(Object.values(d.entries ?? {}));
      return (v) => (typeof v === 'string' || typeof v === 'number') && values.has(v);
    }
    case 'array': {
      const element = compile(d.element!);
      const checks = (d.checks ?? []).map((c) => compileCheck(c, 'array'));
      return all((v) => {
        if (!Array.isArray(v)) return false;
        for (const x of v) if (!element(x)) return false;
        return true;
      }, checks);
    }
    case 'union': {
      const options = (d.options ?? []).map(compile);
      return (v) => options.some((o) => o(v));
    }
    case 'object': {
      // Only strict objects: a plain z.object strips unknown keys, so its output would differ from its input.
      if (d.catchall?._zod.def.type !== 'never') throw new UnsupportedSchema('object that is not strict');
      const fields = Object.entries(d.shape ?? {}).map(([key, field]) => {
        const optional = field._zod.def.type === 'optional';
        return { key, optional, validate: compile(optional ? field._zod.def.innerType! : field) };
      });
      const known = new Set(fields.map((f) => f.key));
      const checks = (d.checks ?? []).map((c) => compileCheck(c, 'object'));
      return all((v) => {
        if (!isPlainObject(v)) return false;
        for (const f of fields) {
          // One load per field: JSON.parse never makes an undefined value, so undefined means absent
          // (an inherited value such as `constructor` fails its field's check, and zod decides).
          const x = v[f.key];
          if (x === undefined) {
            if (f.optional) continue;
            return false;
          }
          if (!f.validate(x)) return false;
        }
        // Values come from JSON.parse: every own key is enumerable, and there are no inherited ones.
        for (const k in v) if (!known.has(k)) return false;
        return true;
      }, checks);
    }
    default:
      throw new UnsupportedSchema(`schema type ${d.type}`);
  }
}

function compileOrFallback(schema: z.ZodType): { validate: Validate; unsupported: string | null } {
  try {
    return { validate: compileValidator(schema), unsupported: null };
  } catch (err) {
    if (err instanceof UnsupportedSchema) return { validate: () => false, unsupported: err.message };
    throw err;
  }
}

/** The fast path of each contract version, by `schema_version`. */
export const fastPathByVersion: ReadonlyMap<unknown, { validate: Validate; unsupported: string | null }> = new Map(
  [...eventSchemaByVersion].map(([version, schema]) => [version, compileOrFallback(schema)]),
);

/** True only for values the schema of their own `schema_version` accepts as they are; false means "ask zod". */
export const fastValidEvent: Validate = (v) => {
  if (!isPlainObject(v)) return false;
  const path = fastPathByVersion.get(v.schema_version);
  return path !== undefined && path.validate(v);
};

/** Why the fast path is off for some version (its events then go through zod), or null when it is on for all. */
export const fastPathUnsupported: string | null =
  [...fastPathByVersion].flatMap(([version, p]) => (p.unsupported === null ? [] : [`v${String(version)}: ${p.unsupported}`])).join('; ') || null;
