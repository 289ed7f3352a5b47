// Cluster mode of the migrations (MCP_AUDIT_CLICKHOUSE_CLUSTER, docs/scaling.md): a pure rewrite of
// each single-server statement into its cluster form, so the numbered SQL files stay written once.
//
//   CREATE DATABASE IF NOT EXISTS db            -> ... ON CLUSTER c
//   CREATE TABLE IF NOT EXISTS db.t (...) ENGINE = XMergeTree(args) ...
//     -> CREATE TABLE IF NOT EXISTS db.t_local ON CLUSTER c (...)
//          ENGINE = ReplicatedXMergeTree('/clickhouse/tables/{shard}/db/t', '{replica}', args) ...
//     -> CREATE TABLE IF NOT EXISTS db.t ON CLUSTER c AS db.t_local
//          ENGINE = Distributed('c', 'db', 't_local', <sharding key>)
//   ALTER TABLE db.t <column change>            -> on t_local and on t, both ON CLUSTER c
//
// Queries and inserts keep using `db.t` (the Distributed table), so no service changes. Anything
// the rewrite does not understand throws: a migration must never half-apply on a cluster.
// It cannot run here (no ZooKeeper/Keeper, no second server); its tests check the produced SQL.
import { quoteString } from '../core/sql.ts';

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
/** `db.table`, each part optionally in backquotes (migrate.ts writes the database quoted). */
const QUALIFIED = '`?([A-Za-z_][A-Za-z0-9_]*)`?\\.`?([A-Za-z_][A-Za-z0-9_]*)`?';

/**
 * Which shard a row goes to. Rows that ReplacingMergeTree must collapse (a replayed event, alert or
 * incident version) have to meet on one shard, so each key is a function of the table's dedup key;
 * events and alerts go by user so one user's history (what the detector rebuilds and the API
 * reads) sits on one shard.
 */
export const SHARDING_KEYS: Readonly<Record<string, string>> = {
  events: 'cityHash64(tenant_id, user_id)',
  alerts: 'cityHash64(tenant_id, user_id)',
  signals: 'cityHash64(tenant_id, user_id)',
  incidents: 'cityHash64(tenant_id, incident_id)',
  incident_history: 'cityHash64(tenant_id, incident_id)',
  api_keys: 'cityHash64(key_id)',
  baseline_runs: 'cityHash64(computed_at_ms)',
  schema_migrations: 'version',
};

/** Key for tables not listed above: by tenant when the table has a tenant_id column, else spread evenly. */
export function shardingKey(table: string, columnsSql: string): string {
  const known = SHARDING_KEYS[table];
  if (known) return known;
  return /(^|[\s(,])`?tenant_id`?\s+String\b/.test(columnsSql) ? 'cityHash64(tenant_id)' : 'rand()';
}

export interface ClusterOptions {
  cluster: string;
}

/** The cluster form of one statement (one statement may become several). Throws on what it cannot rewrite. */
export function toClusterStatements(statement: string, opts: ClusterOptions): string[] {
  const cluster = checkName(opts.cluster, 'cluster');
  const on = `ON CLUSTER ${quoteIdent(cluster)}`;
  const text = statement.trim();

  const db = new RegExp(`^CREATE\\s+DATABASE\\s+IF\\s+NOT\\s+EXISTS\\s+\`?([A-Za-z_][A-Za-z0-9_]*)\`?\\s*$`, 'i').exec(text);
  if (db) return [`CREATE DATABASE IF NOT EXISTS ${quoteIdent(db[1]!)} ${on}`];

  const table = new RegExp(`^CREATE\\s+TABLE\\s+IF\\s+NOT\\s+EXISTS\\s+${QUALIFIED}\\s*\\(`, 'i').exec(text);
  if (table) return createTable(text, table[1]!, table[2]!, table[0].length - 1, cluster, on);

  const alter = new RegExp(`^ALTER\\s+TABLE\\s+${QUALIFIED}\\s+(.*)$`, 'is').exec(text);
  if (alter) {
    const [, database, name, rest] = alter as unknown as [string, string, string, string];
    const local = `ALTER TABLE ${quoteIdent(database)}.${quoteIdent(`${name}_local`)} ${on} ${rest}`;
    // A Distributed table has the columns but no parts or indexes: column changes go to both.
    const columnChange = /^(ADD|DROP|MODIFY|RENAME|COMMENT)\s+COLUMN\b/i.test(rest.trim());
    return columnChange ? [local, `ALTER TABLE ${quoteIdent(database)}.${quoteIdent(name)} ${on} ${rest}`] : [local];
  }

  throw new Error(`cluster mode cannot rewrite this migration statement: ${text.slice(0, 120)}`);
}

function createTable(text: string, database: string, name: string, openParen: number, cluster: string, on: string): string[] {
  const closeParen = matchingParen(text, openParen);
  const columns = text.slice(openParen, closeParen + 1);
  const tail = text.slice(closeParen + 1);
  const engine = /^\s*ENGINE\s*=\s*(Replacing|Summing|Aggregating|Collapsing|VersionedCollapsing)?MergeTree\s*\(/i.exec(tail);
  if (!engine) throw new Error(`cluster mode supports only *MergeTree tables, not: ${tail.trim().slice(0, 80)}`);
  const argsOpen = engine[0].length - 1;
  const argsClose = matchingParen(tail, argsOpen);
  const args = tail.slice(argsOpen + 1, argsClose).trim();
  const settings = tail.slice(argsClose + 1);

  const local = `${name}_local`;
  // The ZooKeeper path names the logical table (not `_local`); {shard} and {replica} are each
  // server's macros, so all replicas of one shard share a path and every shard has its own.
  const path = quoteString(`/clickhouse/tables/{shard}/${database}/${name}`);
  const replicated = `Replicated${engine[1] ?? ''}MergeTree(${[path, quoteString('{replica}'), ...(args ? [args] : [])].join(', ')})`;
  const target = `${quoteIdent(database)}.${quoteIdent(name)}`;
  const localTarget = `${quoteIdent(database)}.${quoteIdent(local)}`;
  return [
    `CREATE TABLE IF NOT EXISTS ${localTarget} ${on} ${columns}\nENGINE = ${replicated}${settings}`,
    `CREATE TABLE IF NOT EXISTS ${target} ${on} AS ${localTarget}\nENGINE = Distributed(${[cluster, database, local].map(quoteString).join(', ')}, ${shardingKey(name, columns)})`,
  ];
}

/** Index of the `)` that closes the `(` at `open`, skipping quoted strings. */
function matchingParen(text: string, open: number): number {
  let depth = 0;
  let quote: string | null = null;
  for (let i = open; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
    } else if (c === "'" || c === '`' || c === '"') quote = c;
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i;
  }
  throw new Error(`unbalanced parentheses in migration statement: ${text.slice(0, 80)}`);
}

function checkName(name: string, what: string): string {
  if (!NAME.test(name)) throw new TypeError(`not a plain ${what} name: ${JSON.stringify(name.slice(0, 80))}`);
  return name;
}

function quoteIdent(name: string): string {
  return '`' + checkName(name, 'identifier') + '`';
}
