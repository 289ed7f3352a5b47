// Runs a `sql` fragment and returns its rows. The only place the API hands SQL to ClickHouse.
import type { ClickHouseClient } from '../../core/clickhouse.ts';
import type { SqlFragment } from '../../core/sql.ts';

/**
 * A keep-alive socket the server closed just as the client reused it (ClickHouse closes idle
 * connections after keep_alive_timeout; a busy event loop can miss the client's own idle timer).
 * Nothing reached the server, and these are read-only queries, so one retry is safe.
 */
function isStaleSocket(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | null;
  return e?.code === 'ECONNRESET' || e?.code === 'EPIPE' || /socket hang up/i.test(e?.message ?? '');
}

export async function rows<T>(ch: ClickHouseClient, query: SqlFragment): Promise<T[]> {
  const run = async () => (await ch.query({ query: query.text, format: 'JSONEachRow' })).json<T>();
  try {
    return await run();
  } catch (err) {
    if (!isStaleSocket(err)) throw err;
    return run();
  }
}
