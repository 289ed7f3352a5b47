// API keys in ClickHouse `api_keys` (migrations/0004_api_keys.sql): create, list, revoke, find.
// Only the sha256 of a secret is ever stored; the whole key is returned once, by `create`.
import type { ClickHouseClient } from '../../core/clickhouse.ts';
import { qualified, sql } from '../../core/sql.ts';
import { readRows } from '../../core/clickhouse.rows.ts';
import { generateKey } from './api.key.ts';
import type { Scope } from './scopes.ts';

export interface ApiKeyRecord {
  key_id: string;
  tenant_id: string;
  name: string;
  scopes: string[];
  secret_sha256: string;
  created_at: number;
  revoked: boolean;
  revoked_at: number | null;
}

interface Row {
  key_id: string;
  tenant_id: string;
  name: string;
  scopes: string[];
  secret_sha256: string;
  created_at: string | number;
  revoked: number;
  revoked_at: string | number;
  version: string | number;
}

const COLUMNS = sql`key_id, tenant_id, name, scopes, secret_sha256, toUInt32(created_at) AS created_at, revoked, toUInt32(revoked_at) AS revoked_at, version`;

function toRecord(r: Row): ApiKeyRecord {
  return {
    key_id: r.key_id,
    tenant_id: r.tenant_id,
    name: r.name,
    scopes: r.scopes,
    secret_sha256: r.secret_sha256,
    created_at: Number(r.created_at),
    revoked: Number(r.revoked) === 1,
    revoked_at: Number(r.revoked) === 1 ? Number(r.revoked_at) : null,
  };
}

export class KeyStore {
  private readonly ch: ClickHouseClient;
  private readonly database: string;

  constructor(ch: ClickHouseClient, database: string) {
    this.ch = ch;
    this.database = database;
  }

  /** Creates a key; the returned `key` is the only time the secret exists outside the caller. */
  async create(tenantId: string, scopes: readonly Scope[], name: string): Promise<{ key: string; record: ApiKeyRecord }> {
    const { key, keyId, secretSha256 } = generateKey();
    const now = Math.floor(Date.now() / 1000);
    const row = { key_id: keyId, tenant_id: tenantId, name, scopes: [...scopes], secret_sha256: secretSha256, created_at: now, revoked: 0, revoked_at: 0, version: 1 };
    await this.ch.insert({ table: qualified(this.database, 'api_keys').text, values: [row], format: 'JSONEachRow' });
    return { key, record: toRecord(row) };
  }

  async find(keyId: string): Promise<ApiKeyRecord | null> {
    const found = await readRows<Row>(this.ch, sql`SELECT ${COLUMNS} FROM ${qualified(this.database, 'api_keys')} FINAL WHERE key_id = ${keyId} LIMIT 1`);
    return found[0] ? toRecord(found[0]) : null;
  }

  async list(tenantId?: string): Promise<ApiKeyRecord[]> {
    const where = tenantId === undefined ? sql`1` : sql`tenant_id = ${tenantId}`;
    const found = await readRows<Row>(this.ch, sql`SELECT ${COLUMNS} FROM ${qualified(this.database, 'api_keys')} FINAL WHERE ${where} ORDER BY tenant_id, created_at, key_id`);
    return found.map(toRecord);
  }

  /** Marks a key revoked (a newer row version); false if there is no such key. */
  async revoke(keyId: string): Promise<boolean> {
    const found = await readRows<Row>(this.ch, sql`SELECT ${COLUMNS} FROM ${qualified(this.database, 'api_keys')} FINAL WHERE key_id = ${keyId} LIMIT 1`);
    const current = found[0];
    if (!current) return false;
    const now = Math.floor(Date.now() / 1000);
    const row = {
      ...current,
      created_at: Number(current.created_at),
      revoked: 1,
      revoked_at: now,
      // Higher than any earlier version of this key, so ReplacingMergeTree keeps the revocation.
      version: Math.max(Number(current.version) + 1, Date.now()),
    };
    await this.ch.insert({ table: qualified(this.database, 'api_keys').text, values: [row], format: 'JSONEachRow' });
    return true;
  }
}
