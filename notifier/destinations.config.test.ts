import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../core/config.ts';
import { describeDestination, loadDestinations } from './destinations.config.ts';

const secret = `whsec_${Buffer.alloc(24, 7).toString('base64')}`;
const json = (list: unknown) => ({ destinationsFile: '', destinationsJson: JSON.stringify(list) });

describe('destinations configuration', () => {
  it('reads a YAML file with defaults filled in and secrets from env and file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dest-'));
    writeFileSync(join(dir, 'hec.token'), 'abc-123\n');
    writeFileSync(
      join(dir, 'd.yaml'),
      `destinations:\n  - name: soc\n    type: standard-webhooks\n    url: https://soc.example.com/hook\n    secret_env: SOC_SECRET\n` +
        `  - name: splunk\n    type: splunk-hec\n    url: https://splunk.example.com:8088/services/collector/event\n    secret_file: ${join(dir, 'hec.token')}\n    batch_max: 100\n`,
    );
    const [soc, splunk] = loadDestinations({ destinationsFile: join(dir, 'd.yaml'), destinationsJson: '' }, { SOC_SECRET: `${secret} ${secret}` });
    expect(soc).toMatchObject({ name: 'soc', timeout_ms: 10_000, max_attempts: 12, concurrency: 4, allow_networks: [] });
    expect(soc!.signingSecrets).toHaveLength(2);
    expect(splunk).toMatchObject({ token: 'abc-123', batch_max: 100, splunk: { source: 'mcp-audit', sourcetype: 'mcp_audit:alert' } });
  });

  it('refuses bad input with a message that names the problem but never the secret', () => {
    const bad = (list: unknown, env: NodeJS.ProcessEnv = {}) => () => loadDestinations(json(list), env);
    expect(bad([])).toThrow(ConfigError);
    expect(bad([{ name: 'x', type: 'syslog', url: 'https://a.example' }])).toThrow(/type/);
    expect(bad([{ name: 'x', type: 'ecs', url: 'ftp://a.example' }])).toThrow(/url/);
    expect(bad([{ name: 'x', type: 'standard-webhooks', url: 'https://a.example' }])).toThrow(/needs a whsec_/);
    expect(bad([{ name: 'x', type: 'splunk-hec', url: 'https://a.example', secret_env: 'NOPE' }])).toThrow(/NOPE is empty or unset/);
    expect(bad([{ name: 'x', type: 'ecs', url: 'https://a.example', batch_max: 5 }])).toThrow(/only supported for splunk-hec and otlp/);
    expect(bad([{ name: 'x', type: 'ecs', url: 'https://a.example' }, { name: 'x', type: 'ocsf', url: 'https://b.example' }])).toThrow(/used twice/);
    const leaky = 'whsec_c2hvcnQ=';
    try {
      loadDestinations(json([{ name: 'x', type: 'standard-webhooks', url: 'https://a.example', secret_env: 'S' }]), { S: leaky });
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).toMatch(/signing secret #1/);
      expect((err as Error).message).not.toContain(leaky);
    }
  });

  it('describes a destination for logs without credentials or query', () => {
    const [d] = loadDestinations(json([{ name: 'x', type: 'ecs', url: 'https://user:pw@a.example/in?token=t' }]));
    expect(describeDestination(d!)).toEqual({ name: 'x', type: 'ecs', endpoint: 'https://a.example/in' });
  });
});

describe('otlp destinations', () => {
  it('fill OTLP defaults, take batches, and carry the secret as the header value', () => {
    const [d] = loadDestinations(json([{ name: 'otel', type: 'otlp', url: 'https://collector.example:4318/v1/logs', secret_env: 'TOKEN', batch_max: 50 }]), { TOKEN: 'Bearer abc' });
    expect(d).toMatchObject({ batch_max: 50, token: 'Bearer abc', otlp: { encoding: 'protobuf', compression: 'none', secret_header: 'authorization', service_name: 'mcp-audit', policy_id: 'mcp-audit' } });
    const [open] = loadDestinations(json([{ name: 'otel', type: 'otlp', url: 'http://127.0.0.1:4318/v1/logs', otlp: { encoding: 'json' } }]));
    expect(open!.token).toBeNull();
  });

  it('refuse headers the notifier sets itself, and unknown options', () => {
    const bad = (otlp: unknown) => () => loadDestinations(json([{ name: 'otel', type: 'otlp', url: 'https://c.example/v1/logs', otlp }]));
    expect(bad({ headers: { 'Content-Type': 'text/plain' } })).toThrow(/headers may not set/);
    expect(bad({ encoding: 'grpc' })).toThrow(/encoding/);
    expect(bad({ endpoint: 'x' })).toThrow(ConfigError);
  });
});
