// What ingest needs to know about one topic: how to decode a message, which ClickHouse tables its
// rows go to, and where bad input is parked. Ingest runs one pipeline per topic (events, alerts),
// each with its own consumer group, so a poison alert can never hold back the events.
import type { Decoded } from '../schemas/json.decode.ts';
import type { KafkaOrigin } from './event.row.ts';

export interface TableTarget<T> {
  /** Table name inside the configured database. */
  table: string;
  /** A JSONEachRow row object, or with `tsvColumns` one TabSeparated line of those columns (ending in a newline) as text or UTF-8 bytes. */
  toRow: (value: T, origin: KafkaOrigin, ingestedAtSec: number) => object | string;
  /** Set when `toRow` returns TabSeparated lines (the events table's hot path, ingest/event.row.tsv.ts). */
  tsvColumns?: readonly string[];
}

export interface IngestPipeline<T> {
  /** Short name for logs and metrics (`events`, `alerts`). */
  name: string;
  topic: string;
  dlqTopic: string;
  groupId: string;
  decode: (bytes: Buffer | null, maxBytes: number) => Decoded<T>;
  /** Rows of one message, in insert order; an offset is finished only when all are confirmed. */
  tables: TableTarget<T>[];
  /**
   * Optional: the rows of every table straight from the message's bytes, or null when `decode` and
   * each table's `toRow` must decide (events: ingest/event.transcode.ts). Must accept only what
   * `decode` accepts, and give the rows `toRow` would.
   */
  transcode?: (bytes: Buffer | null, maxBytes: number, origin: KafkaOrigin, ingestedAtSec: number) => (object | string)[] | null;
}
