// The one audited place where values are bound into ClickHouse SQL.
//
// ClickHouse 18.16 has no server-side query parameters (`{name:Type}`), so values are rendered as
// literals here and nowhere else. Use it as a tagged template:
//
//   sql`SELECT count() FROM ${ident(table)} WHERE tenant_id = ${tenant} AND ts >= ${from}`
//
// Every interpolated value becomes a literal of its type; identifiers must be wrapped in `ident()`
// (checked against a strict pattern and an optional allow-list); a nested `sql` fragment is inlined
// as already-safe SQL. Anything else is a TypeError, so a forgotten wrapper fails loudly.

const FRAGMENT = Symbol('sql.fragment');
const IDENT = Symbol('sql.ident');

export interface SqlFragment {
  readonly [FRAGMENT]: true;
  readonly text: string;
}
export interface SqlIdent {
  readonly [IDENT]: true;
  readonly text: string;
}
export type SqlValue = string | number | bigint | boolean | Date | null | SqlFragment | SqlIdent | readonly SqlValue[];

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/** An identifier (database, table, column). Optionally it must be one of `allowed`. */
export function ident(name: string, allowed?: readonly string[]): SqlIdent {
  if (!IDENTIFIER.test(name)) throw new TypeError(`not a plain SQL identifier: ${JSON.stringify(name.slice(0, 80))}`);
  if (allowed && !allowed.includes(name)) throw new TypeError(`identifier not allowed here: ${name}`);
  return { [IDENT]: true, text: '`' + name + '`' };
}

/** `db.table`, both parts checked as identifiers. */
export function qualified(database: string, table: string): SqlIdent {
  return { [IDENT]: true, text: `${ident(database).text}.${ident(table).text}` };
}

/** Trusted SQL text written in our own source (never input). Prefer `sql` templates. */
export function raw(text: string): SqlFragment {
  return { [FRAGMENT]: true, text };
}

export function sql(strings: TemplateStringsArray, ...values: SqlValue[]): SqlFragment {
  let text = strings[0] ?? '';
  values.forEach((v, i) => {
    text += literal(v) + (strings[i + 1] ?? '');
  });
  return raw(text);
}

/** Comma-separated literals, for `x IN (${list(values)})` (an array would be one Array value). */
export function list(values: readonly SqlValue[]): SqlFragment {
  if (values.length === 0) throw new TypeError('an IN list needs at least one value');
  return raw(values.map(literal).join(', '));
}

/** Joins fragments with a separator, e.g. a list of `AND` conditions. */
export function join(parts: readonly SqlFragment[], separator: string): SqlFragment {
  return raw(parts.map((p) => p.text).join(separator));
}

/** Renders one value as a ClickHouse literal. */
export function literal(v: SqlValue): string {
  if (v === null) return 'NULL';
  if (typeof v === 'string') return quoteString(v);
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new TypeError(`cannot bind a non-finite number: ${v}`);
    return String(v);
  }
  if (v instanceof Date) {
    const t = v.getTime();
    if (!Number.isFinite(t)) throw new TypeError('cannot bind an invalid Date');
    // A DateTime from epoch seconds does not depend on the server's time zone.
    return `toDateTime(${Math.floor(t / 1000)})`;
  }
  if (Array.isArray(v)) return `[${v.map(literal).join(', ')}]`;
  if (typeof v === 'object' && (FRAGMENT in v || IDENT in v)) return v.text;
  throw new TypeError(`cannot bind a value of type ${typeof v}`);
}

/**
 * A single-quoted string literal. Backslash and quote are escaped, and every control character is
 * written as `\xHH` so the query text stays one printable line whatever the input holds (NUL,
 * newlines, escape sequences). Non-ASCII text passes through as UTF-8, which ClickHouse stores as
 * bytes unchanged.
 */
export function quoteString(s: string): string {
  let out = "'";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x5c) out += '\\\\';
    else if (c === 0x27) out += "\\'";
    else if (c < 0x20 || c === 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += s[i];
  }
  return out + "'";
}
