// Realistic, valid v1 events for tests and benchmarks; deterministic when given a seed.
import { createHash } from 'node:crypto';
import { uuidv7 } from '../../core/ids.ts';
import { createRng } from '../../simulate/rng.ts';
import type { AuditEventV1 } from '../../schemas/event.v1.ts';

export type Rng = () => number;

/** The simulator's seeded generator (mulberry32), as a plain function. */
export function seededRng(seed: number): Rng {
  return createRng(seed).next;
}

export const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
export const int = (rng: Rng, min: number, max: number): number => min + Math.floor(rng() * (max - min + 1));
const hex = (rng: Rng, n: number): string => Array.from({ length: n }, () => int(rng, 0, 15).toString(16)).join('');
const bytesFrom = (rng: Rng) => (n: number) => Uint8Array.from({ length: n }, () => int(rng, 0, 255));
const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

const TENANTS: Record<string, readonly string[]> = {
  acme: ['alice@acme.com', 'bob@acme.com', 'carol@acme.com'],
  globex: ['hank@globex.io', 'lisa@globex.io'],
  'initech.prod': ['peter', 'samir', 'michael'],
};
const CLIENTS = [['claude-desktop', '0.9.3'], ['cursor', '1.4.2'], ['vscode-copilot', '1.102.0']] as const;

type Server = { name: string; version: string; transport: 'stdio' | 'http' | 'sse'; tools: readonly string[] };
const SERVERS: readonly Server[] = [
  { name: 'filesystem', version: '2025.7.1', transport: 'stdio', tools: ['read_file', 'write_file', 'list_directory'] },
  { name: 'slack', version: '1.3.0', transport: 'http', tools: ['slack_post_message', 'slack_list_channels'] },
  { name: 'gmail', version: '0.6.2', transport: 'http', tools: ['send_email', 'search_email'] },
  { name: 'postgres', version: '0.4.0', transport: 'stdio', tools: ['query'] },
  { name: 'fetch', version: '1.1.0', transport: 'sse', tools: ['fetch_url'] },
];
const FILES = ['src/index.ts', 'README.md', '.env', 'package.json', 'docs/design.md', 'src/db/schema.sql'];
const TABLES = ['customers', 'orders', 'invoices', 'audit_log'];
const CHANNELS = ['#general', '#eng-alerts', '#random', '@dave'];
const HOSTS = ['api.github.com', 'docs.python.org', 'pastebin.com', 'example.org'];

type Call = { args: Record<string, unknown>; resource: NonNullable<AuditEventV1['resource']> };

/** Arguments and extracted targets for one tool, shaped like what capture would emit. */
function callFor(rng: Rng, tool: string, user: string): Call {
  const home = `/home/${user.split('@')[0]}/project`;
  switch (tool) {
    case 'read_file':
    case 'write_file': {
      const path = `${home}/${pick(rng, FILES)}`;
      return { args: tool === 'read_file' ? { path } : { path, content: '[REDACTED 812 bytes]' }, resource: { paths: [path] } };
    }
    case 'list_directory':
      return { args: { path: home }, resource: { paths: [home] } };
    case 'slack_post_message': {
      const channel = pick(rng, CHANNELS);
      return { args: { channel, text: 'Deploy finished: 3 services updated, 0 errors.' }, resource: { recipients: [channel] } };
    }
    case 'send_email': {
      const to = [`${pick(rng, ['ops', 'finance', 'jane'])}@${pick(rng, ['acme.com', 'partner.example', 'gmail.com'])}`];
      return { args: { to, subject: 'Weekly report', body: '[REDACTED 2.1 KB]' }, resource: { recipients: to } };
    }
    case 'query': {
      const table = pick(rng, TABLES);
      return { args: { sql: `SELECT id, email, created_at FROM ${table} WHERE created_at > $1 LIMIT 100` }, resource: { tables: [table] } };
    }
    case 'fetch_url': {
      const host = pick(rng, HOSTS);
      const url = `https://${host}/v1/items?page=${int(rng, 1, 9)}`;
      return { args: { url }, resource: { urls: [url], hosts: [host] } };
    }
    case 'search_email':
      return { args: { query: 'from:billing newer_than:7d', max_results: 20 }, resource: {} };
    default:
      return { args: { limit: 50 }, resource: {} };
  }
}

const STATUS: readonly (NonNullable<AuditEventV1['result']>['status'])[] = ['ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'error', 'denied'];
const KINDS: readonly AuditEventV1['kind'][] = ['tool_call', 'tool_call', 'tool_call', 'tool_call', 'tool_call', 'tool_call', 'tool_call', 'resource_read', 'tool_list', 'session'];

/** One event from `rng` at time `ms`; `overrides` are applied last (shallow) and win. */
export function eventFrom(rng: Rng, ms: number, overrides: Partial<AuditEventV1> = {}): AuditEventV1 {
  const tenant = overrides.tenant_id ?? pick(rng, Object.keys(TENANTS));
  const user = overrides.actor?.user_id ?? pick(rng, TENANTS[tenant] ?? ['alice@acme.com']);
  const kind = overrides.kind ?? pick(rng, KINDS);
  const srv = pick(rng, SERVERS);
  const [clientName, clientVersion] = pick(rng, CLIENTS);
  const session = hex(rng, 16);
  const base: AuditEventV1 = {
    schema_version: 1,
    event_id: uuidv7(ms, bytesFrom(rng)),
    ts: new Date(ms).toISOString(),
    tenant_id: tenant,
    kind,
    mcp: { method: 'initialize', session_id: session, request_id: int(rng, 1, 5000) },
    actor: { user_id: user, client_name: clientName, client_version: clientVersion },
    server: { name: srv.name, version: srv.version, transport: srv.transport },
    duration_ms: int(rng, 1, 1500),
  };
  // Optional fields appear in only some events, as with real producers of differing maturity.
  if (rng() < 0.3) base.actor.agent_id = `agent-${hex(rng, 6)}`;
  if (rng() < 0.3) base.trace = { trace_id: hex(rng, 32), span_id: hex(rng, 16) };
  if (kind === 'session') base.mcp.protocol_version = '2025-06-18';
  if (kind === 'tool_call') {
    const tool = pick(rng, srv.tools);
    const { args, resource } = callFor(rng, tool, user);
    const raw = JSON.stringify(args);
    const status = pick(rng, STATUS);
    base.mcp.method = 'tools/call';
    base.tool = rng() < 0.5 ? { name: tool, call_id: `call_${hex(rng, 12)}` } : { name: tool };
    base.arguments = { preview: raw, sha256: sha(raw), size_bytes: Buffer.byteLength(raw) };
    if (Object.keys(resource).length > 0) base.resource = resource;
    const size = int(rng, 20, 40_000);
    base.result =
      status === 'ok' ? (rng() < 0.3 ? { status, size_bytes: size, sha256: sha(`${raw}:${size}`) } : { status, size_bytes: size })
      : status === 'error' ? { status, error_type: pick(rng, ['ENOENT', 'timeout', 'rate_limited']) }
      : { status, error_type: 'policy_denied' };
  } else if (kind === 'tool_list') {
    base.mcp.method = 'tools/list';
    base.server.fingerprint = sha(srv.tools.join(','));
    base.tools = srv.tools.map((name) => {
      const description = `${name.replaceAll('_', ' ')} via the ${srv.name} server.`;
      return { name, description, description_sha256: sha(description) };
    });
  } else if (kind === 'resource_read') {
    const uri = `file:///home/${user.split('@')[0]}/project/${pick(rng, FILES)}`;
    base.mcp.method = 'resources/read';
    base.resource = { urls: [uri] };
    base.result = { status: 'ok', size_bytes: int(rng, 100, 20_000) };
  }
  return { ...base, ...overrides };
}

const FIXED_START_MS = Date.UTC(2025, 5, 2, 9, 0, 0);

let defaultRng: Rng = seededRng((Math.random() * 2 ** 32) >>> 0);

/** One realistic event; pass `seed` for a reproducible one. */
export function makeEvent(overrides: Partial<AuditEventV1> = {}, opts: { seed?: number; ms?: number } = {}): AuditEventV1 {
  const rng = opts.seed === undefined ? defaultRng : seededRng(opts.seed);
  return eventFrom(rng, opts.ms ?? (opts.seed === undefined ? Date.now() : FIXED_START_MS), overrides);
}

export interface MakeEventsOptions {
  seed?: number;
  /** Time of the first event; defaults to a fixed instant when seeded, else `n` steps before now. */
  startMs?: number;
  /** Mean gap between events (each gap is 0..2x this). */
  stepMs?: number;
  overrides?: Partial<AuditEventV1>;
}

/** `n` events in time order, like one stream of agents' traffic. */
export function makeEvents(n: number, opts: MakeEventsOptions = {}): AuditEventV1[] {
  const rng = opts.seed === undefined ? defaultRng : seededRng(opts.seed);
  const step = opts.stepMs ?? 250;
  let ms = opts.startMs ?? (opts.seed === undefined ? Date.now() - n * step : FIXED_START_MS);
  const out: AuditEventV1[] = [];
  for (let i = 0; i < n; i++) {
    out.push(eventFrom(rng, ms, opts.overrides));
    ms += Math.floor(rng() * 2 * step);
  }
  return out;
}

/** Re-seeds the unseeded helpers (handy when a failing test should be replayed). */
export function reseedDefault(seed: number): void {
  defaultRng = seededRng(seed);
}
