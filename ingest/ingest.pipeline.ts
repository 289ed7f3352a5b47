// What ingest needs to know about one topic: how to decode a message, which ClickHouse tables its
// rows go to, and where bad input is parked. Ingest runs one pipeline per topic (events, alerts),
// each with its own consumer group, so a poison alert can never hold back the events.
import type { Decoded } from '../schemas/json.decode.ts';
import type { KafkaOrigin } from './event.row.ts';

export interface TableTarget<T> {
  /** Table name inside the configured database. */
  table: string;
  toRow: (value: T, origin: KafkaOrigin, ingestedAtSec: number) => object;
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
}
