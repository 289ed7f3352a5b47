// ClickHouse over TLS on a second ClickHouse 18.16 server of our own (started by the stack's code in
// a temporary folder, on free ports) whose HTTPS port requires a client certificate signed by the test
// CA: migrations, ingest's inserts and the API all work through it with the CA and client certificate
// settings, and the API reads as the read-only user mcp_audit_api_reader while its incident status
// changes write as the services' user. A missing CA, a missing client certificate, plain HTTP to the
// HTTPS port and a bad setting all fail.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyStore } from '../api/auth/key.store.ts';
import { changeIncidentStatus } from '../api/queries/incidents.queries.ts';
import { scopeOfKey } from '../api/queries/tenant.scope.ts';
import { apiService } from '../cli/services.ts';
import { createClickHouse, type ClickHouseOptions } from '../core/clickhouse.ts';
import { ConfigError, loadConfig, type Config } from '../core/config.ts';
import type { IngestService } from '../ingest/ingest.service.ts';
import { startClickHouse, stopClickHouse, type ClickHouseInstance } from '../stack/stack.ts';
import { insertAlerts, makeChain } from './support/api.factory.ts';
import { makeEventsV2 } from './support/events.v2.factory.ts';
import { connectProducer, startIngest, waitForDistinct } from './support/ingest.harness.ts';
import { freePort } from '../stack/free.port.ts';
import { createTestEnv, queryRows, testLog, type TestEnv } from './support/test.env.ts';
import { makeCertificates, type TestCertificates } from './support/tls.certs.ts';

let certs: TestCertificates;
let server: ClickHouseInstance | undefined;
let t: TestEnv;
let ingest: IngestService | undefined;
let httpsUrl: string;

/** A client of the TLS server with `tls` in place of the test's certificate settings. */
const clientWith = (tls: Partial<NonNullable<ClickHouseOptions['tls']>>, url = httpsUrl) =>
  createClickHouse({ ...t.config.clickhouse, url, tls: { ...t.config.clickhouse.tls, ...tls } });

const failureOf = async (ch: ReturnType<typeof createClickHouse>) => {
  try {
    await ch.query({ query: 'SELECT 1', format: 'JSONEachRow' });
    return null;
  } catch (err) {
    return err as Error & { code?: string };
  } finally {
    await ch.close();
  }
};

beforeAll(async () => {
  certs = makeCertificates(mkdtempSync(join(tmpdir(), 'mcpa-certs-')));
  const httpsPort = await freePort();
  server = {
    dir: mkdtempSync(join(tmpdir(), 'mcpa-clickhouse-tls-')),
    httpPort: await freePort(),
    tcpPort: await freePort(),
    https: { port: httpsPort, certFile: certs.serverCert, keyFile: certs.serverKey, clientCaFile: certs.caCert },
  };
  await startClickHouse(server, testLog);
  httpsUrl = `https://127.0.0.1:${httpsPort}`;
  t = await createTestEnv('ch_tls', {
    MCP_AUDIT_CLICKHOUSE_URL: httpsUrl,
    MCP_AUDIT_CLICKHOUSE_TLS_CA_FILE: certs.caCert,
    MCP_AUDIT_CLICKHOUSE_TLS_CERT_FILE: certs.clientCert,
    MCP_AUDIT_CLICKHOUSE_TLS_KEY_FILE: certs.clientKey,
    // stack/clickhouse.config.ts defines it as compose's users.d/api-reader.xml does (readonly=1).
    MCP_AUDIT_API_CLICKHOUSE_USER: 'mcp_audit_api_reader',
    MCP_AUDIT_API_PORT: '0',
  });
}, 300_000);

afterAll(async () => {
  await ingest?.stop();
  await t?.clickhouse.close();
  if (server) {
    await stopClickHouse(server);
    rmSync(server.dir, { recursive: true, force: true });
  }
});

describe('ClickHouse 18.16 over HTTPS with a client certificate', () => {
  it('runs migrations, ingest inserts and queries through the TLS port', async () => {
    const [{ version }] = (await queryRows<{ version: string }>(t.clickhouse, 'SELECT version() AS version')) as [{ version: string }];
    expect(version).toMatch(/^18\.16\./);
    ingest = await startIngest(t);
    const producer = await connectProducer(t);
    const events = makeEventsV2(40, { seed: 21 });
    await producer.sendMany(events);
    await producer.disconnect();
    expect(await waitForDistinct(t, events.length, 120_000)).toBe(events.length);
  }, 180_000);

  it("serves the API with its reads as mcp_audit_api_reader and its status changes as the services' user", async () => {
    const db = t.config.clickhouse.database;
    const chain = makeChain('acme', 'alice@acme.com', Date.UTC(2026, 0, 5, 9));
    await insertAlerts(t.clickhouse, db, [chain.alert]);
    const key = (await new KeyStore(t.clickhouse, db).create('acme', ['incidents:read', 'incidents:write'], 'analyst')).key;
    const api = apiService(t.config, testLog);
    await api.start();
    try {
      const call = (path: string, body?: unknown) =>
        fetch(`${api.url()}${path}`, {
          method: body ? 'POST' : 'GET',
          headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
          ...(body ? { body: JSON.stringify(body) } : {}),
        });
      const list = await call('/v1/incidents');
      expect(list.status, await list.clone().text()).toBe(200);
      expect(((await list.json()) as { items: { incident_id: string }[] }).items.map((i) => i.incident_id)).toEqual([chain.alert.incident_id]);
      const change = await call(`/v1/incidents/${chain.alert.incident_id}/status`, { action: 'acknowledge', note: 'looking' });
      expect(change.status, await change.clone().text()).toBe(200);
      const detail = (await (await call(`/v1/incidents/${chain.alert.incident_id}`)).json()) as { incident: { status: string }; actor: string };
      expect(detail.incident.status).toBe('acknowledged');
      expect(detail.actor).toMatch(/^analyst \(key /);
    } finally {
      await api.stop();
    }
  }, 120_000);

  it('the API reader is read-only: the same status change through it is refused (negative control)', async () => {
    const reader = createClickHouse({ ...t.config.clickhouse, ...t.config.api.clickhouseReader! });
    try {
      expect(await queryRows(reader, `SELECT count() AS n FROM ${t.config.clickhouse.database}.incidents`)).toHaveLength(1);
      const change = { incidentId: 'x'.repeat(64), userId: 'u', sessionId: 's', status: 'resolved' as const, note: '', actor: 'a', atMs: Date.now() };
      await expect(changeIncidentStatus(reader, scopeOfKey('acme', t.config.clickhouse.database), change)).rejects.toThrow(/readonly/i);
    } finally {
      await reader.close();
    }
  });

  it('fails without the CA, without the client certificate, and over plain HTTP', async () => {
    expect((await failureOf(clientWith({ caFile: '' })))?.code).toBe('SELF_SIGNED_CERT_IN_CHAIN');
    // The server requires a client certificate (verificationMode strict): the handshake is cut.
    expect(await failureOf(clientWith({ certFile: '', keyFile: '' }))).not.toBeNull();
    expect(await failureOf(clientWith({}, httpsUrl.replace('https:', 'http:')))).not.toBeNull();
    // Positive control: the same query with all three settings.
    expect(await failureOf(clientWith({}))).toBeNull();
  });

  it('stops on settings that cannot work, naming them', () => {
    const base = { ...t.env, MCP_AUDIT_CLICKHOUSE_URL: httpsUrl };
    const problem = (env: Record<string, string>, build?: (c: Config) => unknown) => {
      try {
        const c = loadConfig({ ...process.env, ...base, ...env });
        build?.(c);
        return '';
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return (err as Error).message;
      }
    };
    expect(problem({ MCP_AUDIT_CLICKHOUSE_URL: 'http://127.0.0.1:8123' })).toMatch(/MCP_AUDIT_CLICKHOUSE_TLS_CA_FILE, .* MCP_AUDIT_CLICKHOUSE_URL must start with https:/);
    expect(problem({ MCP_AUDIT_CLICKHOUSE_TLS_KEY_FILE: '' })).toMatch(/MCP_AUDIT_CLICKHOUSE_TLS_CERT_FILE and MCP_AUDIT_CLICKHOUSE_TLS_KEY_FILE go together/);
    expect(problem({ MCP_AUDIT_CLICKHOUSE_TLS_CA_FILE: '/nonexistent/ca.pem' }, (c) => createClickHouse(c.clickhouse))).toMatch(
      /MCP_AUDIT_CLICKHOUSE_TLS_CA_FILE=\/nonexistent\/ca.pem: cannot read it \(ENOENT\)/,
    );
    expect(problem({ MCP_AUDIT_CLICKHOUSE_TLS_CA_FILE: certs.keystore }, (c) => createClickHouse(c.clickhouse))).toMatch(/expected a PEM file/);
  });
});
