// Finds the published token formats (token.rules.ts) in text. Candidates are the starts of
// alphanumeric runs; the first two characters pick the few rules worth trying, and each rule is
// matched segment by segment with run-end lookups, so a candidate costs a bounded amount of work and
// a text costs linear time whatever it holds.
import { inClass, isAlnum, type Runs } from './runs.ts';
import type { Span } from './spans.ts';
import { TOKEN_RULES, type Segment, type TokenRule } from './token.rules.ts';

interface Compiled {
  kind: string;
  /** A literal every match holds at a fixed offset from its start: checked before anything else. */
  anchor: string;
  anchorAt: number;
  segments: readonly Segment[];
  endNot: TokenRule['endNot'];
  before?: RegExp;
}

const byPrefix = new Map<number, Compiled[]>();
const classFirst: Compiled[] = [];

/** The first literal of a rule and its offset, when only fixed-length runs come before it. */
function anchorOf(segments: readonly Segment[]): { anchor: string; anchorAt: number } {
  let at = 0;
  for (const seg of segments) {
    if (typeof seg === 'string') return { anchor: seg, anchorAt: at };
    if (seg[1] !== seg[2]) break;
    at += seg[1];
  }
  return { anchor: '', anchorAt: 0 };
}

for (const rule of TOKEN_RULES) {
  const segments = rule.segments.filter((s) => s !== '');
  const { anchor, anchorAt } = anchorOf(segments);
  const compiled: Compiled = { kind: rule.kind, anchor, anchorAt, segments, endNot: rule.endNot === undefined ? 'alnum' : rule.endNot, ...(rule.before ? { before: rule.before } : {}) };
  const first = segments[0]!;
  if (typeof first === 'string' && first.length >= 2) {
    const key = first.charCodeAt(0) * 65536 + first.charCodeAt(1);
    const list = byPrefix.get(key) ?? [];
    list.push(compiled);
    byPrefix.set(key, list);
  } else {
    classFirst.push(compiled);
  }
}

/** The end of `rule` matched at `i`, or -1. */
function matchRule(runs: Runs, rule: Compiled, i: number): number {
  const text = runs.text;
  let p = i;
  for (let k = 0; k < rule.segments.length; k++) {
    const seg = rule.segments[k]!;
    if (typeof seg === 'string') {
      if (!text.startsWith(seg, p)) return -1;
      p += seg.length;
      continue;
    }
    const [cls, min, max] = seg;
    const following = rule.segments[k + 1];
    // A fixed-length run followed by a literal: test the literal first, it rules most candidates out.
    if (min === max && typeof following === 'string' && !text.startsWith(following, p + min)) return -1;
    if (min === max) {
      if (p + min > text.length) return -1;
      for (let m = 0; m < min; m++) if (!inClass(cls, text.charCodeAt(p + m))) return -1;
      p += min;
    } else {
      const e = runs.end(cls, p);
      if (e - p < min || e - p > max) return -1;
      p = e;
    }
  }
  if (rule.endNot && p < text.length && inClass(rule.endNot, text.charCodeAt(p))) return -1;
  if (rule.before && !rule.before.test(text.slice(Math.max(0, i - 16), i))) return -1;
  return p;
}

/** Every token of a published format in `runs.text`, as spans. */
export function findTokens(runs: Runs, out: Span[]): void {
  const text = runs.text;
  const n = text.length;
  let i = 0;
  while (i < n) {
    const code = text.charCodeAt(i);
    if (!isAlnum(code) || (i > 0 && isAlnum(text.charCodeAt(i - 1)))) {
      i++;
      continue;
    }
    const hit = matchAt(runs, i, code);
    if (hit) {
      out.push({ start: i, end: hit.end, kind: hit.kind });
      i = hit.end;
    } else {
      i++;
    }
  }
}

/** Which two-character ASCII prefixes have rules: one array read rules most candidates out. */
const hasBucket = new Uint8Array(128 * 128);
for (const key of byPrefix.keys()) {
  const a = Math.floor(key / 65536);
  const b = key % 65536;
  if (a < 128 && b < 128) hasBucket[a * 128 + b] = 1;
}

function matchAt(runs: Runs, i: number, code: number): { end: number; kind: string } | null {
  const next = i + 1 < runs.text.length ? runs.text.charCodeAt(i + 1) : 0;
  const list = code < 128 && next < 128 && hasBucket[code * 128 + next] === 1 ? byPrefix.get(code * 65536 + next) : undefined;
  if (list) {
    for (const rule of list) {
      if (!runs.text.startsWith(rule.anchor, i)) continue;
      const e = matchRule(runs, rule, i);
      if (e > 0) return { end: e, kind: rule.kind };
    }
  }
  for (const rule of classFirst) {
    const first = rule.segments[0] as readonly [Parameters<typeof inClass>[0], number, number];
    if (!inClass(first[0], code) || !runs.text.startsWith(rule.anchor, i + rule.anchorAt)) continue;
    const e = matchRule(runs, rule, i);
    if (e > 0) return { end: e, kind: rule.kind };
  }
  return null;
}

/** The kinds of token the rules can name (for the corpus test and `--help`). */
export const TOKEN_KINDS: readonly string[] = [...new Set(TOKEN_RULES.map((r) => r.kind))];
