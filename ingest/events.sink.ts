// Writes batches of rows into ClickHouse and decides what a failure means:
//  - retry: ClickHouse is unreachable, overloaded or misconfigured (a missing table is an operator's
//    problem, not the data's) -> wait with exponential backoff and try the same batch again, forever,
//    until it lands or the service stops; nothing is skipped;
//  - split: ClickHouse rejected the data itself -> insert the halves separately, so one bad row
//    cannot hold back its neighbours;
//  - fail: a single row that ClickHouse rejects on its own -> handed back to go to the DLQ.
import { Readable } from 'node:stream';
import type { ClickHouseClient } from '../core/clickhouse.ts';
import type { Logger } from '../core/logger.ts';
import { sleep } from '../core/lifecycle.ts';

/** Error codes that mean "this data cannot be stored as it is" (ClickHouse ErrorCodes). */
const DATA_ERROR_CODES = new Set([
  '6', // CANNOT_PARSE_TEXT
  '26', // CANNOT_PARSE_QUOTED_STRING
  '27', // CANNOT_PARSE_INPUT_ASSERTION_FAILED
  '38', // CANNOT_PARSE_DATE
  '41', // CANNOT_PARSE_DATETIME
  '53', // TYPE_MISMATCH
  '69', // ARGUMENT_OUT_OF_BOUND
  '70', // CANNOT_CONVERT_TYPE
  '72', // CANNOT_PARSE_NUMBER
  '117', // INCORRECT_DATA
  '131', // TOO_LARGE_STRING_SIZE
]);

export type InsertFailure = 'retry' | 'split';

export function classifyInsertError(err: unknown): InsertFailure {
  const e = err as { code?: unknown; message?: unknown };
  const message = typeof e?.message === 'string' ? e.message : '';
  // The client takes the code from messages that end in the error's name, `(CANNOT_PARSE_TEXT)`;
  // 18.16 writes `Code: 27, e.displayText() = DB::Exception: ...` without it, so read it there.
  const code = typeof e?.code === 'string' ? e.code : /^Code: (\d+), e\.displayText\(\)/.exec(message)?.[1];
  // Rows are built by code with fixed columns, so a column the table lacks means the table is older
  // than this ingest (migrations not applied yet: `mcp-audit migrate`), not bad data: wait for it
  // rather than dead-letter every row. ClickHouse reports it as INCORRECT_DATA (117).
  if (/Unknown field found while parsing/i.test(message)) return 'retry';
  if (code && DATA_ERROR_CODES.has(code)) return 'split';
  // 252 is both "too many parts" (merges are behind: wait) and "too many partitions for a single
  // INSERT block" (rows span too many days: split); only the message tells them apart.
  if (code === '252' && /partitions for single INSERT/i.test(message)) return 'split';
  return 'retry';
}

export interface SinkOptions<T> {
  table: string;
  /** The ClickHouse row of an item; items carry more (their Kafka origin) for the DLQ. */
  toRow: (item: T) => object | string;
  /** Rows are TabSeparated lines of these columns (ingest/tsv.ts; text or UTF-8 bytes) instead of JSONEachRow objects. */
  tsvColumns?: readonly string[] | undefined;
  retryMaxMs: number;
  /** Aborted on shutdown: a retrying insert gives up and the batch stays uncommitted. */
  signal: AbortSignal;
  onRetry?: (err: unknown, attempt: number, waitMs: number) => void;
}

export class RowsSink<R> {
  private readonly ch: ClickHouseClient;
  private readonly log: Logger;
  private readonly opts: SinkOptions<R>;

  constructor(ch: ClickHouseClient, log: Logger, opts: SinkOptions<R>) {
    this.ch = ch;
    this.log = log;
    this.opts = opts;
  }

  /**
   * Inserts the rows of `items`; resolves with the items ClickHouse refused one by one (for the DLQ) once all
   * others are confirmed. Rejects only when the service is stopping (signal aborted).
   */
  async write(rows: R[]): Promise<{ rejected: { row: R; error: string }[] }> {
    const rejected: { row: R; error: string }[] = [];
    await this.writeOrSplit(rows, rejected);
    return { rejected };
  }

  private async writeOrSplit(rows: R[], rejected: { row: R; error: string }[]): Promise<void> {
    if (rows.length === 0) return;
    const failure = await this.insertWithRetry(rows);
    if (!failure) return;
    if (rows.length === 1) {
      rejected.push({ row: rows[0]!, error: failure });
      return;
    }
    const mid = rows.length >> 1;
    await this.writeOrSplit(rows.slice(0, mid), rejected);
    await this.writeOrSplit(rows.slice(mid), rejected);
  }

  private insert(rows: R[]): Promise<unknown> {
    const { table, toRow, tsvColumns } = this.opts;
    if (!tsvColumns) return this.ch.insert({ table, values: rows.map(toRow), format: 'JSONEachRow' });
    // The client takes raw formats as a byte stream; one buffer of the joined lines is one request body.
    const lines = rows.map(toRow);
    const bytes = Buffer.concat(lines.map((l) => (Buffer.isBuffer(l) ? l : Buffer.from(l as string))));
    const body = Readable.from([bytes], { objectMode: false });
    return this.ch.insert({ table, values: body, format: 'TabSeparated', columns: tsvColumns as [string, ...string[]] });
  }

  /** Returns null once inserted, or the error message when the data itself was rejected. */
  private async insertWithRetry(rows: R[]): Promise<string | null> {
    for (let attempt = 1; ; attempt++) {
      if (this.opts.signal.aborted) throw new Error('stopping: insert abandoned, batch stays uncommitted');
      try {
        await this.insert(rows);
        return null;
      } catch (err) {
        if (classifyInsertError(err) === 'split') return (err as Error).message.slice(0, 512);
        // Full jitter keeps several ingest instances from hammering a recovering server in step.
        const cap = Math.min(this.opts.retryMaxMs, 200 * 2 ** Math.min(attempt, 16));
        const waitMs = Math.round(cap / 2 + (Math.random() * cap) / 2);
        this.opts.onRetry?.(err, attempt, waitMs);
        // One warning when trouble starts, then one every 10 attempts: an outage of minutes should
        // be visible in the logs without flooding them.
        const level = attempt === 1 || attempt % 10 === 0 ? 'warn' : 'debug';
        this.log[level]({ err, attempt, waitMs, rows: rows.length }, 'ClickHouse insert failed, retrying');
        await sleep(waitMs, this.opts.signal);
      }
    }
  }
}
