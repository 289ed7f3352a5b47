// OTLP intake with real clients on the real stack. The receiver is the api (listening on a free
// port), ingest runs in process and the detector as a child, as deployed:
// (a) an MCP server built on the MCP Python SDK v2, whose own OpenTelemetry middleware makes the
//     spans, exported by opentelemetry-exporter-otlp-proto-http (installed into a venv by the test);
// (b) a Node service with @opentelemetry/sdk-node, once with the protobuf exporter (gzip) and once
//     with the JSON one (key in X-API-Key);
// (c) a recorded Claude Code log export, as JSON (gzip) and as protobuf.
// Each lands in ClickHouse `events` with tool name, status and class; a chain sent as spans makes
// the detector raise its alert.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qualified, sql } from '../core/sql.ts';
import type { IngestService } from '../ingest/ingest.service.ts';
import { claudeCodeSession } from './otlp/claude-code.logs.ts';
import { apiHarness, type ApiHarness } from './support/api.factory.ts';
import { spawnCli, type Child } from './support/child.ts';
import { startIngest } from './support/ingest.harness.ts';
import { otlpPython } from './support/otlp.python.ts';
import { toProtobuf, traceRequest } from './support/otlp.payloads.ts';
import { eventually, queryRows } from './support/test.env.ts';

let h: ApiHarness;
let key: string;
let url: string;
let ingest: IngestService;
let detector: Child;

beforeAll(async () => {
  h = await apiHarness('otlp_clients', { MCP_AUDIT_DETECTOR_REBUILD_WAIT_MS: '0' });
  key = await h.key('acme', ['events:write'], 'otel-exporters');
  url = await h.app.listen({ host: '127.0.0.1', port: 0 });
  ingest = await startIngest(h.env);
  detector = spawnCli(['detector'], h.env.env);
}, 600_000);

afterAll(async () => {
  detector?.proc.kill('SIGKILL');
  await ingest?.stop();
  await h?.close();
});

interface Row {
  event_id: string;
  kind: string;
  user_id: string;
  server_name: string;
  tool_name: string;
  tool_class: string;
  result_status: string;
  result_error_type: string;
}

async function rowsOf(user: string, n: number): Promise<Row[]> {
  const table = qualified(h.env.config.clickhouse.database, 'events');
  const q = sql`SELECT event_id, kind, user_id, server_name, tool_name, tool_class, result_status, result_error_type FROM ${table} FINAL WHERE user_id = ${user} ORDER BY ts_ms, event_id`.text;
  let rows: Row[] = [];
  await eventually(async () => (rows = await queryRows<Row>(h.env.clickhouse, q)).length >= n, 60_000);
  return rows;
}

const brief = (rows: Row[]) => rows.map((r) => [r.kind, r.tool_name, r.result_status, r.tool_class]);

describe('OTLP intake from real clients', () => {
  it('(a) the MCP Python SDK v2 server with the OpenTelemetry OTLP/HTTP exporter', { timeout: 600_000 }, async () => {
    const python = otlpPython(h.env.config.stack.dir);
    const client = fileURLToPath(new URL('./otlp/mcp_notes_client.py', import.meta.url));
    const proc = spawn(python, [client], {
      env: {
        ...process.env,
        OTEL_EXPORTER_OTLP_ENDPOINT: url,
        // As a deployment sets it: header values are URL-encoded in this variable.
        OTEL_EXPORTER_OTLP_HEADERS: `Authorization=Bearer%20${key}`,
        OTEL_RESOURCE_ATTRIBUTES: 'service.name=py-notes,enduser.id=alice@acme.example',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    proc.stderr.on('data', (b: Buffer) => (err = (err + b.toString()).slice(-4000)));
    const code = await new Promise<number | null>((resolve) => proc.on('close', resolve));
    expect(code, err).toBe(0);

    const rows = await rowsOf('alice@acme.example', 7);
    expect(brief(rows)).toEqual([
      ['tool_list', '', 'ok', ''],
      ['tool_call', 'search_email', 'ok', 'email.read'],
      ['tool_call', 'read_file', 'ok', 'file.read'],
      ['tool_call', 'delete_everything', 'error', expect.any(String)],
      ['tool_call', 'no_such_tool', 'error', expect.any(String)],
      ['resource_read', '', 'ok', expect.any(String)],
      ['prompt_get', '', 'ok', expect.any(String)],
    ]);
    expect(rows.every((r) => r.server_name === 'py-notes')).toBe(true);
    expect(rows[3]!.result_error_type).toBe('tool_error');
  });

  it('(b) a Node service with @opentelemetry/sdk-node, protobuf (gzip) and JSON exporters', async () => {
    const exporters = [
      { user: 'node-proto@acme.example', exporter: new ProtoTraceExporter({ url: `${url}/v1/traces`, headers: { Authorization: `Bearer ${key}` }, compression: 'gzip' as never }) },
      { user: 'node-json@acme.example', exporter: new JsonTraceExporter({ url: `${url}/v1/traces`, headers: { 'X-API-Key': key } }) },
    ];
    for (const { user, exporter } of exporters) {
      const sdk = new NodeSDK({ serviceName: 'crm', traceExporter: exporter, instrumentations: [] });
      sdk.start();
      const tracer = trace.getTracer('crm-mcp');
      const span = (name: string, attrs: Record<string, string>, error?: string) =>
        tracer.startActiveSpan(name, { kind: SpanKind.SERVER, attributes: { 'enduser.id': user, 'network.transport': 'tcp', ...attrs } }, (s) => {
          if (error) {
            s.setAttribute('error.type', error);
            s.setStatus({ code: SpanStatusCode.ERROR, message: 'Permission denied for table payroll' });
          }
          s.end();
        });
      span('tools/call query_customers', { 'mcp.method.name': 'tools/call', 'gen_ai.tool.name': 'query_customers', 'jsonrpc.request.id': '1', 'gen_ai.tool.call.arguments': JSON.stringify({ sql: 'SELECT * FROM customers' }) });
      span('tools/call query_customers', { 'mcp.method.name': 'tools/call', 'gen_ai.tool.name': 'query_customers', 'jsonrpc.request.id': '2', 'gen_ai.tool.call.arguments': JSON.stringify({ sql: 'SELECT * FROM payroll' }) }, '-32001');
      span('GET /healthz', { 'http.request.method': 'GET' });
      await sdk.shutdown();
      trace.disable();
      // Both spans start within the same millisecond: compare them in status order.
      const rows = (await rowsOf(user, 2)).sort((a, b) => a.result_status.localeCompare(b.result_status));
      expect(brief(rows)).toEqual([
        ['tool_call', 'query_customers', 'denied', 'db.query'],
        ['tool_call', 'query_customers', 'ok', 'db.query'],
      ]);
    }
  });

  it('(c) a recorded Claude Code log export, as JSON (gzip) and as protobuf', async () => {
    const start = Date.now() - 60_000;
    const asJson = claudeCodeSession(start, 'cc-json@acme.example', 'cc-session-json');
    const asProto = claudeCodeSession(start, 'cc-proto@acme.example', 'cc-session-proto');
    const post = (body: Buffer, type: string, gzip: boolean) =>
      fetch(`${url}/v1/logs`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': type, ...(gzip ? { 'content-encoding': 'gzip' } : {}) }, body: new Uint8Array(gzip ? gzipSync(body) : body) });
    const r1 = await post(Buffer.from(JSON.stringify(asJson)), 'application/json', true);
    expect(r1.status).toBe(200);
    expect(await r1.json()).toEqual({});
    const r2 = await post(toProtobuf(asProto, 'logs'), 'application/x-protobuf', false);
    expect(r2.status).toBe(200);
    expect(r2.headers.get('content-type')).toMatch(/^application\/x-protobuf/);
    for (const user of ['cc-json@acme.example', 'cc-proto@acme.example']) {
      const rows = await rowsOf(user, 3);
      expect(rows.map((r) => [r.server_name, r.tool_name, r.result_status, r.tool_class])).toEqual([
        ['gmail', 'search_emails', 'ok', 'email.read'],
        ['claude-code', 'Bash', 'ok', expect.any(String)],
        ['slack', 'post_message', 'denied', 'chat.send'],
      ]);
    }
  });

  it('a detector rule fires on a chain whose events came in as OTLP spans', { timeout: 300_000 }, async () => {
    const user = 'victim@acme.example';
    const t0 = Date.now() - 30_000;
    const step = (i: number, server: string, tool: string, args: object) => ({
      name: `tools/call ${tool}`,
      startMs: t0 + i * 5_000,
      attrs: { 'mcp.method.name': 'tools/call', 'gen_ai.tool.name': tool, 'jsonrpc.request.id': String(i), 'mcp.server.name': server, 'enduser.id': user, 'gen_ai.tool.call.arguments': args },
    });
    const req = traceRequest({ 'service.name': 'mcp-gateway' }, [
      step(0, 'gmail', 'search_email', { query: 'from:billing' }),
      step(1, 'filesystem', 'read_file', { path: '/home/victim/.ssh/id_rsa' }),
      step(2, 'slack', 'slack_post_message', { channel: '#random', text: 'here you go' }),
    ]);
    const res = await fetch(`${url}/v1/traces`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(req) });
    expect(res.status).toBe(200);
    const events = await rowsOf(user, 3);
    expect(events.map((e) => e.tool_class)).toEqual(['email.read', 'secret.read', 'chat.send']);

    const alerts = qualified(h.env.config.clickhouse.database, 'alerts');
    const q = sql`SELECT rule_id, evidence_event_ids FROM ${alerts} FINAL WHERE user_id = ${user} AND rule_id = 'exfil.mail-secret-send'`.text;
    let found: { rule_id: string; evidence_event_ids: string[] }[] = [];
    expect(await eventually(async () => (found = await queryRows(h.env.clickhouse, q)).length > 0, 180_000), detector.output()).toBe(true);
    expect(found).toHaveLength(1);
    expect([...found[0]!.evidence_event_ids].sort()).toEqual(events.map((e) => e.event_id).sort());
  });
});
