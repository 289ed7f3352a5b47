// Recomputes the baselines on a node-cron schedule and hands each new snapshot to `onSnapshot`.
// Runs never overlap: a tick (or a manual `runNow`) that comes while a run is still going is
// skipped and logged, so a slow ClickHouse never piles up concurrent scans of `events`.
import { createTask, validate, type ScheduledTask } from 'node-cron';
import type { ClickHouseClient } from '../../core/clickhouse.ts';
import type { Logger } from '../../core/logger.ts';
import { Counter, Histogram, type Registry } from '../../core/metrics.ts';
import type { BaselineSnapshot } from './baseline.types.ts';
import { computeBaselines, type BaselineRunSummary, type ComputeOptions } from './baselines.compute.ts';
import { loadBaselineSnapshot } from './baselines.load.ts';

export interface BaselineSchedulerOptions {
  ch: ClickHouseClient;
  database: string;
  /** node-cron expression (MCP_AUDIT_BASELINE_CRON). */
  cron: string;
  /** MCP_AUDIT_BASELINE_LOOKBACK_DAYS. */
  lookbackDays?: number;
  /** Called with the freshly loaded snapshot after every successful run. */
  onSnapshot?: (snapshot: BaselineSnapshot, summary: BaselineRunSummary) => void | Promise<void>;
  log?: Logger;
  registry?: Registry;
  onProgress?: ComputeOptions['onProgress'];
  /** The clock handed to the job; tests pin it. */
  now?: () => number;
}

export type BaselineRunOutcome =
  | { status: 'done'; summary: BaselineRunSummary; snapshot: BaselineSnapshot }
  | { status: 'skipped'; reason: 'running' }
  | { status: 'failed'; error: Error };

export interface BaselineScheduler {
  start(): void;
  stop(): Promise<void>;
  /** One run now, under the same no-overlap guard as the scheduled ones. */
  runNow(): Promise<BaselineRunOutcome>;
  isRunning(): boolean;
}

export const DEFAULT_LOOKBACK_DAYS = 28;

export function createBaselineScheduler(opts: BaselineSchedulerOptions): BaselineScheduler {
  if (!validate(opts.cron)) throw new Error(`not a cron expression: ${JSON.stringify(opts.cron)}`);
  const lookbackDays = opts.lookbackDays ?? DEFAULT_LOOKBACK_DAYS;
  const runs = opts.registry
    ? new Counter({ name: 'mcp_audit_baseline_runs_total', help: 'Baseline runs by outcome (done, skipped, failed).', labelNames: ['outcome'], registers: [opts.registry] })
    : null;
  const seconds = opts.registry
    ? new Histogram({ name: 'mcp_audit_baseline_run_seconds', help: 'Duration of completed baseline runs.', buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900], registers: [opts.registry] })
    : null;

  let running: Promise<BaselineRunOutcome> | null = null;
  let task: ScheduledTask | null = null;

  async function run(): Promise<BaselineRunOutcome> {
    try {
      const summary = await computeBaselines(opts.ch, opts.database, {
        lookbackDays,
        ...(opts.now ? { now: opts.now() } : {}),
        ...(opts.log ? { log: opts.log } : {}),
        ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      });
      const snapshot = await loadBaselineSnapshot(opts.ch, opts.database);
      seconds?.observe(summary.durationMs / 1000);
      runs?.inc({ outcome: 'done' });
      await opts.onSnapshot?.(snapshot, summary);
      return { status: 'done', summary, snapshot };
    } catch (err) {
      runs?.inc({ outcome: 'failed' });
      const error = err instanceof Error ? err : new Error(String(err));
      opts.log?.error({ err: error }, 'baseline run failed; the previous baselines stay in use');
      return { status: 'failed', error };
    }
  }

  function runNow(): Promise<BaselineRunOutcome> {
    if (running) {
      runs?.inc({ outcome: 'skipped' });
      opts.log?.warn({ cron: opts.cron }, 'baseline run skipped: the previous run is still going');
      return Promise.resolve({ status: 'skipped', reason: 'running' });
    }
    const p = run().finally(() => {
      running = null;
    });
    running = p;
    return p;
  }

  return {
    start() {
      if (task) return;
      // Our own guard decides about overlap (so manual and scheduled runs share it); the task's
      // promise is not awaited by node-cron, hence `void`.
      task = createTask(opts.cron, () => void runNow(), { name: 'baselines' });
      void task.start();
    },
    async stop() {
      const t = task;
      task = null;
      if (t) await t.destroy();
      if (running) await running;
    },
    runNow,
    isRunning: () => running !== null,
  };
}
