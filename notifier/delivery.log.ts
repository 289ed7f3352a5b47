// Best-effort, batched writer of the `deliveries` table (migrations/0005_deliveries.sql) for the
// pipeline-health dashboard. It never blocks or fails delivery: rows are buffered, inserted about
// once a second, and dropped (with a debug log and a counter) when ClickHouse is unavailable.
import type { ClickHouseClient } from '../core/clickhouse.ts';
import type { Logger } from '../core/logger.ts';
import { qualified } from '../core/sql.ts';

export interface DeliveryRow {
  ts: number;
  ts_ms: number;
  destination: string;
  destination_type: string;
  alert_id: string;
  tenant_id: string;
  outcome: 'delivered' | 'retried' | 'dead_lettered' | 'disabled';
  reason: string;
  http_status: number;
  attempt: number;
  request_ms: number;
  latency_ms: number;
  instance: string;
}

export interface DeliveryLog {
  add(row: Omit<DeliveryRow, 'ts' | 'ts_ms' | 'instance'>): void;
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** Rows kept while ClickHouse is slow or down; beyond this the oldest are dropped. */
const MAX_BUFFERED = 50_000;
const FLUSH_MS = 1_000;

export function createDeliveryLog(clickhouse: ClickHouseClient, database: string, instance: string, log: Logger, onDropped: (n: number) => void): DeliveryLog {
  const table = qualified(database, 'deliveries').text;
  let buffer: DeliveryRow[] = [];
  let flushing: Promise<void> | null = null;
  const timer = setInterval(() => void flush(), FLUSH_MS);
  timer.unref();

  function flush(): Promise<void> {
    if (flushing || buffer.length === 0) return flushing ?? Promise.resolve();
    const rows = buffer;
    buffer = [];
    flushing = clickhouse
      .insert({ table, values: rows, format: 'JSONEachRow' })
      .then(
        () => undefined,
        (err: unknown) => {
          onDropped(rows.length);
          log.debug({ err, rows: rows.length }, 'could not write deliveries; rows dropped (best effort)');
        },
      )
      .finally(() => {
        flushing = null;
      });
    return flushing;
  }

  return {
    add(row) {
      const now = Date.now();
      buffer.push({ ...row, ts: Math.floor(now / 1000), ts_ms: now, instance });
      if (buffer.length > MAX_BUFFERED) {
        const over = buffer.length - MAX_BUFFERED;
        buffer.splice(0, over);
        onDropped(over);
      }
    },
    flush,
    async close() {
      clearInterval(timer);
      await flushing;
      await flush();
    },
  };
}
