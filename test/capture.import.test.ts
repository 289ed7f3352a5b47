// `mcp-audit capture import` against the stdio proxy: the real filesystem MCP server is driven
// through the in-process proxy while every JSON-RPC line is recorded; the recording, written in the
// import format with two bad lines among it, goes through the real CLI into Kafka. The events read
// back from the topic equal the proxy's, apart from ids and times, and the summary names the bad lines.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOptionsFrom } from '../capture/capture.ts';
import { startStdioProxy } from '../capture/proxy.stdio.ts';
import { createKafka } from '../core/kafka.ts';
import { BIN, FS_SERVER, readTopicRaw } from './capture.support.ts';
import { createTestEnv, testLog, type TestEnv } from './support/test.env.ts';

let t: TestEnv;
let root: string;

beforeAll(async () => {
  t = await createTestEnv('capture_import');
  root = mkdtempSync(join(tmpdir(), 'mcpa-import-'));
  mkdirSync(join(root, 'docs'));
  writeFileSync(join(root, 'docs', 'readme.md'), '# Project\n\nMail alice@example.com for access.\n');
});
afterAll(async () => {
  await t?.clickhouse.close();
});

interface Rpc {
  jsonrpc: '2.0';
  id?: number | string;
  method?: string;
  params?: Record<string, unknown>;
  result?: unknown;
  error?: unknown;
}

function requests(): Rpc[] {
  const call = (id: number, name: string, args: object): Rpc => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } });
  return [
    { jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'recorder', version: '2.1' } } },
    { jsonrpc: '2.0', method: 'notifications/initialized' },
    { jsonrpc: '2.0', id: 'list-1', method: 'tools/list' },
    call(2, 'read_text_file', { path: join(root, 'docs', 'readme.md') }),
    call(3, 'list_directory', { path: join(root, 'docs') }),
    call(4, 'read_text_file', { path: join(root, 'missing.md') }),
    call(5, 'write_file', { path: join(root, 'docs', 'new.md'), content: 'api_key=sk_live_abcdefghijklmnopqrstuvwx\n' }),
    { jsonrpc: '2.0', id: 6, method: 'no/such/method' },
  ];
}

/** Drives the proxy in process; returns its events and the exchanges as seen on the wire. */
async function throughProxy(): Promise<{ events: Record<string, unknown>[]; exchanges: { request: Rpc; response: Rpc | null; ts: string; ms: number }[]; sessionId: string }> {
  const input = new PassThrough();
  const output = new PassThrough();
  const events: Record<string, unknown>[] = [];
  const proxy = startStdioProxy(
    { command: process.execPath, args: [FS_SERVER, root], identity: { tenantId: 'acme', userId: 'alice', agentId: 'desk-agent' }, serverName: 'files' },
    { capture: { push: (e) => events.push(e as unknown as Record<string, unknown>), build: buildOptionsFrom(t.config, testLog) }, log: testLog, input, output },
  );
  const answers = new Map<string, Rpc>();
  let buffered = '';
  let waiter: (() => void) | null = null;
  output.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const msg = JSON.parse(buffered.slice(0, nl)) as Rpc;
      buffered = buffered.slice(nl + 1);
      if (msg.id !== undefined) answers.set(String(msg.id), msg);
    }
    waiter?.();
  });
  const exchanges: { request: Rpc; response: Rpc | null; ts: string; ms: number }[] = [];
  for (const req of requests()) {
    const started = Date.now();
    input.write(`${JSON.stringify(req)}\n`);
    if (req.id === undefined) continue;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer to ${req.method}`)), 30_000);
      waiter = () => {
        if (!answers.has(String(req.id))) return;
        clearTimeout(timer);
        resolve();
      };
      waiter();
    });
    exchanges.push({ request: req, response: answers.get(String(req.id)) ?? null, ts: new Date(started).toISOString(), ms: Date.now() - started });
  }
  input.end();
  await proxy.exited;
  return { events, exchanges, sessionId: (events[0]!.mcp as { session_id: string }).session_id };
}

/** The fields that depend on when and where an event was made, not on the exchange. */
function comparable(e: Record<string, unknown>): Record<string, unknown> {
  const { event_id: _id, ts: _ts, duration_ms: _d, ...rest } = e;
  return rest;
}

function runImport(file: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, 'capture', 'import', '--json', file], { env: { ...process.env, ...t.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe('capture import', () => {
  it('yields the events the stdio proxy made for the same exchanges, with the recorded times, and skips bad lines by number', async () => {
    const proxied = await throughProxy();
    expect(proxied.events.map((e) => e.kind)).toEqual(['tool_list', 'tool_call', 'tool_call', 'tool_call', 'tool_call']);

    // Recorded at the proxy's own start time of each call: an agent's episode is named by its first
    // call's time (to the ms), which a clock read beside the proxy may miss by a tick.
    const proxyTs = new Map(proxied.events.map((e) => [String((e.mcp as { request_id: unknown }).request_id), String(e.ts)]));
    for (const x of proxied.exchanges) x.ts = proxyTs.get(String(x.request.id)) ?? x.ts;
    const lines = proxied.exchanges.map((x) =>
      JSON.stringify({
        ts: x.ts,
        tenant_id: 'acme',
        user_id: 'alice',
        agent_id: 'desk-agent',
        session_id: proxied.sessionId,
        server: { name: 'files', transport: 'stdio' },
        request: x.request,
        response: x.response,
        duration_ms: x.ms,
      }),
    );
    // Line 3 is not JSON; line 6 lacks its user.
    lines.splice(2, 0, '{"ts": "2026-11-02T09:00:00Z", "tenant_id"');
    lines.splice(5, 0, JSON.stringify({ ts: '2026-11-02T09:00:00Z', tenant_id: 'acme', server: { name: 'files', transport: 'stdio' }, request: requests()[3], response: null }));
    const dir = mkdtempSync(join(tmpdir(), 'mcpa-import-rec-'));
    writeFileSync(join(dir, 'recorded.ndjson'), lines.join('\n') + '\n');

    const run = await runImport(join(dir, 'recorded.ndjson'));
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout) as { lines: number; events: number; bad_lines: { line: number; reason: string }[] };
    expect(summary.lines).toBe(proxied.exchanges.length + 2);
    expect(summary.events).toBe(proxied.events.length);
    expect(summary.bad_lines.map((b) => b.line)).toEqual([3, 6]);
    expect(summary.bad_lines[1]!.reason).toMatch(/user_id/);
    expect(run.stderr).toMatch(/line 3: skipped/);

    const raw = await readTopicRaw(createKafka(t.config.kafka, testLog), t.config.topics.events);
    const imported = raw.map((m) => JSON.parse(m.value!.toString('utf8')) as Record<string, unknown>);
    const order = (e: Record<string, unknown>) => String((e.mcp as { request_id: unknown }).request_id);
    imported.sort((a, b) => order(a).localeCompare(order(b)));
    const expected = [...proxied.events].sort((a, b) => order(a).localeCompare(order(b)));
    expect(imported.map(comparable)).toEqual(expected.map(comparable));
    // The recorded times, not the time of the import.
    const recordedTs = new Map(proxied.exchanges.map((x) => [String(x.request.id), x.ts]));
    for (const e of imported) expect(e.ts).toBe(recordedTs.get(order(e)));
    // Sanity on what was compared: the later calls carry the tool list's fingerprint, the secret is redacted.
    expect(imported.every((e) => typeof (e.server as { fingerprint?: string }).fingerprint === 'string')).toBe(true);
    expect(raw.map((m) => m.value!.toString('utf8')).join('\n')).not.toContain('sk_live_abcdefghijklmnopqrstuvwx');
  });
});
