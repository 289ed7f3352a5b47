// Tenant isolation by construction. Every API query reads a table through `fromTenant(scope, table)`,
// which renders `db.table [FINAL] WHERE tenant_id = '<tenant>'`; query builders take the scope as
// their required first argument and only append `AND ...` conditions to it. A `TenantScope` is made
// only by the authentication hook from the verified API key (`scopeOfKey`), so there is no code path
// that reads tenant data without the authenticated tenant in the WHERE clause. (The one table read
// otherwise is `baseline_runs`, which holds no tenant data: only when each baseline run completed.)
import { qualified, raw, sql, type SqlFragment } from '../../core/sql.ts';

const SCOPE = Symbol('tenant.scope');

export interface TenantScope {
  readonly [SCOPE]: true;
  readonly tenantId: string;
  readonly database: string;
}

/** Only the authentication hook calls this, with the tenant of a verified key. */
export function scopeOfKey(tenantId: string, database: string): TenantScope {
  if (!tenantId) throw new TypeError('a tenant scope needs a tenant');
  return Object.freeze({ [SCOPE]: true as const, tenantId, database });
}

/** The tables the API reads, all of which have a `tenant_id` column. */
export type TenantTable = 'events' | 'alerts' | 'signals' | 'incidents' | 'incident_history' | 'baselines';

/** `db.table [FINAL] WHERE tenant_id = '<tenant>'`: the only way API queries name a table. */
export function fromTenant(scope: TenantScope, table: TenantTable, opts: { final?: boolean } = {}): SqlFragment {
  if (scope[SCOPE] !== true) throw new TypeError('not a tenant scope');
  return sql`${qualified(scope.database, table)}${raw(opts.final ? ' FINAL' : '')} WHERE tenant_id = ${scope.tenantId}`;
}

/** The qualified table name for inserts, tied to a scope so writes also carry its tenant. */
export function tableOf(scope: TenantScope, table: TenantTable): string {
  return qualified(scope.database, table).text;
}
