// `ALTER TABLE db.t ADD COLUMN IF NOT EXISTS c Type` on a single ClickHouse server of any version.
// 18.16 (the server on these machines) has no `IF NOT EXISTS` for columns, so the runner asks
// system.columns first and sends the statement without the clause only when the column is missing.
import type { ClickHouseClient } from '../core/clickhouse.ts';
import { readRows } from '../core/clickhouse.rows.ts';
import { sql } from '../core/sql.ts';

export interface AddColumn {
  database: string;
  table: string;
  column: string;
  /** The same statement without `IF NOT EXISTS`, which every version understands. */
  plain: string;
}

const PART = '`?([A-Za-z_][A-Za-z0-9_]*)`?';
const ADD = new RegExp(`^(ALTER\\s+TABLE\\s+${PART}\\.${PART}\\s+ADD\\s+COLUMN\\s+)IF\\s+NOT\\s+EXISTS\\s+(${PART}\\s.*)$`, 'is');

/** The parts of an add-column-if-missing statement, or null for any other statement. */
export function parseAddColumn(statement: string): AddColumn | null {
  const m = ADD.exec(statement.trim());
  if (!m) return null;
  const [, head, database, table, rest, column] = m as unknown as [string, string, string, string, string, string];
  // One column per statement, so that re-running a half-applied migration adds exactly what is missing.
  if (/,\s*ADD\s+COLUMN\b/i.test(rest)) throw new Error(`one ADD COLUMN IF NOT EXISTS per statement: ${statement.slice(0, 120)}`);
  return { database, table, column, plain: `${head}${rest}` };
}

export async function columnExists(ch: ClickHouseClient, c: Pick<AddColumn, 'database' | 'table' | 'column'>): Promise<boolean> {
  const [row] = await readRows<{ n: string | number }>(
    ch,
    sql`SELECT count() AS n FROM system.columns WHERE database = ${c.database} AND table = ${c.table} AND name = ${c.column}`,
  );
  return Number(row?.n ?? 0) > 0;
}
