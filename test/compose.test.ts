// The production compose file and image recipe. `docker-compose config` (Debian's package) checks
// the file as Docker Compose reads it; nothing is built or started, because these machines have no
// Docker engine (docs/architecture.md, Where it runs) — the image and the running stack are untested here.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { settings } from '../core/config.ts';
import { ensureDockerCompose } from './support/compose.install.ts';

const ROOT = join(import.meta.dirname, '..');
const COMPOSE = join(ROOT, 'docker-compose.yml');
const ENV_EXAMPLE = join(ROOT, '.env.example');
const OUR_SERVICES = ['ingest', 'detector', 'notifier', 'api'] as const;
const GRAFANA_USER = 'mcp_audit_grafana';
const GRAFANA_USERS_XML = join(ROOT, 'dashboards/provisioning/clickhouse/users.d/grafana-readonly.xml');

interface Service {
  image?: string;
  build?: { context: string };
  command?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  volumes?: (string | { source: string; target: string })[];
  restart?: string;
}

const compose = (args: string[], envFile: string) =>
  spawnSync('docker-compose', ['--project-directory', ROOT, '--env-file', envFile, '-f', COMPOSE, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });

let skip: string | null = null;
beforeAll(async () => {
  skip = await ensureDockerCompose();
  if (skip) console.warn(`compose tests skipped: ${skip}`);
}, 900_000);

describe('docker-compose.yml', () => {
  it('is valid for docker-compose config with the variables of .env.example', (ctx) => {
    if (skip) return ctx.skip();
    const r = compose(['config', '-q'], ENV_EXAMPLE);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('refuses to start without the secrets, naming the missing variable (negative control)', (ctx) => {
    if (skip) return ctx.skip();
    const dir = mkdtempSync(join(tmpdir(), 'compose-'));
    const envFile = join(dir, 'env');
    writeFileSync(envFile, readFileSync(ENV_EXAMPLE, 'utf8').replace(/^MCP_AUDIT_CLICKHOUSE_PASSWORD=.*$/m, 'MCP_AUDIT_CLICKHOUSE_PASSWORD='));
    const r = compose(['config', '-q'], envFile);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/set MCP_AUDIT_CLICKHOUSE_PASSWORD in \.env/);
  });

  it('wires the services as intended', (ctx) => {
    if (skip) return ctx.skip();
    const r = compose(['config'], ENV_EXAMPLE);
    const { services, volumes } = parseYaml(r.stdout) as { services: Record<string, Service>; volumes: Record<string, unknown> };
    expect(Object.keys(services).sort()).toEqual(['api', 'baselines', 'clickhouse', 'detector', 'grafana', 'ingest', 'kafka', 'kafka-topics', 'migrate', 'notifier']);

    // Kafka: the official image at the version the test suite proves, KRaft, explicit topics.
    expect(services.kafka!.image).toBe(`apache/kafka:${settings.MCP_AUDIT_STACK_KAFKA_VERSION.schema.parse(undefined)}`);
    expect(services.kafka!.environment).toMatchObject({ KAFKA_PROCESS_ROLES: 'broker,controller', KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false' });
    expect(services.clickhouse!.image).toMatch(/^clickhouse\/clickhouse-server:\d+\.\d+$/);

    // One image from the Dockerfile for migrate and the four services; each runs its own role.
    for (const name of ['migrate', 'baselines', ...OUR_SERVICES]) {
      expect(services[name]!.build?.context, name).toBe(ROOT);
      expect(services[name]!.image, name).toBe('mcp-audit:latest');
    }
    expect(services.migrate!.command).toEqual(['migrate']);
    expect(services.migrate!.restart).toBe('no');
    // The baseline scheduler starts once setup is done, like the services, and has its own /healthz.
    expect(services.baselines!.command).toEqual(['baselines', 'schedule']);
    expect(services.baselines!.depends_on).toEqual(services.detector!.depends_on);
    expect(services.baselines!.healthcheck?.test.join(' ')).toContain(`127.0.0.1:${services.baselines!.environment!.MCP_AUDIT_BASELINE_HEALTH_PORT}/healthz`);
    for (const name of OUR_SERVICES) {
      const s = services[name]!;
      expect(s.command, name).toEqual([name]);
      expect(s.healthcheck?.test.join(' '), name).toMatch(/\/healthz/);
      expect(s.depends_on, name).toEqual({
        kafka: { condition: 'service_healthy' },
        clickhouse: { condition: 'service_healthy' },
        'kafka-topics': { condition: 'service_completed_successfully' },
        migrate: { condition: 'service_completed_successfully' },
      });
    }
    // Every long-running service has a healthcheck; the one-shots (restart "no") are waited for by
    // service_completed_successfully instead.
    const longRunning = Object.keys(services).filter((name) => services[name]!.restart !== 'no');
    expect(longRunning.sort()).toEqual(['api', 'baselines', 'clickhouse', 'detector', 'grafana', 'ingest', 'kafka', 'notifier']);
    for (const name of longRunning) expect(services[name]!.healthcheck?.test.length, name).toBeGreaterThan(0);
    // Destinations are optional: left empty, the notifier idles healthy (test/compose.services.test.ts).
    expect(services.notifier!.environment!.MCP_AUDIT_NOTIFIER_DESTINATIONS_JSON).toBe('');
    expect(services.migrate!.depends_on).toEqual({ clickhouse: { condition: 'service_healthy' } });

    // Grafana: the ClickHouse plugin at a pinned version, and this repository's provisioning and dashboards.
    expect(services.grafana!.environment!.GF_INSTALL_PLUGINS).toMatch(/^grafana-clickhouse-datasource \d+\.\d+\.\d+$/);
    // ... reading as the read-only user that ClickHouse gets from users.d (test/compose.grafana-user.test.ts loads it).
    expect(services.grafana!.environment!.GF_MCP_AUDIT_CLICKHOUSE_USER).toBe(GRAFANA_USER);
    expect(services.grafana!.environment!.GF_MCP_AUDIT_CLICKHOUSE_USER).not.toBe(services.clickhouse!.environment!.CLICKHOUSE_USER);
    expect(JSON.stringify(services.clickhouse!.volumes)).toContain(`/etc/clickhouse-server/users.d/${basename(GRAFANA_USERS_XML)}`);
    expect(services.clickhouse!.environment).toHaveProperty('MCP_AUDIT_GRAFANA_CLICKHOUSE_PASSWORD');
    // The API reads as its own read-only user (users.d/api-reader.xml, test/compose.grafana-user.test.ts).
    expect(services.api!.environment!.MCP_AUDIT_API_CLICKHOUSE_USER).toBe('mcp_audit_api_reader');
    expect(JSON.stringify(services.clickhouse!.volumes)).toContain('/etc/clickhouse-server/users.d/api-reader.xml');
    expect(services.clickhouse!.environment).toHaveProperty('MCP_AUDIT_API_CLICKHOUSE_PASSWORD');
    // Every mcp-audit service gets the secured-Kafka and ClickHouse TLS settings and the certificates folder.
    for (const name of ['migrate', 'baselines', ...OUR_SERVICES]) {
      for (const v of ['MCP_AUDIT_KAFKA_SASL_MECHANISM', 'MCP_AUDIT_KAFKA_SASL_PASSWORD', 'MCP_AUDIT_KAFKA_TLS_CA_FILE', 'MCP_AUDIT_CLICKHOUSE_TLS_CA_FILE']) {
        expect(services[name]!.environment, `${name} ${v}`).toHaveProperty(v);
      }
      expect(JSON.stringify(services[name]!.volumes), name).toContain('/etc/mcp-audit/certs');
    }
    const mounts = JSON.stringify(services.grafana!.volumes);
    for (const target of ['/etc/grafana/provisioning/datasources', '/etc/grafana/provisioning/dashboards', '/etc/grafana/dashboards/mcp-audit']) expect(mounts).toContain(target);

    expect(Object.keys(volumes).sort()).toEqual(['clickhouse-data', 'clickhouse-logs', 'grafana-data', 'kafka-data']);
  });
});

describe('no secrets in the files, and .env.example lists every variable', () => {
  const text = readFileSync(COMPOSE, 'utf8');

  it("gives Grafana its own password, not the services' one", () => {
    const grafana = text.slice(text.indexOf('\n  grafana:'));
    expect(grafana).toMatch(/GF_MCP_AUDIT_CLICKHOUSE_PASSWORD: \$\{MCP_AUDIT_GRAFANA_CLICKHOUSE_PASSWORD:\?/);
    expect(grafana).not.toContain('${MCP_AUDIT_CLICKHOUSE_PASSWORD');
  });

  it('reads every secret from the environment', () => {
    const literal = [...text.matchAll(/^\s*([A-Z_]*(PASSWORD|SECRET|TOKEN)[A-Z_]*):\s*(.*)$/gm)].filter(([, , , value]) => !/^\$\{[A-Z_]+(:[-?][^}]*)?\}$/.test(value!.trim()));
    expect(literal.map((m) => m[0].trim())).toEqual([]);
  });

  it('.env.example names exactly the variables docker-compose.yml reads', () => {
    // `$$` escapes a variable for the container's shell; compose does not read those.
    const used = new Set([...text.replaceAll('$$', '').matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!));
    const listed = new Set([...readFileSync(ENV_EXAMPLE, 'utf8').matchAll(/^([A-Za-z_][A-Za-z0-9_]*)=/gm)].map((m) => m[1]!));
    expect([...listed].sort()).toEqual([...used].sort());
    // And .env.example holds no real secret: only empty values or the change-me placeholder.
    for (const m of readFileSync(ENV_EXAMPLE, 'utf8').matchAll(/^([A-Z_]*(PASSWORD|SECRET|TOKEN)[A-Z_]*)=(.*)$/gm)) expect(['', 'change-me'], m[1]).toContain(m[3]);
  });
});

describe('Dockerfile', () => {
  const text = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');

  it('is multi-stage on node:24-slim and runs as the non-root node user', () => {
    const froms = [...text.matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1]);
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const image of froms) expect(image).toBe('node:24-slim');
    const users = [...text.matchAll(/^USER\s+(\S+)/gm)].map((m) => m[1]);
    expect(users.at(-1)).toBe('node');
    expect(text).toMatch(/npm ci --omit=dev/);
    expect(text).toMatch(/^ENTRYPOINT \["node", "bin\/mcp-audit\.js"\]$/m);
  });

  it('keeps local state, git and env files out of the build context', () => {
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
    for (const entry of ['node_modules', '.stack', '.spill', '.schemathesis', 'coverage', '.git', '.env', '.env.*']) expect(ignored).toContain(entry);
    // The image must still contain the code: bin/ and the service folders are not ignored.
    for (const folder of ['bin', 'cli', 'core', 'ingest', 'detector', 'notifier', 'api', 'migrations']) expect(ignored).not.toContain(folder);
  });
});
