// Secrets hidden under an encoding: base64 (also base64url), hex and URL-encoding. A long run that
// decodes to printable text is scanned again (at most two levels deep, within a per-input budget);
// when the decoded text holds a secret, the whole encoded run is redacted and the kinds found are
// reported.
import { contained, type Span } from './spans.ts';
import { inClass, type Runs } from './runs.ts';

/** How deep decoding goes, and how many characters one input may decode in total. */
export interface DecodeBudget {
  depth: number;
  chars: number;
}

export const MAX_DECODE_DEPTH = 2;
export const DECODE_CHARS_PER_INPUT = 1 << 20;

/** Mostly printable text (at least 90% of the first 512 characters), or null. */
function printable(bytes: Buffer): string | null {
  if (bytes.length < 8) return null;
  const s = bytes.toString('utf8');
  const n = Math.min(s.length, 512);
  let ok = 0;
  for (let k = 0; k < n; k++) {
    const c = s.charCodeAt(k);
    if ((c >= 32 && c < 127) || c === 9 || c === 10 || c === 13 || (c > 160 && c !== 0xfffd)) ok++;
  }
  return ok >= n * 0.9 ? s : null;
}

function urlDecode(s: string): string | null {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return null;
  }
}

type Rescan = (text: string, budget: DecodeBudget) => string[];

/** Runs of `runs.text` that decode to text holding a secret, as spans; kinds found go to `kinds`. */
export function findEncoded(runs: Runs, merged: readonly Span[], out: Span[], kinds: string[], budget: DecodeBudget, rescan: Rescan): void {
  if (budget.depth >= MAX_DECODE_DEPTH) return;
  const t = runs.text;
  const n = t.length;
  const inner: DecodeBudget = { depth: budget.depth + 1, chars: 0 };
  const tryDecoded = (start: number, end: number, decoded: string | null) => {
    if (!decoded || budget.chars <= 0) return;
    budget.chars -= decoded.length;
    inner.chars = budget.chars;
    const found = rescan(decoded, inner);
    budget.chars = inner.chars;
    if (found.length) {
      out.push({ start, end, kind: found[0]! });
      kinds.push(...found);
    }
  };
  let i = 0;
  while (i < n && budget.chars > 0) {
    const c = t.charCodeAt(i);
    if (!inClass('url', c)) {
      i++;
      continue;
    }
    const e = runs.end('url', i);
    if (e - i >= 16 && !contained(merged, i, e)) decodeRun(runs, i, e, tryDecoded);
    i = e;
  }
}

/** Tries the encodings a run of URL characters may be in. */
function decodeRun(runs: Runs, start: number, end: number, tryDecoded: (s: number, e: number, d: string | null) => void): void {
  const t = runs.text;
  const s = t.slice(start, end);
  const pct = s.indexOf('%');
  if (pct !== -1) {
    // `name=<encoded>`: keep the name readable.
    const from = s.lastIndexOf('=', pct) + 1;
    tryDecoded(start + from, end, urlDecode(s.slice(from)));
  }
  // Inside the run, the longest base64 and hex stretches (a run may be `key=<base64>`).
  let i = start;
  while (i < end) {
    if (!inClass('b64body', t.charCodeAt(i))) {
      i++;
      continue;
    }
    let e = Math.min(runs.end('b64body', i), end);
    const bodyEnd = e;
    while (e < end && e - bodyEnd < 2 && t[e] === '=') e++;
    if (e - i >= 16) {
      const hexEnd = runs.end('HEX', i);
      if (hexEnd === bodyEnd && (e - i) % 2 === 0) tryDecoded(i, e, printable(Buffer.from(t.slice(i, e), 'hex')));
      else tryDecoded(i, e, printable(Buffer.from(t.slice(i, e), 'base64')));
    }
    i = e;
  }
}
