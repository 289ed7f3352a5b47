// Canonical JSON written piece by piece with an explicit stack (no recursion), within a depth and a
// size budget, so a hostile argument nested thousands of levels deep or megabytes large can neither
// overflow the stack nor stall the relay. What is cut is marked, and nothing here ever throws.
//
// Within budget the text is exactly `JSON.stringify` of the value with every object's keys sorted
// (integer-like keys first, ascending, as JavaScript objects order them), so hashes made before this
// writer existed stay the same.

export interface CanonicalBudget {
  /** Objects and arrays nested deeper than this are replaced by a marker. */
  maxDepth: number;
  /** UTF-8 bytes written at most; the text stops there. */
  maxBytes: number;
}

/** Deep enough for any real argument; a cut deeper than this is an attack or a bug. */
export const DEFAULT_CANONICAL_BUDGET: CanonicalBudget = { maxDepth: 256, maxBytes: 16 * 1024 * 1024 };

export interface CanonicalWritten {
  /** UTF-8 bytes handed to the sink. */
  size_bytes: number;
  /** A depth or size budget cut something, or a cycle was met: the text covers what was kept. */
  truncated: boolean;
}

export const CUT_MARKER = { depth: '"[truncated:depth]"', cycle: '"[truncated:cycle]"' } as const;

type Frame =
  | { array: true; items: readonly unknown[]; i: number; depth: number; self: object }
  | { array: false; obj: Record<string, unknown>; keys: string[]; i: number; wrote: boolean; depth: number; self: object };

const INDEX_KEY = /^(?:0|[1-9]\d*)$/;
const isIndexKey = (k: string) => INDEX_KEY.test(k) && Number(k) < 4294967295;

/** Keys in the order `JSON.stringify` of a key-sorted copy lists them. */
function orderedKeys(obj: object): string[] {
  const all = Object.keys(obj);
  const ints = all.filter(isIndexKey); // already ascending: objects enumerate index keys that way
  const rest = all.filter((k) => !isIndexKey(k)).sort();
  return ints.length ? [...ints, ...rest] : rest;
}

/** True for values `JSON.stringify` leaves out of an object (and writes as null in an array). */
const omitted = (v: unknown) => v === undefined || typeof v === 'function' || typeof v === 'symbol';

function scalar(v: unknown): string | null {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'number':
      return Number.isFinite(v) ? JSON.stringify(v) : 'null';
    case 'boolean':
      return v ? 'true' : 'false';
    case 'bigint':
      return JSON.stringify(String(v));
    case 'object':
      return null;
    default:
      return 'null';
  }
}

/** Writes the canonical JSON of `value` to `sink` in pieces; returns its size and whether it was cut. */
export function writeCanonical(value: unknown, sink: (piece: string) => void, budget: CanonicalBudget = DEFAULT_CANONICAL_BUDGET): CanonicalWritten {
  let size = 0;
  let truncated = false;
  let full = false;
  const write = (piece: string) => {
    if (full) return;
    const bytes = Buffer.byteLength(piece);
    if (size + bytes <= budget.maxBytes) {
      sink(piece);
      size += bytes;
      return;
    }
    const room = budget.maxBytes - size;
    const cut = Buffer.from(piece.slice(0, room)).subarray(0, room).toString();
    sink(cut);
    size += Buffer.byteLength(cut);
    full = true;
    truncated = true;
  };
  const stack: Frame[] = [];
  const open = new Set<object>();

  /** Writes a scalar or opens a container frame. */
  const start = (v: unknown, depth: number) => {
    const s = scalar(v);
    if (s !== null) return write(s);
    const o = v as object;
    if (open.has(o)) {
      truncated = true;
      return write(CUT_MARKER.cycle);
    }
    if (depth >= budget.maxDepth) {
      truncated = true;
      return write(CUT_MARKER.depth);
    }
    open.add(o);
    if (Array.isArray(o)) {
      write('[');
      stack.push({ array: true, items: o, i: 0, depth, self: o });
    } else {
      write('{');
      stack.push({ array: false, obj: o as Record<string, unknown>, keys: orderedKeys(o), i: 0, wrote: false, depth, self: o });
    }
  };

  try {
    if (omitted(value)) write('null');
    else start(value, 0);
    while (stack.length && !full) {
      const f = stack[stack.length - 1]!;
      if (f.array) {
        if (f.i >= f.items.length) {
          write(']');
          open.delete(f.self);
          stack.pop();
          continue;
        }
        if (f.i > 0) write(',');
        const v = f.items[f.i++];
        if (omitted(v)) write('null');
        else start(v, f.depth + 1);
      } else {
        if (f.i >= f.keys.length) {
          write('}');
          open.delete(f.self);
          stack.pop();
          continue;
        }
        const k = f.keys[f.i++]!;
        const v = f.obj[k];
        if (omitted(v)) continue;
        write(`${f.wrote ? ',' : ''}${JSON.stringify(k)}:`);
        f.wrote = true;
        start(v, f.depth + 1);
      }
    }
  } catch {
    // A getter that throws or a proxy object: keep what was written, say it was cut.
    truncated = true;
  }
  if (stack.length) truncated = true;
  return { size_bytes: size, truncated };
}

/** The canonical JSON text of `value` within `budget`, and whether it was cut. */
export function canonicalText(value: unknown, budget: CanonicalBudget = DEFAULT_CANONICAL_BUDGET): { text: string; truncated: boolean } {
  const parts: string[] = [];
  const { truncated } = writeCanonical(value, (p) => parts.push(p), budget);
  return { text: parts.join(''), truncated };
}

/**
 * The first `chars` characters of the canonical JSON of `value` (and `…` when there is more), as
 * `truncate(canonicalJson(value), chars)` would give, without writing the rest of a big value.
 */
export function canonicalPreview(value: unknown, chars: number): string {
  // A UTF-16 character is at most 4 UTF-8 bytes: this many bytes always hold chars + 1 characters.
  const { text } = canonicalText(value, { maxDepth: DEFAULT_CANONICAL_BUDGET.maxDepth, maxBytes: 4 * (chars + 1) });
  return text.length <= chars ? text : `${text.slice(0, Math.max(0, chars - 1))}…`;
}
