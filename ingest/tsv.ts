// ClickHouse TabSeparated text, the insert format of the events table (ingest/event.row.tsv.ts).
// TabSeparated, not JSONEachRow: a row is its values alone, without the 70 column names JSONEachRow
// repeats in every row, so ingest builds a line by concatenation instead of an object that
// JSON.stringify walks, and ClickHouse parses about half the bytes. The escaping is what ClickHouse
// 18.16 and current releases both read back unchanged (test/ingest.tsv-rows.test.ts):
//  - a String field: backslash, tab, newline and carriage return as \\ \t \n \r; everything else raw;
//  - an Array field: ['a','b'], each element in single quotes with \\ \' \t \n \r escaped;
//  - numbers as JavaScript prints them, the same text JSON.stringify writes (DateTime: see tsvDateTime).

const FIELD_SPECIAL = /[\\\t\n\r]/;
const FIELD_SPECIAL_ALL = /[\\\t\n\r]/g;
const QUOTED_SPECIAL = /[\\'\t\n\r]/;
const QUOTED_SPECIAL_ALL = /[\\'\t\n\r]/g;

const ESCAPES: Record<string, string> = { '\\': '\\\\', "'": "\\'", '\t': '\\t', '\n': '\\n', '\r': '\\r' };
const escapeChar = (c: string): string => ESCAPES[c]!;

/**
 * Strings up to this long are checked for characters to escape by a loop over their codes: most
 * fields are ids, names and hashes, and a regular expression's call costs more than reading them.
 */
const SCAN_UP_TO = 64;

/** True when `s` holds a backslash, tab, newline or carriage return (or, with `quote`, a '). */
function needsEscape(s: string, quote: boolean): boolean {
  if (s.length > SCAN_UP_TO) return quote ? QUOTED_SPECIAL.test(s) : FIELD_SPECIAL.test(s);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 92 || c === 9 || c === 10 || c === 13 || (quote && c === 39)) return true;
  }
  return false;
}

/** A String field. */
export function tsvString(s: string): string {
  return needsEscape(s, false) ? s.replace(FIELD_SPECIAL_ALL, escapeChar) : s;
}

/** One element of an Array(String), quoted. */
function quoted(s: string): string {
  return needsEscape(s, true) ? `'${s.replace(QUOTED_SPECIAL_ALL, escapeChar)}'` : `'${s}'`;
}

/** An Array(String) field. */
export function tsvStrings(xs: readonly string[]): string {
  if (xs.length === 0) return '[]';
  let out = `[${quoted(xs[0]!)}`;
  for (let i = 1; i < xs.length; i++) out += `,${quoted(xs[i]!)}`;
  return `${out}]`;
}

/** An Array(Array(String)) field. */
export function tsvStringLists(xss: readonly (readonly string[])[]): string {
  if (xss.length === 0) return '[]';
  let out = `[${tsvStrings(xss[0]!)}`;
  for (let i = 1; i < xss.length; i++) out += `,${tsvStrings(xss[i]!)}`;
  return `${out}]`;
}

/**
 * A DateTime field from Unix seconds. ClickHouse reads a DateTime field as `YYYY-MM-DD hh:mm:ss`
 * when its fifth character is not a digit, so a timestamp of fewer than five digits (the first
 * hours of 1970) followed by a tab would be misread; with zeros in front to ten digits it is always
 * read as a number (ClickHouse accepts leading zeros there). Other values as JSON.stringify prints them.
 */
export function tsvDateTime(sec: number): string {
  return sec >= 0 && sec < 1e9 ? String(sec).padStart(10, '0') : String(sec);
}

/**
 * Epoch milliseconds as their decimal digits. Past 2^31 a number is a double, which V8 prints
 * through its general conversion; seconds and milliseconds each fit a small integer, which prints
 * several times faster. Falls back to String for what does not split so (negative, fractional).
 */
export function tsvMillis(ms: number): string {
  if (!(ms >= 1000 && ms < 2 ** 31 * 1000) || ms % 1 !== 0) return String(ms);
  const sec = Math.floor(ms / 1000);
  const rest = ms - sec * 1000;
  return `${sec}${rest < 10 ? '00' : rest < 100 ? '0' : ''}${rest}`;
}
