// A found secret is a span of the text plus its kind; the scanner collects spans from every
// detector, then merges overlapping ones and writes the text once with markers in their place.

export interface Span {
  start: number;
  end: number;
  kind: string;
}

/** What replaces a secret: names the kind, never a part of the secret. */
export const marker = (kind: string) => `[redacted:${kind}]`;

/** Spans sorted by start with overlaps merged (the earlier span's kind names the merged one). */
export function mergeSpans(spans: Span[]): Span[] {
  const sorted = spans.filter((s) => s.end > s.start).sort((a, b) => a.start - b.start || b.end - a.end);
  const out: Span[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s.start < last.end) last.end = Math.max(last.end, s.end);
    else out.push({ ...s });
  }
  return out;
}

/** `text` with every merged span replaced by its marker. */
export function applySpans(text: string, merged: readonly Span[]): string {
  if (merged.length === 0) return text;
  const parts: string[] = [];
  let at = 0;
  for (const s of merged) {
    parts.push(text.slice(at, s.start), marker(s.kind));
    at = s.end;
  }
  parts.push(text.slice(at));
  return parts.join('');
}

/** Is [start, end) wholly inside one of the merged, sorted `spans`? */
export function contained(spans: readonly Span[], start: number, end: number): boolean {
  let lo = 0;
  let hi = spans.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = spans[mid]!;
    if (s.end <= start) lo = mid + 1;
    else if (s.start > start) hi = mid - 1;
    else return s.end >= end;
  }
  return false;
}
