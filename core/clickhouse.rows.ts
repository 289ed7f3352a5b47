// The one way rows are read from ClickHouse: a `sql` fragment in, JSONEachRow rows out, with one
// retry when the request went out on a socket the server had already closed.
//
//   readRows<T>(ch, query)     every row at once (small and bounded answers)
//   streamRows<T>(ch, query)   row by row, for answers too large to hold (the baseline aggregates)
import type { ClickHouseClient } from './clickhouse.ts';
import type { SqlFragment } from './sql.ts';

/**
 * A keep-alive socket the server closed just as the client reused it (ClickHouse closes idle
 * connections after keep_alive_timeout; a busy event loop can miss the client's own idle timer).
 * Nothing reached the server, and these are read-only queries, so one retry is safe.
 */
export function isStaleSocket(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | null;
  return e?.code === 'ECONNRESET' || e?.code === 'EPIPE' || /socket hang up/i.test(e?.message ?? '');
}

async function retryStaleSocketOnce<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (!isStaleSocket(err)) throw err;
    return run();
  }
}

/** All rows of a read-only query. */
export function readRows<T>(ch: ClickHouseClient, query: SqlFragment): Promise<T[]> {
  return retryStaleSocketOnce(async () => (await ch.query({ query: query.text, format: 'JSONEachRow' })).json<T>());
}

/**
 * The rows of a read-only query one at a time, without holding the whole answer. Only opening the
 * request is retried: once rows have been handed out, a failure ends the stream with the error.
 */
export async function* streamRows<T>(ch: ClickHouseClient, query: SqlFragment): AsyncGenerator<T> {
  const rs = await retryStaleSocketOnce(() => ch.query({ query: query.text, format: 'JSONEachRow' }));
  for await (const chunk of rs.stream()) for (const row of chunk) yield row.json<T>();
}
