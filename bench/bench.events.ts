// Compact generator of valid v1 events for the ingest benchmark: about 500 bytes of JSON each,
// pre-serialized, keyed `tenant_id:user_id` like real producers (schemas/event.v1.ts `eventKey`), with
// enough tenants and users that the keys spread over every partition.
//
// The JSON of these events never contains a backslash, a tab or a newline. ClickHouse 18.16's Kafka
// engine baseline (bench/kafka.engine.ts) reads each message as one TabSeparated `raw String` field, and
// TSV unescaping is the identity only on text without `\`, tab and newline; JSON.stringify only writes
// a backslash to escape `"`, `\` or control characters, so no string value here may hold those. That is
// why the argument preview is `key=value` text and not quoted JSON (JSON-in-JSON would be escaped as
// `\"`). `assertTsvSafe` checks every generated message.
import { createHash } from 'node:crypto';
import { uuidv7 } from '../core/ids.ts';
import { createRng } from '../simulate/rng.ts';
import { eventKey, type AuditEventV1 } from '../schemas/event.v1.ts';

/** The simulator's seeded generator (mulberry32): the bench data is reproducible for a seed. */
const rng32 = (seed: number): (() => number) => createRng(seed).next;

const TENANTS = Array.from({ length: 24 }, (_, i) => `t${String(i).padStart(2, '0')}`);
const USERS_PER_TENANT = 40;
const CLIENTS = [['claude-desktop', '0.9.3'], ['cursor', '1.4.2'], ['vscode-copilot', '1.102.0']] as const;
type Transport = 'stdio' | 'http' | 'sse';
const SERVERS: readonly { name: string; version: string; transport: Transport; tools: readonly string[] }[] = [
  { name: 'filesystem', version: '2025.7.1', transport: 'stdio', tools: ['read_file', 'write_file', 'list_directory'] },
  { name: 'slack', version: '1.3.0', transport: 'http', tools: ['slack_post_message', 'slack_list_channels'] },
  { name: 'gmail', version: '0.6.2', transport: 'http', tools: ['send_email', 'search_email'] },
  { name: 'postgres', version: '0.4.0', transport: 'stdio', tools: ['query'] },
  { name: 'fetch', version: '1.1.0', transport: 'sse', tools: ['fetch_url'] },
];
const FILES = ['src/index.ts', 'README.md', '.env', 'package.json', 'docs/design.md', 'src/db/schema.sql'];
const HOSTS = ['api.github.com', 'docs.python.org', 'pastebin.com', 'example.org'];
const TABLES = ['customers', 'orders', 'invoices', 'audit_log'];
const CHANNELS = ['#general', '#eng-alerts', '#random', '@dave'];
const STATUS = ['ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'error', 'denied'] as const;

export interface BenchMessage {
  key: Buffer;
  value: Buffer;
}

export interface BenchEventsOptions {
  seed?: number;
  /** Time of the first event (ms); events then advance a few ms each. */
  startMs: number;
}

/** Pool of sha256 strings, so generating a million events does not hash a million times. */
function shaPool(n: number): string[] {
  return Array.from({ length: n }, (_, i) => createHash('sha256').update(`bench-${i}`).digest('hex'));
}

/** `n` messages; `onEvent` sees each event object (used to validate a sample against the schema). */
export function makeBenchMessages(n: number, opts: BenchEventsOptions, onEvent?: (e: AuditEventV1, i: number) => void): BenchMessage[] {
  const rnd = rng32(opts.seed ?? 42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const hex = (len: number) => {
    let s = '';
    while (s.length < len) s += Math.floor(rnd() * 4_294_967_296).toString(16).padStart(8, '0');
    return s.slice(0, len);
  };
  const random = (k: number) => {
    const b = new Uint8Array(k);
    for (let i = 0; i < k; i++) b[i] = Math.floor(rnd() * 256);
    return b;
  };
  const shas = shaPool(4096);
  const out: BenchMessage[] = new Array(n);
  let ms = opts.startMs;
  for (let i = 0; i < n; i++) {
    ms += int(0, 4);
    const tenant = pick(TENANTS);
    const user = `u${String(int(0, USERS_PER_TENANT - 1)).padStart(3, '0')}@${tenant}.example.com`;
    const srv = pick(SERVERS);
    const tool = pick(srv.tools);
    const [clientName, clientVersion] = pick(CLIENTS);
    const home = `/home/${user.slice(0, 4)}/project`;
    const kindDraw = rnd();
    const e: AuditEventV1 = {
      schema_version: 1,
      event_id: uuidv7(ms, random),
      ts: new Date(ms).toISOString(),
      tenant_id: tenant,
      kind: 'session',
      mcp: { method: 'initialize', session_id: hex(16) },
      actor: { user_id: user, client_name: clientName },
      server: { name: srv.name, transport: srv.transport },
      duration_ms: int(1, 1500),
    };
    // Optional fields in only some events, as with producers of differing maturity.
    if (rnd() < 0.5) e.mcp.request_id = int(1, 5000);
    if (rnd() < 0.5) e.actor.client_version = clientVersion;
    if (rnd() < 0.5) e.server.version = srv.version;
    if (rnd() < 0.3) e.actor.agent_id = `agent-${hex(6)}`;
    if (rnd() < 0.08) e.trace = { trace_id: hex(32), span_id: hex(16) };
    if (kindDraw < 0.55) {
      // Mostly tool calls, the event that carries the most fields.
      const status = pick(STATUS);
      e.kind = 'tool_call';
      e.mcp.method = 'tools/call';
      e.tool = rnd() < 0.3 ? { name: tool, call_id: `call_${hex(12)}` } : { name: tool };
      // key=value text, not JSON: see the comment at the top of this file.
      let preview: string;
      switch (tool) {
        case 'read_file':
        case 'write_file':
        case 'list_directory': {
          const path = tool === 'list_directory' ? home : `${home}/${pick(FILES)}`;
          preview = `path=${path}`;
          e.resource = { paths: [path] };
          break;
        }
        case 'fetch_url': {
          const host = pick(HOSTS);
          const url = `https://${host}/v1/items?page=${int(1, 9)}`;
          preview = `url=${url}`;
          e.resource = { urls: [url], hosts: [host] };
          break;
        }
        case 'query': {
          const table = pick(TABLES);
          preview = `sql=SELECT id, email FROM ${table} LIMIT 100`;
          e.resource = { tables: [table] };
          break;
        }
        case 'slack_post_message':
        case 'send_email': {
          const to = tool === 'send_email' ? `ops@${pick(['acme.com', 'gmail.com'])}` : pick(CHANNELS);
          preview = `to=${to} text=[REDACTED ${int(10, 900)} bytes]`;
          e.resource = { recipients: [to] };
          break;
        }
        default:
          preview = `limit=${int(1, 100)}`;
      }
      // Half the producers record arguments (redacted preview plus hash), half only the targets.
      if (rnd() < 0.5) e.arguments = { preview, sha256: pick(shas), size_bytes: preview.length + int(0, 200) };
      e.result =
        status === 'ok'
          ? { status, size_bytes: int(20, 40_000) }
          : { status, error_type: status === 'error' ? pick(['ENOENT', 'timeout']) : 'policy_denied' };
    } else if (kindDraw < 0.8) {
      e.kind = 'resource_read';
      e.mcp.method = 'resources/read';
      e.resource = { urls: [`file://${home}/${pick(FILES)}`] };
      e.result = { status: 'ok', size_bytes: int(100, 20_000) };
    } else {
      e.mcp.protocol_version = '2025-06-18';
    }
    onEvent?.(e, i);
    const json = JSON.stringify(e);
    assertTsvSafe(json);
    out[i] = { key: Buffer.from(eventKey(e)), value: Buffer.from(json) };
  }
  return out;
}

/** Throws when `json` holds a character that TabSeparated would unescape or split on. */
export function assertTsvSafe(json: string): void {
  if (/[\\\t\n\r]/.test(json)) throw new Error(`bench event is not TSV-safe (backslash, tab or newline): ${json.slice(0, 120)}`);
}
