import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compositePaths, ConfigError, loadConfig, PROJECT_ROOT, settings } from './config.ts';

describe('configuration', () => {
  it('has sensible defaults for every setting', () => {
    const c = loadConfig({});
    expect(c.kafka.brokers).toEqual(['127.0.0.1:9092']);
    expect(c.topics.events).toBe('mcp.audit.events');
    expect(c.event.maxBytes).toBe(65_536);
    expect(c.stack.kafkaVersion).toBe('3.9.2');
  });

  it('stops with a message naming each bad variable', () => {
    expect(() => loadConfig({ MCP_AUDIT_INGEST_BATCH_ROWS: 'many', MCP_AUDIT_KAFKA_BROKERS: 'nohostport' })).toThrow(ConfigError);
    try {
      loadConfig({ MCP_AUDIT_INGEST_BATCH_ROWS: 'many', MCP_AUDIT_KAFKA_BROKERS: 'nohostport' });
    } catch (err) {
      expect((err as Error).message).toContain('MCP_AUDIT_INGEST_BATCH_ROWS');
      expect((err as Error).message).toContain('MCP_AUDIT_KAFKA_BROKERS');
    }
  });

  it('never echoes a secret value in its error', () => {
    expect(() => loadConfig({ MCP_AUDIT_CLICKHOUSE_PASSWORD: 'x'.repeat(0), MCP_AUDIT_CLICKHOUSE_URL: 'not a url' })).toThrow(
      /MCP_AUDIT_CLICKHOUSE_URL/,
    );
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ MCP_AUDIT_INGEST_FLUSH_MS: '' }).ingest.flushMs).toBe(1_000);
  });

  it('shapes the secured Kafka and ClickHouse settings, resolving files against the project folder', () => {
    const c = loadConfig({
      MCP_AUDIT_KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
      MCP_AUDIT_KAFKA_SASL_USERNAME: 'svc',
      MCP_AUDIT_KAFKA_SASL_PASSWORD: 'pw',
      MCP_AUDIT_KAFKA_TLS: 'true',
      MCP_AUDIT_KAFKA_TLS_CA_FILE: 'certs/ca.pem',
      MCP_AUDIT_CLICKHOUSE_URL: 'https://ch.example:8443',
      MCP_AUDIT_CLICKHOUSE_TLS_CA_FILE: '/etc/ch/ca.pem',
      MCP_AUDIT_API_CLICKHOUSE_USER: 'mcp_audit_api_reader',
    });
    expect(c.kafka.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'svc', password: 'pw' });
    expect(c.kafka.tls).toEqual({ caFile: `${PROJECT_ROOT}certs/ca.pem`, certFile: '', keyFile: '', servername: '', rejectUnauthorized: true });
    expect(c.clickhouse.tls).toEqual({ caFile: '/etc/ch/ca.pem', certFile: '', keyFile: '' });
    expect(c.api.clickhouseReader).toEqual({ username: 'mcp_audit_api_reader', password: '' });
    // Unset: no SASL, no TLS, and the API reads as the services' user.
    const d = loadConfig({});
    expect([d.kafka.sasl, d.kafka.tls, d.api.clickhouseReader]).toEqual([undefined, undefined, undefined]);
  });

  it('refuses secured settings that only work together, naming them', () => {
    const problem = (env: Record<string, string>) => {
      try {
        loadConfig(env);
        return '';
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return (err as Error).message;
      }
    };
    expect(problem({ MCP_AUDIT_KAFKA_SASL_MECHANISM: 'plain', MCP_AUDIT_KAFKA_SASL_USERNAME: 'svc' })).toMatch(
      /MCP_AUDIT_KAFKA_SASL_MECHANISM=plain needs MCP_AUDIT_KAFKA_SASL_USERNAME and MCP_AUDIT_KAFKA_SASL_PASSWORD/,
    );
    expect(problem({ MCP_AUDIT_KAFKA_SASL_USERNAME: 'svc', MCP_AUDIT_KAFKA_SASL_PASSWORD: 'pw' })).toMatch(/MCP_AUDIT_KAFKA_SASL_MECHANISM is none/);
    expect(problem({ MCP_AUDIT_KAFKA_SASL_MECHANISM: 'gssapi' })).toMatch(/MCP_AUDIT_KAFKA_SASL_MECHANISM="gssapi"/);
    expect(problem({ MCP_AUDIT_KAFKA_TLS_CA_FILE: 'ca.pem', MCP_AUDIT_KAFKA_TLS_REJECT_UNAUTHORIZED: 'false' })).toMatch(
      /MCP_AUDIT_KAFKA_TLS_CA_FILE, MCP_AUDIT_KAFKA_TLS_REJECT_UNAUTHORIZED apply to TLS only: set MCP_AUDIT_KAFKA_TLS=true/,
    );
    expect(problem({ MCP_AUDIT_KAFKA_TLS: 'true', MCP_AUDIT_KAFKA_TLS_CERT_FILE: 'c.pem' })).toMatch(/MCP_AUDIT_KAFKA_TLS_CERT_FILE and MCP_AUDIT_KAFKA_TLS_KEY_FILE go together/);
    expect(problem({ MCP_AUDIT_CLICKHOUSE_TLS_CA_FILE: 'ca.pem' })).toMatch(/MCP_AUDIT_CLICKHOUSE_URL must start with https:/);
    expect(problem({ MCP_AUDIT_API_CLICKHOUSE_PASSWORD: 'x' })).toMatch(/without MCP_AUDIT_API_CLICKHOUSE_USER/);
  });

  it('hides the Kafka and API ClickHouse passwords in its errors and in `mcp-audit config`', () => {
    expect(settings.MCP_AUDIT_KAFKA_SASL_PASSWORD.secret).toBe(true);
    expect(settings.MCP_AUDIT_API_CLICKHOUSE_PASSWORD.secret).toBe(true);
    expect(() => loadConfig({ MCP_AUDIT_KAFKA_SASL_PASSWORD: 'p'.repeat(5000) })).toThrow(/MCP_AUDIT_KAFKA_SASL_PASSWORD=\(hidden\)/);
    const shown = execFileSync(process.execPath, [fileURLToPath(new URL('../bin/mcp-audit.js', import.meta.url)), 'config'], {
      env: { ...process.env, MCP_AUDIT_KAFKA_SASL_MECHANISM: 'scram-sha-256', MCP_AUDIT_KAFKA_SASL_USERNAME: 'svc', MCP_AUDIT_KAFKA_SASL_PASSWORD: 'kafka-pw-123', MCP_AUDIT_API_CLICKHOUSE_USER: 'r', MCP_AUDIT_API_CLICKHOUSE_PASSWORD: 'ch-pw-456' },
      encoding: 'utf8',
    });
    expect(JSON.parse(shown)).toMatchObject({ MCP_AUDIT_KAFKA_SASL_PASSWORD: '(hidden)', MCP_AUDIT_API_CLICKHOUSE_PASSWORD: '(hidden)', MCP_AUDIT_KAFKA_SASL_USERNAME: 'svc' });
    expect(shown).not.toMatch(/kafka-pw-123|ch-pw-456/);
  });

  it('MCP_AUDIT_NAME_PREFIX prefixes the default topics and groups, and keeps names set explicitly', () => {
    const c = loadConfig({ MCP_AUDIT_NAME_PREFIX: 'staging.', MCP_AUDIT_TOPIC_ALERTS: 'custom.alerts' });
    expect(c.topics).toMatchObject({ events: 'staging.mcp.audit.events', eventsDlq: 'staging.mcp.audit.events.dlq', alerts: 'custom.alerts', signals: 'staging.mcp.audit.signals' });
    expect(c.ingest.groupId).toBe('staging.ingest');
    expect(c.detector.groupId).toBe('staging.detector');
    expect(c.notifier.groupId).toBe('staging.notifier');
    expect(loadConfig({}).topics.events).toBe('mcp.audit.events');
    expect(() => loadConfig({ MCP_AUDIT_NAME_PREFIX: 'a b' })).toThrow(/MCP_AUDIT_NAME_PREFIX/);
  });

  it('places every setting once: each path is one value, a composite part, or a prefix of no other', () => {
    const pathOf = (s: object) => ('path' in s ? (s.path as string) : undefined);
    const entries = Object.entries(settings).map(([name, s]) => [name, pathOf(s)] as const);
    // Only the name prefix has no place of its own: it changes the topic and group names.
    expect(entries.filter(([, path]) => path === undefined).map(([name]) => name)).toEqual(['MCP_AUDIT_NAME_PREFIX']);
    const plain = entries.map(([, path]) => path).filter((p): p is string => p !== undefined && !compositePaths.includes(p));
    expect(new Set(plain).size).toBe(plain.length);
    for (const part of compositePaths) expect(entries.some(([, path]) => path === part), part).toBe(true);
    const all = [...plain, ...compositePaths];
    for (const a of all) for (const b of all) expect(b.startsWith(`${a}.`), `${a} and ${b}`).toBe(false);
    // Every place is a key of the shaped config (its value may be undefined: an unset hash key).
    const c = loadConfig({}) as unknown as Record<string, unknown>;
    const has = (path: string) => {
      const keys = path.split('.');
      const last = keys.pop()!;
      const parent = keys.reduce<Record<string, unknown>>((node, k) => node[k] as Record<string, unknown>, c);
      return Object.hasOwn(parent, last);
    };
    for (const path of [...plain, ...compositePaths]) expect(has(path), path).toBe(true);
  });
});
