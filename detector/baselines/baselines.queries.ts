// The ClickHouse side of the baseline job: the heavy grouping (one row per key x hour, one row per
// key for per-call sizes and known sets), all through core/sql.ts and inside the 18.16 subset.
// Events are read with FINAL so an event delivered twice counts once.
import { ident, join, qualified, sql, type SqlFragment } from '../../core/sql.ts';
import type { BaselineScope } from './baseline.row.ts';

export interface BaselineWindow {
  /** Epoch seconds, inclusive; an hour boundary. */
  fromSec: number;
  /** Epoch seconds, exclusive; an hour boundary (the current, incomplete hour is left out). */
  toSec: number;
}

export const scopeKeys: Record<BaselineScope, readonly ('tenant_id' | 'user_id' | 'server_name' | 'tool_name')[]> = {
  user: ['tenant_id', 'user_id'],
  tool: ['tenant_id', 'server_name', 'tool_name'],
  user_tool: ['tenant_id', 'user_id', 'tool_name'],
};

const keyList = (scope: BaselineScope): SqlFragment => join(scopeKeys[scope].map((k) => sql`${ident(k)}`), ', ');

const inWindow = (w: BaselineWindow): SqlFragment => sql`ts >= ${new Date(w.fromSec * 1000)} AND ts < ${new Date(w.toSec * 1000)}`;

/** Tool calls with a tool name; the unit all calls-per-hour baselines count. */
const TOOL_CALLS = sql`kind = 'tool_call' AND tool_name != ''`;

/**
 * One row per key x active hour: calls, argument bytes, errors and distinct resources, ordered by
 * key then hour so the job can stream it and finish one key at a time. Distinct resources are
 * the values of paths, hosts, recipients and tables (what the `baseline` rule counts live), and
 * an error is `result.status = 'error'` (denials are policy, not probing of the tool).
 */
export function hourlyQuery(database: string, scope: BaselineScope, w: BaselineWindow): SqlFragment {
  const keys = keyList(scope);
  return sql`SELECT ${keys},
      intDiv(toUInt32(ts), 3600) * 3600 AS hour,
      toUInt32(count()) AS calls,
      toUInt64(sum(args_size)) AS bytes_out,
      toUInt32(countIf(result_status = 'error')) AS errors,
      toUInt32(uniqExactArray(arrayConcat(resource_paths, resource_hosts, resource_recipients, resource_tables))) AS resources
    FROM ${qualified(database, 'events')} FINAL
    WHERE ${TOOL_CALLS} AND ${inWindow(w)}
    GROUP BY ${keys}, hour
    ORDER BY ${keys}, hour`;
}

/**
 * Result bytes per successful call, per key: exact median and p95, and the MAD in a second pass
 * over the same values (ARRAY JOIN back against the key's median). One row per key.
 */
export function perCallBytesQuery(database: string, scope: 'user' | 'tool', w: BaselineWindow): SqlFragment {
  const keys = keyList(scope);
  return sql`SELECT ${keys}, n, med, p95, quantileExact(0.5)(abs(toFloat64(x) - med)) AS mad
    FROM (
      SELECT ${keys},
        toUInt32(count()) AS n,
        toFloat64(quantileExact(0.5)(result_size)) AS med,
        toFloat64(quantileExact(0.95)(result_size)) AS p95,
        groupArray(result_size) AS xs
      FROM ${qualified(database, 'events')} FINAL
      WHERE ${TOOL_CALLS} AND result_status = 'ok' AND ${inWindow(w)}
      GROUP BY ${keys}
    )
    ARRAY JOIN xs AS x
    GROUP BY ${keys}, n, med, p95`;
}

/**
 * Per user: the fingerprints of values sent (in the arguments of calls that have a destination) on
 * at least two days of the window, the most frequent first: what the user sends routinely (a
 * signature, a phone number, boilerplate), as opposed to content that leaves once.
 */
export function userSentValuesQuery(database: string, w: BaselineWindow): SqlFragment {
  return sql`SELECT tenant_id, user_id, arraySlice(groupArray(v), 1, ${MAX_KNOWN_SENT}) AS known_sent_values
    FROM (
      SELECT tenant_id, user_id, v, uniqExact(toDate(ts)) AS days
      FROM ${qualified(database, 'events')} FINAL
      ARRAY JOIN fp_args AS v
      WHERE ${TOOL_CALLS} AND notEmpty(fp_destinations) AND ${inWindow(w)}
      GROUP BY tenant_id, user_id, v
      HAVING days >= 2
      ORDER BY tenant_id, user_id, days DESC
    )
    GROUP BY tenant_id, user_id`;
}

/** Most routinely sent values kept per user: a signature and boilerplate are a few dozen. */
export const MAX_KNOWN_SENT = 2_000;

/** Most values kept per known set: a crawling agent must not grow one baseline row without bound. */
export const MAX_KNOWN = 10_000;

/**
 * Per user: first and last event, and the known tools (of tool calls), servers (any event kind,
 * so a server that only listed its tools is known), destination hosts, destinations (fingerprints
 * of v2 events, else recipients and hosts, as destinations.ts reads an event) and credential paths.
 */
export function userSummaryQuery(database: string, w: BaselineWindow): SqlFragment {
  return sql`SELECT tenant_id, user_id,
      toUInt32(min(ts)) AS first_seen,
      toUInt32(max(ts)) AS last_seen,
      arraySlice(groupUniqArrayIf(tool_name, kind = 'tool_call' AND tool_name != ''), 1, ${MAX_KNOWN}) AS known_tools,
      arraySlice(groupUniqArray(server_name), 1, ${MAX_KNOWN}) AS known_servers,
      arraySlice(groupUniqArrayArray(resource_hosts), 1, ${MAX_KNOWN}) AS known_hosts,
      arraySlice(groupUniqArrayArray(if(notEmpty(fp_destinations), fp_destinations, arrayConcat(resource_recipients, resource_hosts))), 1, ${MAX_KNOWN}) AS known_destinations,
      arraySlice(groupUniqArrayArrayIf(resource_paths, tool_class = 'secret.read'), 1, ${MAX_KNOWN}) AS known_secret_paths
    FROM ${qualified(database, 'events')} FINAL
    WHERE ${inWindow(w)}
    GROUP BY tenant_id, user_id`;
}
