// The end-to-end bench steps the offered rate up and keeps the highest rate the pipeline sustained:
// the producer achieved at least 95 % of the offered rate, p99 produce→alert stayed within the
// bound, and latency was not rising through the step (a backlog that grows fails later, however
// good its p99 looks over a short step).
import { median, quantile } from './stats.ts';

export const ACHIEVED_SHARE = 0.95;

export interface LatencySample {
  /** When the alert's last evidence event was produced, ms since the step began. */
  atMs: number;
  ms: number;
}

export interface StepVerdict {
  sustained: boolean;
  reasons: string[];
  p50_ms: number;
  p99_ms: number;
  /** Median latency in the first and in the last third of the step (by produce time). */
  first_third_p50_ms: number;
  last_third_p50_ms: number;
  rising: boolean;
}

/**
 * Rising: the median of the last third of the step's alerts exceeds twice that of the first third
 * and by more than `riseFloorMs` (so 5 ms → 12 ms is noise, 40 ms → 900 ms is a backlog).
 */
export function latencyRising(samples: readonly LatencySample[], stepMs: number, riseFloorMs = 50): { rising: boolean; first: number; last: number } {
  const first = samples.filter((s) => s.atMs < stepMs / 3).map((s) => s.ms);
  const last = samples.filter((s) => s.atMs >= (2 * stepMs) / 3).map((s) => s.ms);
  const a = median(first);
  const b = median(last);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return { rising: false, first: a, last: b };
  return { rising: b > 2 * a && b - a > riseFloorMs, first: a, last: b };
}

export function judgeStep(opts: {
  offered: number;
  achieved: number;
  samples: readonly LatencySample[];
  stepMs: number;
  p99BoundMs: number;
  /** Alerts expected but not received by the end of the drain (a backlog the step left behind). */
  minSamples?: number;
}): StepVerdict {
  const ms = opts.samples.map((s) => s.ms);
  const p50 = quantile(ms, 0.5);
  const p99 = quantile(ms, 0.99);
  const trend = latencyRising(opts.samples, opts.stepMs);
  const reasons: string[] = [];
  if (opts.achieved < ACHIEVED_SHARE * opts.offered) reasons.push(`achieved ${Math.round(opts.achieved)} ev/s < ${ACHIEVED_SHARE * 100} % of ${opts.offered}`);
  if (ms.length < (opts.minSamples ?? 1)) reasons.push(`only ${ms.length} alerts timed`);
  if (Number.isFinite(p99) && p99 > opts.p99BoundMs) reasons.push(`p99 ${Math.round(p99)} ms > ${opts.p99BoundMs} ms`);
  if (trend.rising) reasons.push(`latency rising through the step (median ${Math.round(trend.first)} → ${Math.round(trend.last)} ms)`);
  return { sustained: reasons.length === 0, reasons, p50_ms: p50, p99_ms: p99, first_third_p50_ms: trend.first, last_third_p50_ms: trend.last, rising: trend.rising };
}

/** The offered rates to try: the given steps in ascending order. */
export function parseSteps(text: string): number[] {
  const steps = text.split(',').map((s) => Number(s.trim().replaceAll('_', '')));
  if (steps.length === 0 || steps.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--steps must be positive integers separated by commas, got ${JSON.stringify(text)}`);
  return [...new Set(steps)].sort((a, b) => a - b);
}
