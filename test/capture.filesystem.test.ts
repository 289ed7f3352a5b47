// End to end with the real filesystem MCP server behind `mcp-audit proxy` (a real child process)
// and a real MCP SDK client: read, list and write calls on a temporary tree, one of them reading a
// fake private key under .ssh/. The events land in ClickHouse through the real ingest service
// with the right tools, paths, statuses and sizes; the key's content is nowhere in Kafka or ClickHouse.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digest } from '../capture/canonical.ts';
import { createKafka } from '../core/kafka.ts';
import { ident, qualified, sql } from '../core/sql.ts';
import type { IngestService } from '../ingest/ingest.service.ts';
import { BIN, FS_SERVER, readTopicRaw } from './capture.support.ts';
import { startIngest, waitForDistinct } from './support/ingest.harness.ts';
import { createTestEnv, queryRows, testLog, type TestEnv } from './support/test.env.ts';

let t: TestEnv;
let ingest: IngestService;
let root: string;

// Assembled at run time so no secret-shaped literal sits in the repository.
const keyBody = Array.from({ length: 5 }, (_, i) => `b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ${i}AAAAAAAABAAABlwAAAAdzc2gtcn`).join('\n');
const fakeKey = ['-----BEGIN OPENSSH ', 'PRIVATE KEY-----\n', keyBody, '\n-----END OPENSSH ', 'PRIVATE KEY-----\n'].join('');
const secretNeedle = keyBody.split('\n')[2]!;

beforeAll(async () => {
  t = await createTestEnv('capture_fs');
  ingest = await startIngest(t);
  root = mkdtempSync(join(tmpdir(), 'mcpa-fs-'));
  mkdirSync(join(root, 'docs'));
  mkdirSync(join(root, '.ssh'));
  mkdirSync(join(root, 'notes'));
  writeFileSync(join(root, 'docs', 'readme.md'), '# Project\n\nHello from the docs.\n');
  writeFileSync(join(root, '.ssh', 'id_rsa'), fakeKey);
});
afterAll(async () => {
  await ingest?.stop();
  await t?.clickhouse.close();
});

interface Row {
  kind: string;
  tool_name: string;
  user_id: string;
  tenant_id: string;
  agent_id: string;
  client_name: string;
  server_name: string;
  server_transport: string;
  resource_paths: string[];
  result_status: string;
  result_error_type: string;
  result_size: number;
  args_size: number;
  args_preview: string;
  listed_tool_names: string[];
  mcp_request_id: string;
}

describe('proxy in front of @modelcontextprotocol/server-filesystem', () => {
  it('records every call in ClickHouse, and never the secret it read', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [BIN, 'proxy', '--user', 'alice', '--tenant', 'acme', '--agent', 'claude-desktop', '--', process.execPath, FS_SERVER, root],
      env: { ...(process.env as Record<string, string>), ...t.env, MCP_AUDIT_CAPTURE_SPILL_DIR: mkdtempSync(join(tmpdir(), 'mcpa-spill-')), MCP_AUDIT_CAPTURE_STOP_TIMEOUT_MS: '20000' },
      stderr: 'pipe',
    });
    const client = new Client({ name: 'e2e-client', version: '1.0.0' });
    await client.connect(transport);

    const tools = await client.listTools();
    expect(tools.tools.map((x) => x.name)).toContain('read_text_file');
    const calls: { name: string; arguments: Record<string, unknown> }[] = [
      { name: 'list_directory', arguments: { path: root } },
      { name: 'read_text_file', arguments: { path: join(root, 'docs', 'readme.md') } },
      { name: 'read_text_file', arguments: { path: join(root, '.ssh', 'id_rsa') } },
      { name: 'write_file', arguments: { path: join(root, 'notes', 'todo.md'), content: '- ship the proxy\n' } },
      { name: 'read_text_file', arguments: { path: '/etc/hostname' } },
      { name: 'read_text_file', arguments: { path: join(root, 'docs', 'missing.md') } },
    ];
    const results = [];
    for (const c of calls) results.push(await client.callTool(c));
    expect((results[2]!.content as { text: string }[])[0]!.text).toBe(fakeKey); // the client did get the key
    expect(readFileSync(join(root, 'notes', 'todo.md'), 'utf8')).toBe('- ship the proxy\n');
    await client.close(); // the proxy delivers its last events, then exits

    expect(await waitForDistinct(t, 1 + calls.length, 60_000)).toBe(1 + calls.length);
    const table = qualified(t.config.clickhouse.database, 'events');
    const rows = await queryRows<Row>(t.clickhouse, sql`SELECT * FROM ${table} FINAL ORDER BY ts_ms, toUInt64OrZero(mcp_request_id)`.text);

    const [list, ...toolRows] = rows as [Row, ...Row[]];
    expect(list).toMatchObject({ kind: 'tool_list', server_name: 'secure-filesystem-server', server_transport: 'stdio' });
    expect(list.listed_tool_names).toEqual(tools.tools.map((x) => x.name));
    for (const r of rows) expect(r).toMatchObject({ tenant_id: 'acme', user_id: 'alice', agent_id: 'claude-desktop', client_name: 'e2e-client' });
    expect(toolRows.map((r) => [r.tool_name, r.resource_paths, r.result_status])).toEqual([
      ['list_directory', [root], 'ok'],
      ['read_text_file', [join(root, 'docs', 'readme.md')], 'ok'],
      ['read_text_file', [join(root, '.ssh', 'id_rsa')], 'ok'],
      ['write_file', [join(root, 'notes', 'todo.md')], 'ok'],
      ['read_text_file', ['/etc/hostname'], 'denied'],
      ['read_text_file', [join(root, 'docs', 'missing.md')], 'error'],
    ]);
    toolRows.forEach((r, i) => {
      expect(Number(r.args_size)).toBe(digest(calls[i]!.arguments).size_bytes);
      expect(Number(r.result_size)).toBeGreaterThan(0);
    });
    // The key is 5 lines of 80 characters: its result cannot be smaller.
    expect(Number(toolRows[2]!.result_size)).toBeGreaterThan(fakeKey.length);

    // Nowhere in Kafka: every message of the topic, raw.
    const raw = await readTopicRaw(createKafka(t.config.kafka, testLog), t.config.topics.events);
    expect(raw).toHaveLength(1 + calls.length);
    for (const m of raw) {
      expect(m.value!.includes(secretNeedle)).toBe(false);
      expect(m.value!.includes('PRIVATE KEY')).toBe(false);
    }
    // Nowhere in ClickHouse: every String and Array(String) column of every table of this database.
    const columns = await queryRows<{ table: string; name: string; type: string }>(
      t.clickhouse,
      sql`SELECT table, name, type FROM system.columns WHERE database = ${t.config.clickhouse.database} AND type IN ('String', 'Array(String)')`.text,
    );
    expect(columns.length).toBeGreaterThan(40);
    for (const c of columns) {
      const col = ident(c.name);
      const where = c.type === 'String' ? sql`position(${col}, ${secretNeedle}) > 0` : sql`arrayExists(x -> position(x, ${secretNeedle}) > 0, ${col})`;
      const [hit] = await queryRows<{ n: string }>(t.clickhouse, sql`SELECT count() AS n FROM ${qualified(t.config.clickhouse.database, c.table)} WHERE ${where}`.text);
      expect(Number(hit!.n), `${c.table}.${c.name}`).toBe(0);
    }
    // Control: the same search does find a value that is stored.
    const [found] = await queryRows<{ n: string }>(t.clickhouse, sql`SELECT count() AS n FROM ${table} WHERE arrayExists(x -> position(x, ${'.ssh/id_rsa'}) > 0, resource_paths)`.text);
    expect(Number(found!.n)).toBe(1);
  });
});
