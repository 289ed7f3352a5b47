// Applies the numbered SQL files in this folder, in order, and records each one in
// `schema_migrations`. Every statement is written to be re-runnable (IF NOT EXISTS), so a migration
// cut off half way is simply applied again; one already recorded is skipped.
import { readdir, readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { ClickHouseClient } from '../core/clickhouse.ts';
import { readRows } from '../core/clickhouse.rows.ts';
import type { Logger } from '../core/logger.ts';
import { ident, qualified, sql } from '../core/sql.ts';
import { columnExists, parseAddColumn } from './add.column.ts';
import { toClusterStatements } from './cluster.ts';

const DIR = import.meta.dirname;

export interface Migration {
  version: number;
  name: string;
  checksum: string;
  statements: string[];
}

/** Reads `NNNN_name.sql` files; `{{database}}` becomes the quoted database identifier. */
export async function loadMigrations(database: string, dir = DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f)).sort();
  const db = ident(database).text;
  return Promise.all(
    files.map(async (file) => {
      const text = await readFile(join(dir, file), 'utf8');
      return {
        version: Number(file.slice(0, 4)),
        name: file.replace(/\.sql$/, ''),
        checksum: createHash('sha256').update(text).digest('hex'),
        statements: splitStatements(text.replaceAll('{{database}}', db)),
      };
    }),
  );
}

/** Statements end with `;` at the end of a line; `--` comment lines are dropped. */
export function splitStatements(text: string): string[] {
  const body = text
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('--'))
    .join('\n');
  return body
    .split(/;\s*$/m)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Runs one migration statement, in its cluster form when `cluster` is set. */
export async function runStatement(ch: ClickHouseClient, statement: string, opts: { cluster?: string } = {}): Promise<void> {
  // Cluster mode (docs/scaling.md): every statement is rewritten to its ON CLUSTER, replicated form.
  if (opts.cluster) {
    for (const query of toClusterStatements(statement, { cluster: opts.cluster })) await ch.command({ query });
    return;
  }
  const add = parseAddColumn(statement);
  if (add && (await columnExists(ch, add))) return;
  await ch.command({ query: add ? add.plain : statement });
}

export async function migrate(
  ch: ClickHouseClient,
  database: string,
  log: Logger,
  opts: { cluster?: string } = {},
): Promise<{ applied: string[]; skipped: string[] }> {
  const run = (statement: string) => runStatement(ch, statement, opts);
  await run(sql`CREATE DATABASE IF NOT EXISTS ${ident(database)}`.text);
  const table = qualified(database, 'schema_migrations');
  await run(
    sql`CREATE TABLE IF NOT EXISTS ${table} (version UInt32, name String, checksum String, applied_at DateTime)
      ENGINE = ReplacingMergeTree() ORDER BY version`.text,
  );
  const rows = await readRows<{ version: number }>(ch, sql`SELECT version FROM ${table} FINAL`);
  const done = new Set(rows.map((r) => Number(r.version)));

  const applied: string[] = [];
  const skipped: string[] = [];
  for (const m of await loadMigrations(database)) {
    if (done.has(m.version)) {
      skipped.push(m.name);
      continue;
    }
    log.info({ migration: m.name, statements: m.statements.length }, 'applying migration');
    for (const statement of m.statements) await run(statement);
    await ch.insert({
      table: `${database}.schema_migrations`,
      values: [{ version: m.version, name: m.name, checksum: m.checksum, applied_at: Math.floor(Date.now() / 1000) }],
      format: 'JSONEachRow',
    });
    applied.push(m.name);
  }
  return { applied, skipped };
}
