import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { settingsMarkdown } from '../cli/config.command.ts';
import { ConfigError, loadConfig } from './config.ts';

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

  it('is documented in the README, setting for setting', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('<!-- settings:start -->'), readme.indexOf('<!-- settings:end -->'));
    expect(section.trim(), 'README settings table is stale: paste `npx mcp-audit config --markdown`').toBe(
      `<!-- settings:start -->\n${settingsMarkdown()}`,
    );
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
});
