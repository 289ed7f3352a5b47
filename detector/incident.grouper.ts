// Groups alerts into incidents: alerts of one user that arrive within `gapMs` of the previous one
// share an incident. The incident id is derived from the first alert (deterministic), so a detector
// that rebuilds the same history assigns the same ids. After a restart, `rebuild` reads each
// user's latest alert from ClickHouse, so an incident that was open before the crash continues.
import type { ClickHouseClient } from '../core/clickhouse.ts';
import { readRows } from '../core/clickhouse.rows.ts';
import { qualified, sql } from '../core/sql.ts';
import { incidentId } from '../schemas/alert.v1.ts';

interface Open {
  incidentId: string;
  lastAlertMs: number;
}

export class IncidentGrouper {
  private readonly open = new Map<string, Open>();
  private readonly gapMs: number;

  constructor(gapMs: number) {
    this.gapMs = gapMs;
  }

  /** The incident of a new alert at event time `tsMs` for this tenant and user. */
  assign(tenantId: string, userId: string, alertId: string, tsMs: number): string {
    const scope = `${tenantId}:${userId}`;
    const current = this.open.get(scope);
    if (current && tsMs - current.lastAlertMs <= this.gapMs && tsMs >= current.lastAlertMs - this.gapMs) {
      current.lastAlertMs = Math.max(current.lastAlertMs, tsMs);
      return current.incidentId;
    }
    const id = incidentId(tenantId, scope, alertId);
    this.open.set(scope, { incidentId: id, lastAlertMs: tsMs });
    return id;
  }

  /** Forget incidents whose last alert is older than the gap (bounded memory). */
  expire(nowMs: number): void {
    for (const [scope, o] of this.open) if (nowMs - o.lastAlertMs > this.gapMs) this.open.delete(scope);
  }

  size(): number {
    return this.open.size;
  }

  /** Loads the latest incident of every user whose last alert is within the gap of `nowMs`. */
  async rebuild(ch: ClickHouseClient, database: string, nowMs: number): Promise<number> {
    const since = Math.floor((nowMs - this.gapMs) / 1000);
    const rows = await readRows<{ tenant_id: string; user_id: string; incident_id: string; last_ms: string }>(
      ch,
      sql`SELECT tenant_id, user_id, argMax(incident_id, ts_ms) AS incident_id, max(ts_ms) AS last_ms
        FROM ${qualified(database, 'alerts')} WHERE ts >= toDateTime(${since})
        GROUP BY tenant_id, user_id`,
    );
    this.open.clear();
    for (const r of rows) this.open.set(`${r.tenant_id}:${r.user_id}`, { incidentId: r.incident_id, lastAlertMs: Number(r.last_ms) });
    return rows.length;
  }
}
