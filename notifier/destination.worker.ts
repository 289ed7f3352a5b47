// Delivers alerts to ONE destination: its own queue, its own requests in flight, its own retries.
// Destinations never share a queue, so one that is down (retrying with backoff) does not hold up
// another; the only coupling is the bounded backlog (max_backlog), past which intake pauses.
import type { Logger } from '../core/logger.ts';
import { sleep } from '../core/lifecycle.ts';
import type { AlertV1 } from '../schemas/alert.v1.ts';
import { decide, nextDelayMs, parseRetryAfter } from './delivery.retry.ts';
import type { Destination } from './destinations.config.ts';
import { createHttpSender, type HttpSender } from './http.sender.ts';
import type { NotifierMetrics } from './notifier.metrics.ts';
import { renderRequest } from './request.render.ts';

export type Outcome =
  | { kind: 'delivered'; status: number; attempts: number; ms: number }
  | { kind: 'dead_letter'; reason: string; detail: string; status: number; attempts: number }
  | { kind: 'disabled'; reason: 'destination_disabled'; detail: string; attempts: number }
  /** Stopping: the alert stays unfinished and uncommitted, so it is delivered again after restart. */
  | { kind: 'aborted'; attempts: number };

/** Dead-letter reason of alerts a receiver accepted with a 2xx but reported as rejected. */
export const PARTIALLY_REJECTED = 'rejected_in_2xx';

export interface WorkItem {
  alert: AlertV1;
}

export interface DestinationWorkerDeps<T extends WorkItem> {
  log: Logger;
  metrics: NotifierMetrics;
  /** Aborted when the service stops: waits end and requests are cut. */
  signal: AbortSignal;
  /** False for items of an older consumer-group generation; they are skipped (re-read by the new owner). */
  isCurrent: (item: T) => boolean;
  /** Records the final outcome (dead-lettering when needed); resolves once that is durable. */
  onOutcome: (items: T[], outcome: Outcome) => Promise<void>;
  /** Called once when the destination answered 410 Gone. */
  onDisabled: (reason: string) => void;
  /** Called for each failed attempt that will be retried (for the delivery log). */
  onRetry?: (items: T[], info: { reason: string; status: number; attempt: number; ms: number }) => void;
  /** Called whenever the backlog shrank, so a paused intake can look again. */
  onProgress: () => void;
  sender?: HttpSender;
  random?: () => number;
}

export interface DestinationWorker<T extends WorkItem> {
  readonly destination: Destination;
  push(item: T): void;
  /** Alerts queued plus in delivery. */
  backlog(): number;
  hasRoom(): boolean;
  disabledReason(): string | null;
  /** Resolves when nothing is queued or in flight. */
  idle(): Promise<void>;
  close(): void;
}

export function createDestinationWorker<T extends WorkItem>(dest: Destination, deps: DestinationWorkerDeps<T>): DestinationWorker<T> {
  const log = deps.log.child({ destination: dest.name });
  const label = { destination: dest.name };
  const sender =
    deps.sender ?? createHttpSender({ url: dest.url, timeoutMs: dest.timeout_ms, allowNetworks: dest.allow_networks, maxSockets: dest.concurrency });
  const queue: T[] = [];
  let inFlight = 0;
  let disabled: string | null = null;
  let idleWaiters: (() => void)[] = [];

  const backlog = () => queue.length + inFlight;
  const updateGauge = () => deps.metrics.backlog.set(label, backlog());

  function takeBatch(): T[] {
    const batch: T[] = [];
    while (queue.length > 0 && batch.length < dest.batch_max) {
      const item = queue.shift()!;
      if (deps.isCurrent(item)) batch.push(item);
    }
    return batch;
  }

  function pump(): void {
    while (inFlight < dest.concurrency && queue.length > 0 && !deps.signal.aborted) {
      const batch = takeBatch();
      if (batch.length === 0) break;
      inFlight += batch.length;
      void run(batch).finally(() => {
        inFlight -= batch.length;
        updateGauge();
        deps.onProgress();
        pump();
        if (backlog() === 0 || deps.signal.aborted) {
          const waiters = idleWaiters;
          idleWaiters = [];
          for (const w of waiters) w();
        }
      });
    }
    updateGauge();
  }

  async function run(batch: T[]): Promise<void> {
    try {
      let outcome = await deliver(batch);
      // A batch refused as a whole (HEC answers 400 for one bad event), or in part without saying
      // which (OTLP partial success), is retried alert by alert, so one bad alert does not send its
      // neighbours to the dead-letter topic (the accepted ones arrive twice: receivers de-duplicate).
      if (outcome.kind === 'dead_letter' && batch.length > 1 && (outcome.status >= 400 || outcome.reason === PARTIALLY_REJECTED)) {
        for (const item of batch) await deps.onOutcome([item], await deliver([item]));
        return;
      }
      await deps.onOutcome(batch, outcome);
    } catch (err) {
      // onOutcome failed only if the service is stopping (dead letters retry until then): the
      // items stay unfinished and are delivered again after the restart.
      log.warn({ err }, 'outcome not recorded; alerts stay uncommitted');
    }
  }

  async function deliver(batch: T[]): Promise<Outcome> {
    const n = batch.length;
    let lastReason = '';
    for (let attempt = 1; ; attempt++) {
      if (disabled) return { kind: 'disabled', reason: 'destination_disabled', detail: disabled, attempts: attempt - 1 };
      if (deps.signal.aborted) return { kind: 'aborted', attempts: attempt - 1 };
      const req = renderRequest(dest, batch.map((i) => i.alert));
      const result = await sender.post(req.body, req.headers, deps.signal);
      if (deps.signal.aborted) return { kind: 'aborted', attempts: attempt };
      deps.metrics.requestSeconds.observe(label, result.ms / 1000);
      const status = 'status' in result ? result.status : 0;
      const decision = decide(result);
      switch (decision.kind) {
        case 'delivered': {
          // Accepted, yet refused: a retry would be refused the same way (and OTLP forbids it).
          const refused = req.rejection?.('body' in result ? result.body : undefined, 'contentType' in result ? result.contentType : undefined);
          if (refused) return { kind: 'dead_letter', reason: PARTIALLY_REJECTED, detail: refused, status, attempts: attempt };
          deps.metrics.delivered.inc(label, n);
          return { kind: 'delivered', status, attempts: attempt, ms: result.ms };
        }
        case 'disable':
          if (!disabled) {
            disabled = `${dest.name} answered 410 Gone: destination disabled, its alerts go to the dead-letter topic`;
            deps.metrics.disabled.set(label, 1);
            log.error({ status }, 'DESTINATION DISABLED: the receiver answered 410 Gone; fix the configuration and restart');
            deps.onDisabled(disabled);
          }
          return { kind: 'disabled', reason: 'destination_disabled', detail: disabled, attempts: attempt };
        case 'dead_letter': {
          const detail = 'detail' in result ? result.detail : `HTTP ${status}`;
          return { kind: 'dead_letter', reason: decision.reason, detail, status, attempts: attempt };
        }
        case 'retry': {
          lastReason = decision.reason;
          if (attempt >= dest.max_attempts) {
            return { kind: 'dead_letter', reason: 'retries_exhausted', detail: `${attempt} attempts, last: ${lastReason}`, status, attempts: attempt };
          }
          deps.metrics.retried.inc({ destination: dest.name, reason: decision.reason }, n);
          deps.onRetry?.(batch, { reason: decision.reason, status, attempt, ms: result.ms });
          const retryAfter = 'status' in result && result.retryAfter ? result.retryAfter : null;
          const wait = nextDelayMs(
            attempt,
            { initialMs: dest.backoff_initial_ms, maxMs: dest.backoff_max_ms, retryAfterMaxMs: dest.retry_after_max_ms },
            parseRetryAfter(retryAfter),
            deps.random,
          );
          // First failure and every tenth: enough to see an outage in the logs without flooding them.
          if (attempt === 1 || attempt % 10 === 0) {
            log.warn({ reason: decision.reason, attempt, waitMs: wait, alerts: n }, 'delivery failed, retrying');
          }
          await sleep(wait, deps.signal);
        }
      }
    }
  }

  return {
    destination: dest,
    push(item) {
      queue.push(item);
      pump();
    },
    backlog,
    hasRoom: () => backlog() < dest.max_backlog,
    disabledReason: () => disabled,
    idle: () => (backlog() === 0 ? Promise.resolve() : new Promise<void>((resolve) => idleWaiters.push(resolve))),
    close() {
      sender.close();
      for (const w of idleWaiters) w();
      idleWaiters = [];
    },
  };
}
