// Rebuilds the detector's in-memory state after a start or a rebalance, so that a chain whose first
// steps happened before a crash is still caught when its last step arrives after the restart.
//
// For each assigned partition the consumer group has a committed offset C: everything below C was
// processed (and its alerts produced) before; everything from C on will be delivered again by
// Kafka. So the rebuild replays from ClickHouse exactly the events of that partition with
// offset < C inside the state window, with alerts suppressed, and Kafka does the rest. Those events
// must be in ClickHouse first: ingest reads the same topic in its own group and commits an offset
// only after everything below it is stored (or dead-lettered), so the rebuild waits until ingest's
// committed offset reaches C on each partition.
import type { ClickHouseClient } from '../core/clickhouse.ts';
import { readRows } from '../core/clickhouse.rows.ts';
import type { Logger } from '../core/logger.ts';
import { join, qualified, sql } from '../core/sql.ts';
import { sleep } from '../core/lifecycle.ts';

export interface PartitionCursor {
  partition: number;
  /** The committed offset of the detector group: events below it were processed. */
  committed: number;
}

export interface RebuildOptions {
  ch: ClickHouseClient;
  database: string;
  topic: string;
  cursors: PartitionCursor[];
  /** How far back state matters (the longest rule window plus the allowed lateness). */
  windowMs: number;
  nowMs: number;
  /** How long to wait for ingest to have stored the events below the committed offsets. */
  waitForIngestMs: number;
  /** The ingest group's committed offset per partition of the topic (absent: nothing committed). */
  ingestCommitted: () => Promise<Map<number, number>>;
  log: Logger;
  /** Receives each replayed row (a ClickHouse `events` row) in event-time order. */
  replay: (row: Record<string, unknown>) => void;
}

const PAGE = 10_000;

export async function rebuildState(o: RebuildOptions): Promise<{ replayed: number }> {
  const table = qualified(o.database, 'events');
  const cursors = o.cursors.filter((c) => c.committed > 0);
  if (cursors.length === 0) return { replayed: 0 };

  // Ingest and the detector read the same topic independently; if ingest is behind, wait for it so
  // the replay sees what the detector saw. A partial rebuild is logged, not fatal.
  const deadline = Date.now() + o.waitForIngestMs;
  for (;;) {
    const stored = await o.ingestCommitted();
    const behind = cursors.filter((c) => (stored.get(c.partition) ?? 0) < c.committed).map((c) => c.partition);
    if (behind.length === 0) break;
    if (Date.now() > deadline) {
      o.log.warn({ partitions: behind }, 'ingest is behind the detector; state rebuilt from what ClickHouse has');
      break;
    }
    await sleep(500);
  }

  const sinceSec = Math.floor((o.nowMs - o.windowMs) / 1000);
  const belowCommitted = cursors.map((c) => sql`(kafka_partition = ${c.partition} AND kafka_offset < ${c.committed})`);
  const where = sql`kafka_topic = ${o.topic} AND ts >= toDateTime(${sinceSec}) AND (${join(belowCommitted, ' OR ')})`;
  let replayed = 0;
  let afterMs = -1;
  let afterId = '';
  // Keyset pagination on (ts_ms, event_id): stable, and no OFFSET scans.
  for (;;) {
    const rows = await readRows<Record<string, unknown>>(
      o.ch,
      sql`SELECT * FROM ${table} FINAL WHERE ${where}
        AND (ts_ms > ${afterMs} OR (ts_ms = ${afterMs} AND event_id > ${afterId}))
        ORDER BY ts_ms, event_id LIMIT ${PAGE}`,
    );
    for (const row of rows) o.replay(row);
    replayed += rows.length;
    if (rows.length < PAGE) break;
    const last = rows[rows.length - 1]!;
    afterMs = Number(last.ts_ms);
    afterId = String(last.event_id);
  }
  o.log.info({ replayed, partitions: cursors.map((c) => c.partition), windowMs: o.windowMs }, 'detector state rebuilt from ClickHouse');
  return { replayed };
}
