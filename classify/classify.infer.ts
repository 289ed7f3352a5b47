// Capability inference for tools the catalogue does not list, from what any MCP server tells about a
// tool: its name, its description (tools/list) and its argument names (the input schema, or the keys
// of a call). Every rule of the catalogue's `infer` section is scored on that evidence; the best
// score wins and ties go to the earlier rule, so sensitive actions listed first beat the generic
// reads and sends below them. Pure, and run once per tool (classify caches the result).
import { inferWords, type CompiledInfer } from './catalogue.ts';

export interface ToolEvidence {
  toolName: string;
  description?: string | undefined;
  /** Argument names: the input schema's properties, or a call's argument keys. */
  inputKeys?: readonly string[] | undefined;
}

export interface Inference {
  class: string;
  /** 0..1: how much evidence agreed (0 for unknown). */
  confidence: number;
  /** The evidence, e.g. `name(transfer funds) keys(amount+recipient)`; '' for unknown. */
  reason: string;
}

export const UNKNOWN_INFERENCE: Inference = Object.freeze({ class: 'unknown', confidence: 0, reason: '' });

// Ranking: the name says what the tool does and argument names what it needs, equally telling (a
// tie goes to the earlier, more sensitive entry); a description is prose that mentions many things.
const NAME_WEIGHT = 3;
const KEYS_WEIGHT = 3;
const DESCRIPTION_WEIGHT = 1;
// Confidence: how often each kind of evidence alone names the right class; kinds that agree combine
// as independent evidence (1 - product of the misses).
const NAME_CONFIDENCE = 0.6;
const KEYS_CONFIDENCE = 0.5;
const DESCRIPTION_CONFIDENCE = 0.3;
/** Only the opening of a description is read: it states the purpose; the rest is detail (or poison). */
const DESCRIPTION_CHARS = 400;
const MAX_KEYS = 64;

export function inferTool(rules: readonly CompiledInfer[], ev: ToolEvidence): Inference {
  const name = wrap(inferWords(ev.toolName));
  const description = ev.description ? wrap(inferWords(ev.description.slice(0, DESCRIPTION_CHARS))) : '';
  const keys = (ev.inputKeys ?? []).slice(0, MAX_KEYS).map((k) => wrap(inferWords(k)));
  let best: { rule: CompiledInfer; score: number; reason: string; confidence: number } | undefined;
  for (const rule of rules) {
    if (rule.unless.some((w) => name.includes(wrap(w)))) continue;
    const byName = wordsHit(rule, name);
    const byKeys = keys.length > 0 ? keysHit(rule, keys) : undefined;
    const byDescription = description !== '' ? wordsHit(rule, description) : undefined;
    const score = (byName ? NAME_WEIGHT : 0) + (byKeys ? KEYS_WEIGHT : 0) + (byDescription ? DESCRIPTION_WEIGHT : 0);
    if (score === 0 || (best && score <= best.score)) continue;
    const reason = [byName && `name(${byName})`, byKeys && `keys(${byKeys})`, byDescription && `description(${byDescription})`].filter(Boolean).join(' ');
    const miss = (byName ? 1 - NAME_CONFIDENCE : 1) * (byKeys ? 1 - KEYS_CONFIDENCE : 1) * (byDescription ? 1 - DESCRIPTION_CONFIDENCE : 1);
    best = { rule, score, reason, confidence: Math.round((1 - miss) * 100) / 100 };
  }
  if (!best) return UNKNOWN_INFERENCE;
  return { class: best.rule.class, confidence: best.confidence, reason: best.reason };
}

const wrap = (words: string) => `_${words}_`;

/** The keyword, or verb and object (two different words), found among `text`'s words, or undefined. */
function wordsHit(rule: CompiledInfer, text: string): string | undefined {
  for (const k of rule.keywords) if (text.includes(wrap(k))) return k.replaceAll('_', ' ');
  for (const v of rule.verbs) {
    if (!text.includes(wrap(v))) continue;
    for (const o of rule.objects) if (o !== v && text.includes(wrap(o))) return `${v} ${o}`.replaceAll('_', ' ');
  }
  return undefined;
}

/** The first argument-name group all of whose names appear (a name matches any whole words of a key). */
function keysHit(rule: CompiledInfer, keys: readonly string[]): string | undefined {
  for (const group of rule.argumentKeys) {
    if (group.every((g) => keys.some((k) => k.includes(wrap(g))))) return group.join('+');
  }
  return undefined;
}
