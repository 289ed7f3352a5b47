// A current ClickHouse engine in this process (chdb, the npm package; its engine library is the
// @chdb/lib-* package npm installs beside it) behind the same @clickhouse/client the services use,
// through the client's `connection` option. Every statement sent through it is recorded with the
// project source files on its call stack, so the modern-ClickHouse lane can check that it reached
// every module that talks to ClickHouse.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createClient } from '@clickhouse/client';
import { createChdbConnection } from 'chdb/connection';
import type { ClickHouseClient } from '../../core/clickhouse.ts';

/** The compose image's line (docker-compose.yml, clickhouse/clickhouse-server:25.8): the engine behaves as that release. */
export const COMPATIBILITY = '25.8';

const ROOT = join(import.meta.dirname, '..', '..');

export interface SentStatement {
  kind: 'query' | 'command' | 'insert' | 'exec';
  /** The SQL, or `INSERT INTO <table>` for an insert. */
  sql: string;
  /** Project files (relative, outside test/ and node_modules) on the call stack, innermost first. */
  callers: string[];
}

export interface ChdbEngine {
  /** A client on the engine's data directory, working in `database` (null for none), as core/clickhouse.ts makes them; `settings` add to the compatibility. */
  client(database: string | null, settings?: Record<string, string | number>): ClickHouseClient;
  /** Everything sent by every client of this engine, in order. */
  sent: SentStatement[];
  /** Closes the clients and removes the data directory. */
  close(): Promise<void>;
}

function callers(stack: string | undefined): string[] {
  const files: string[] = [];
  for (const m of (stack ?? '').matchAll(/(?:file:\/\/)?(\/[^\s():]+\.ts):\d+/g)) {
    const rel = relative(ROOT, m[1]!);
    if (rel.startsWith('..') || rel.startsWith('node_modules') || rel.startsWith('test/')) continue;
    if (!files.includes(rel)) files.push(rel);
  }
  return files;
}

/** One engine on a fresh data directory; its clients share it (chdb binds one directory per process). */
export function createChdbEngine(): ChdbEngine {
  const dir = mkdtempSync(join(tmpdir(), 'mcp-audit-chdb-'));
  const sent: SentStatement[] = [];
  const clients: ClickHouseClient[] = [];
  const record = (kind: SentStatement['kind'], sql: string) => sent.push({ kind, sql, callers: callers(new Error().stack) });
  return {
    sent,
    client(database, settings = {}) {
      const inner = createClient({
        // chdb re-exports @clickhouse/client-common's Connection type from its own copy of that package.
        connection: createChdbConnection({ path: dir }) as unknown as NonNullable<Parameters<typeof createClient>[0]>['connection'],
        ...(database ? { database } : {}),
        clickhouse_settings: { compatibility: COMPATIBILITY, ...settings } as Record<string, string>,
      });
      clients.push(inner);
      return recording(inner, record);
    },
    close: async () => {
      for (const c of clients) await c.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The client with query, command, exec and insert recorded before they run. */
function recording(inner: ClickHouseClient, record: (kind: SentStatement['kind'], sql: string) => void): ClickHouseClient {
  return new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      const call = value as (p: unknown) => unknown;
      if (prop === 'query' || prop === 'command' || prop === 'exec') {
        return (params: { query: string }) => {
          record(prop, params.query);
          return call.call(target, params);
        };
      }
      if (prop === 'insert') {
        return (params: { table: string }) => {
          record('insert', `INSERT INTO ${params.table}`);
          return call.call(target, params);
        };
      }
      return call.bind(target);
    },
  });
}
