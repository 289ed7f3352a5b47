// Transparency: the same JSON-RPC requests sent to the real filesystem MCP server directly and
// through `mcp-audit proxy` get byte-identical responses (raw stdout lines compared, not parsed).
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafka } from '../core/kafka.ts';
import { BIN, FS_SERVER, readTopicRaw } from './capture.support.ts';
import { createTestEnv, testLog, type TestEnv } from './support/test.env.ts';

let t: TestEnv;
let root: string;

beforeAll(async () => {
  t = await createTestEnv('capture_transparency');
  root = mkdtempSync(join(tmpdir(), 'mcpa-fs-'));
  mkdirSync(join(root, 'docs'));
  writeFileSync(join(root, 'docs', 'readme.md'), '# Ünïcode ✓ and "quotes" \\ and\ttabs\n');
  writeFileSync(join(root, 'docs', 'b.txt'), 'b\n');
});
afterAll(async () => {
  await t?.clickhouse.close();
});

/** The requests, one JSON text per line, exactly as a client would write them. */
function requests(): string[] {
  const call = (id: number, name: string, args: object) => JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } });
  return [
    JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } }),
    JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
    JSON.stringify({ jsonrpc: '2.0', id: 'list-1', method: 'tools/list' }),
    call(2, 'read_text_file', { path: join(root, 'docs', 'readme.md') }),
    call(3, 'list_directory', { path: join(root, 'docs') }),
    call(4, 'read_text_file', { path: '/etc/hostname' }),
    call(5, 'read_text_file', { path: join(root, 'nope.md') }),
    JSON.stringify({ jsonrpc: '2.0', id: 6, method: 'no/such/method' }),
    JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'ping' }),
    // Pretty-printed whitespace in a request stays the client's business: it reaches the server as sent.
    `{"jsonrpc": "2.0", "id": 8,   "method": "tools/call", "params": {"name": "read_text_file", "arguments": {"path": ${JSON.stringify(join(root, 'docs', 'b.txt'))}}}}`,
  ];
}

/** Sends each request, waits for its answer (when it has an id), returns every stdout line. */
async function exchange(command: string, args: string[]): Promise<string[]> {
  const child = spawn(command, args, { env: { ...process.env, ...t.env, MCP_AUDIT_CAPTURE_SPILL_DIR: mkdtempSync(join(tmpdir(), 'mcpa-spill-')) }, stdio: ['pipe', 'pipe', 'ignore'] });
  const lines: string[] = [];
  let buffered = '';
  let waiter: (() => void) | null = null;
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      lines.push(buffered.slice(0, nl));
      buffered = buffered.slice(nl + 1);
    }
    waiter?.();
  });
  for (const req of requests()) {
    const id = (JSON.parse(req) as { id?: unknown }).id;
    const before = lines.length;
    child.stdin.write(`${req}\n`);
    if (id === undefined) continue;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer to ${req}`)), 30_000);
      waiter = () => {
        if (lines.slice(before).some((l) => (JSON.parse(l) as { id?: unknown }).id === id)) {
          clearTimeout(timer);
          resolve();
        }
      };
      waiter();
    });
  }
  child.stdin.end();
  await new Promise((r) => child.once('close', r));
  return lines;
}

describe('proxy transparency', () => {
  it('relays byte-identical responses', async () => {
    const direct = await exchange(process.execPath, [FS_SERVER, root]);
    const proxied = await exchange(process.execPath, [BIN, 'proxy', '--user', 'alice', '--', process.execPath, FS_SERVER, root]);
    expect(direct.length).toBe(requests().length - 1);
    expect(proxied).toEqual(direct);
    expect(Buffer.from(proxied.join('\n'))).toEqual(Buffer.from(direct.join('\n')));
    // ...and the proxy did audit them: tools/list and the five tool calls.
    const events = await readTopicRaw(createKafka(t.config.kafka, testLog), t.config.topics.events);
    expect(events.map((m) => JSON.parse(m.value!.toString()).mcp.request_id).sort()).toEqual([2, 3, 4, 5, 8, 'list-1']);
  });
});
