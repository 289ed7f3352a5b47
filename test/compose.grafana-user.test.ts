// The read-only ClickHouse users of Grafana and of the API's reads (dashboards/provisioning/clickhouse/
// users.d/grafana-readonly.xml and api-reader.xml, mounted into the compose ClickHouse) loaded by a
// current ClickHouse engine in this process (chdb) the way the server loads users.d: the files parse,
// the passwords come from the environment, the profiles are read-only with bounded settings, and the
// only grant is SELECT on the mcp_audit database.
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session } from 'chdb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const USERS_D = join(import.meta.dirname, '..', 'dashboards', 'provisioning', 'clickhouse', 'users.d');
const USER = 'mcp_audit_grafana';

let dir: string;
let session: Session;
const rows = <T>(sql: string): T[] =>
  session
    .query(sql, 'JSONEachRow')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as T);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mcp-audit-ch-users-'));
  // The image's users.xml, reduced to its default user (here allowed to inspect users); users.d
  // beside it is merged in, as on the server.
  writeFileSync(
    join(dir, 'users.xml'),
    '<clickhouse><profiles><default/></profiles><quotas><default/></quotas><users><default><password/><profile>default</profile><quota>default</quota><access_management>1</access_management></default></users></clickhouse>',
  );
  cpSync(USERS_D, join(dir, 'users.d'), { recursive: true });
  writeFileSync(join(dir, 'config.xml'), `<clickhouse><users_config>${join(dir, 'users.xml')}</users_config></clickhouse>`);
  mkdirSync(join(dir, 'data'));
  // compose passes it to the ClickHouse container; the file reads it with from_env.
  process.env.MCP_AUDIT_GRAFANA_CLICKHOUSE_PASSWORD = 'grafana-test-password';
  process.env.MCP_AUDIT_API_CLICKHOUSE_PASSWORD = 'api-reader-test-password';
  session = new Session(join(dir, 'data'), { connectionArgs: [`--config-file=${join(dir, 'config.xml')}`] });
});

afterAll(() => {
  session?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("Grafana's ClickHouse user", () => {
  it('exists with a password', () => {
    expect(rows<{ name: string; auth_type: string[] }>(`SELECT name, auth_type FROM system.users WHERE name = '${USER}'`)).toEqual([
      { name: USER, auth_type: ['plaintext_password'] },
    ]);
  });

  it('may only SELECT from the mcp_audit database: no writes, no DDL, no table functions', () => {
    const grants = rows<Record<string, string>>(`SHOW GRANTS FOR ${USER}`).map((r) => Object.values(r)[0]);
    expect(grants).toEqual([`GRANT SELECT ON mcp_audit.* TO ${USER}`]);
  });

  it('runs with a read-only profile whose settings are bounded', () => {
    const [user] = rows<{ profile: string }>(`SELECT inherit_profile AS profile FROM system.settings_profile_elements WHERE user_name = '${USER}'`);
    expect(user!.profile).toBe('mcp_audit_readonly');
    const elements = rows<{ setting_name: string; value: string; max: string | null; writability: string | null }>(
      `SELECT setting_name, value, max, writability FROM system.settings_profile_elements WHERE profile_name = '${user!.profile}' ORDER BY setting_name`,
    );
    expect(elements).toEqual([
      { setting_name: 'max_execution_time', value: '60', max: '600', writability: null },
      { setting_name: 'max_memory_usage', value: '4000000000', max: null, writability: 'CONST' },
      // 2, not 1: the Grafana plugin sets max_execution_time on every query, which readonly=1 refuses.
      { setting_name: 'readonly', value: '2', max: null, writability: null },
    ]);
  });
});

describe("the API's read-only ClickHouse user", () => {
  const API_USER = 'mcp_audit_api_reader';

  it('exists with a password, and may only SELECT from the mcp_audit database', () => {
    expect(rows<{ name: string; auth_type: string[] }>(`SELECT name, auth_type FROM system.users WHERE name = '${API_USER}'`)).toEqual([
      { name: API_USER, auth_type: ['plaintext_password'] },
    ]);
    const grants = rows<Record<string, string>>(`SHOW GRANTS FOR ${API_USER}`).map((r) => Object.values(r)[0]);
    expect(grants).toEqual([`GRANT SELECT ON mcp_audit.* TO ${API_USER}`]);
  });

  it('runs with readonly=1: no writes and no setting changes', () => {
    const [user] = rows<{ profile: string }>(`SELECT inherit_profile AS profile FROM system.settings_profile_elements WHERE user_name = '${API_USER}'`);
    expect(user!.profile).toBe('mcp_audit_api_readonly');
    const elements = rows<{ setting_name: string; value: string }>(
      `SELECT setting_name, value FROM system.settings_profile_elements WHERE profile_name = '${user!.profile}' ORDER BY setting_name`,
    );
    expect(elements).toEqual([
      { setting_name: 'max_execution_time', value: '60' },
      { setting_name: 'max_memory_usage', value: '4000000000' },
      { setting_name: 'readonly', value: '1' },
    ]);
  });
});
