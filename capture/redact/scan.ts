// The text scanner: every detector over one text, in linear time, then one rewrite with markers.
// Token formats and private keys come first; what the context detectors find inside those adds
// no second kind. Encoded runs are decoded and scanned again last.
import { findAssignments } from './assignments.ts';
import { findRandomNearSecretWords } from './context.ts';
import { DECODE_CHARS_PER_INPUT, findEncoded, type DecodeBudget } from './decode.ts';
import { findPrivateKeys } from './private.keys.ts';
import { Runs } from './runs.ts';
import { applySpans, contained, mergeSpans, type Span } from './spans.ts';
import { findTokens } from './tokens.ts';
import { findUrlSecrets } from './urls.ts';

export interface Scanned {
  spans: Span[];
  /** Kinds found, each once, in the order first found. */
  kinds: string[];
}

export const newBudget = (): DecodeBudget => ({ depth: 0, chars: DECODE_CHARS_PER_INPUT });

export function scanText(text: string, budget: DecodeBudget = newBudget()): Scanned {
  if (text.length < 8) return { spans: [], kinds: [] };
  const runs = new Runs(text);
  const known: Span[] = [];
  findPrivateKeys(runs, known);
  findTokens(runs, known);
  const knownMerged = mergeSpans(known);
  const context: Span[] = [];
  findUrlSecrets(runs, context);
  findAssignments(runs, context);
  findRandomNearSecretWords(runs, context);
  const fresh = context.filter((s) => !contained(knownMerged, s.start, s.end));
  const kinds = [...known, ...fresh].sort((a, b) => a.start - b.start).map((s) => s.kind);
  let spans = mergeSpans([...known, ...fresh]);
  const encoded: Span[] = [];
  findEncoded(runs, spans, encoded, kinds, budget, (decoded, inner) => scanText(decoded, inner).kinds);
  if (encoded.length) spans = mergeSpans([...spans, ...encoded]);
  return { spans, kinds: [...new Set(kinds)] };
}

/** `text` with its secrets replaced by markers, and the kinds of secret removed. */
export function redactTextWithFindings(text: string, budget?: DecodeBudget): { text: string; secrets: string[] } {
  const { spans, kinds } = scanText(text, budget);
  return { text: applySpans(text, spans), secrets: kinds };
}
