// Durations in rule files: `500ms`, `30s`, `10m`, `1h`, `7d` (or a plain number of milliseconds).
import { z } from 'zod';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A number and a unit. */
const DURATION_TEXT = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;

export function parseDuration(text: string): number | null {
  const m = DURATION_TEXT.exec(text.trim());
  return m ? Math.round(Number(m[1]) * UNIT_MS[m[2]!]!) : null;
}

export const duration = z
  // The pattern is for the JSON Schema (editors); zod's own check is the transform's, with its message.
  .union([z.number().int().min(0), z.string().meta({ pattern: DURATION_TEXT.source })])
  .meta({ id: 'duration', description: 'A duration: 500ms, 30s, 10m, 1h, 7d, or a number of milliseconds.' })
  .transform((v, ctx) => {
    const ms = typeof v === 'number' ? v : parseDuration(v);
    if (ms === null) {
      ctx.addIssue({ code: 'custom', message: `not a duration: ${JSON.stringify(v)} (use e.g. 500ms, 30s, 10m, 1h, 7d)` });
      return z.NEVER;
    }
    return ms;
  });

export function formatDuration(ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1_000]] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
