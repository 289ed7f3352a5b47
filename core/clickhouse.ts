// @clickhouse/client factory. The same client talks to ClickHouse 18.16 (these machines) and to a
// current LTS (production), so nothing here may depend on settings that 18.16 does not know.
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { clickhouseTlsAgent, type ClickHouseTls } from './clickhouse.tls.ts';

export type { ClickHouseClient };

export interface ClickHouseOptions {
  url: string;
  username: string;
  password: string;
  /** Database the client works in; `null` for none (used by migrations before it exists). */
  database: string | null;
  /** Certificates for an https URL; absent or empty: Node's CA list, no client certificate. */
  tls?: ClickHouseTls | undefined;
}

/** The client's own default: concurrent requests (sockets) to one ClickHouse. */
const MAX_OPEN_CONNECTIONS = 10;

export function createClickHouse(opts: ClickHouseOptions): ClickHouseClient {
  const agent = clickhouseTlsAgent(opts.url, opts.tls, MAX_OPEN_CONNECTIONS);
  return createClient({
    url: opts.url,
    max_open_connections: MAX_OPEN_CONNECTIONS,
    ...(agent ? { http_agent: agent } : {}),
    username: opts.username,
    password: opts.password,
    ...(opts.database ? { database: opts.database } : {}),
    // 18.16 answers uncompressed unless asked; compressing our inserts costs CPU the 2-core
    // machines need for parsing, and the server is local or in the same network in production.
    compression: { request: false, response: false },
    request_timeout: 60_000,
    clickhouse_settings: {},
    // The client would print failures to stderr in its own format; callers log them as JSON with
    // context (and decide whether a failure is worth a warning at all).
    log: { level: ClickHouseLogLevel.OFF },
  });
}
