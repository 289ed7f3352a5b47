// Compact, valid events for rule fixtures, engine tests and the engine benchmark:
//   call({ at: '+30s', user: 'alice@acme.com', server: 'filesystem', tool: 'read_file', paths: ['/x'] })
// A v1 event unless one of the v2 fields (fingerprints, episode, secrets, keys) is given. Values of
// fingerprints are written readable ('email:mark@evil.example') and turned into the contract's
// `kind:16 hex` form here, so a fixture says which value flows where.
// Ids are UUIDv7 from the event time and a counter, so fixtures are reproducible.
import { createHash } from 'node:crypto';
import { uuidv7 } from '../../core/ids.ts';
import type { AuditEvent } from '../../schemas/event.ts';
import type { AuditEventV1 } from '../../schemas/event.v1.ts';
import { FINGERPRINT, type AuditEventV2, type InstructionMarker } from '../../schemas/event.v2.ts';

/** Tuesday 2025-06-03 10:00:00 UTC: fixtures' `at` offsets count from here. */
export const FIXTURE_START_MS = Date.UTC(2025, 5, 3, 10, 0, 0);

export interface CallSpec {
  /** Absolute ms, an ISO time, or an offset from FIXTURE_START_MS like '+90s', '+10m1s', '-2h'. */
  at: number | string;
  tenant?: string;
  user?: string;
  session?: string;
  kind?: AuditEventV1['kind'];
  server?: string;
  tool?: string;
  /** Arguments as an object (its JSON is the preview) or the preview text itself. */
  args?: Record<string, unknown> | string;
  paths?: string[];
  hosts?: string[];
  urls?: string[];
  recipients?: string[];
  tables?: string[];
  status?: 'ok' | 'error' | 'denied';
  resultBytes?: number;
  /** For kind tool_list. */
  tools?: { name: string; description: string }[];
  /** Fixed event id (for duplicate tests). */
  id?: string;
  /** v2: values in the arguments, the result and the destinations, as 'kind:value'. */
  fp?: { args?: string[]; result?: string[]; dest?: string[]; parties?: string[] };
  /** v2: the episode id (basis trace). */
  episode?: string;
  /** v2: kinds of secrets redaction removed from the arguments. */
  secrets?: string[];
  /** v2: top-level argument names (default: the keys of `args` when it is an object). */
  keys?: string[];
  /** v2: kinds of instruction aimed at the agent that capture found in the result. */
  instructions?: InstructionMarker[];
}

/** 'email:mark@evil.example' -> 'email:' + 16 hex, as capture would fingerprint it (fixture key). */
export function fixtureFingerprint(value: string): string {
  if (FINGERPRINT.test(value)) return value;
  const i = value.indexOf(':');
  const kind = i > 0 ? value.slice(0, i) : 'id';
  return `${kind}:${sha(`fixture-key:${value.slice(i + 1)}`).slice(0, 16)}`;
}

const isV2 = (spec: CallSpec) => spec.fp !== undefined || spec.episode !== undefined || spec.secrets !== undefined || spec.keys !== undefined || spec.instructions !== undefined;

let counter = 0;
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

export function timeOf(at: number | string): number {
  if (typeof at === 'number') return at;
  const m = /^([+-])((?:\d+(?:ms|s|m|h|d))+)$/.exec(at);
  if (!m) return Date.parse(at);
  let total = 0;
  for (const [, n, u] of m[2]!.matchAll(/(\d+)(ms|s|m|h|d)/g)) total += Number(n) * { ms: 1, s: 1e3, m: 6e4, h: 36e5, d: 864e5 }[u as 'ms' | 's' | 'm' | 'h' | 'd'];
  return FIXTURE_START_MS + (m[1] === '-' ? -1 : 1) * total;
}

/** Restarts the id counter (fixtures built twice come out byte-identical). */
export function resetIds(): void {
  counter = 0;
}

export function call(spec: CallSpec): AuditEvent {
  const e = callV1(spec);
  return isV2(spec) ? toV2(e, spec) : e;
}

function toV2(e: AuditEventV1, spec: CallSpec): AuditEventV2 {
  const { arguments: args, result, tools, ...rest } = e;
  const v2: AuditEventV2 = { ...rest, schema_version: 2, hash_key_id: 'fixture' };
  if (args) {
    const keys = spec.keys ?? (spec.args && typeof spec.args === 'object' ? Object.keys(spec.args) : undefined);
    v2.arguments = { preview: args.preview, hmac_sha256: args.sha256, size_bytes: args.size_bytes, ...(keys ? { keys } : {}), ...(spec.secrets ? { secrets: spec.secrets } : {}) };
  }
  if (result) {
    const { sha256, ...r } = result;
    v2.result = { ...r, ...(sha256 ? { hmac_sha256: sha256 } : {}), ...(spec.instructions ? { instructions: spec.instructions } : {}) };
  }
  if (tools) v2.tools = tools;
  if (spec.fp) {
    v2.fingerprints = {
      arguments: [...new Set([...(spec.fp.args ?? []), ...(spec.fp.dest ?? [])].map(fixtureFingerprint))],
      result: (spec.fp.result ?? []).map(fixtureFingerprint),
      destinations: (spec.fp.dest ?? []).map(fixtureFingerprint),
      ...(spec.fp.parties ? { parties: spec.fp.parties.map(fixtureFingerprint) } : {}),
    };
  }
  if (spec.episode) v2.episode = { id: spec.episode, basis: 'trace' };
  return v2;
}

function callV1(spec: CallSpec): AuditEventV1 {
  const ms = timeOf(spec.at);
  const n = ++counter;
  const kind = spec.kind ?? (spec.tools ? 'tool_list' : 'tool_call');
  const e: AuditEventV1 = {
    schema_version: 1,
    event_id: spec.id ?? uuidv7(ms, (len) => Uint8Array.from({ length: len }, (_, i) => (n * 31 + i * 7 + (n >> (i % 4))) & 0xff)),
    ts: new Date(ms).toISOString(),
    tenant_id: spec.tenant ?? 'acme',
    kind,
    mcp: {
      method: kind === 'tool_call' ? 'tools/call' : kind === 'tool_list' ? 'tools/list' : kind === 'auth_decision' ? 'auth/decision' : kind === 'resource_read' ? 'resources/read' : 'initialize',
      session_id: spec.session ?? 'sess-1',
    },
    actor: { user_id: spec.user ?? 'alice@acme.com', client_name: 'claude-desktop' },
    server: { name: spec.server ?? 'filesystem', transport: 'stdio' },
  };
  if (kind === 'tool_call') e.tool = { name: spec.tool ?? 'read_file' };
  if (spec.args !== undefined || kind === 'tool_call') {
    const raw = typeof spec.args === 'string' ? spec.args : JSON.stringify(spec.args ?? {});
    // Capture truncates the preview (the contract allows 4096 characters); the size stays the raw one.
    const preview = raw.length > 4096 ? `${raw.slice(0, 4000)}…[truncated]` : raw;
    e.arguments = { preview, sha256: sha(raw), size_bytes: Buffer.byteLength(raw) };
  }
  const resource: NonNullable<AuditEventV1['resource']> = {};
  if (spec.paths) resource.paths = spec.paths;
  if (spec.hosts) resource.hosts = spec.hosts;
  if (spec.urls) resource.urls = spec.urls;
  if (spec.recipients) resource.recipients = spec.recipients;
  if (spec.tables) resource.tables = spec.tables;
  if (Object.keys(resource).length > 0) e.resource = resource;
  if (kind === 'tool_call' || kind === 'auth_decision' || kind === 'resource_read') {
    e.result = { status: spec.status ?? 'ok', ...(spec.resultBytes !== undefined ? { size_bytes: spec.resultBytes } : {}) };
    if (spec.status === 'error') e.result.error_type = 'tool_error';
  }
  if (spec.tools) e.tools = spec.tools.map((t) => ({ name: t.name, description: t.description, description_sha256: sha(t.description) }));
  return e;
}

/** Many calls at once: `spec` fields apply to each, `at` offsets are spread by `everyMs`. */
export function calls(count: number, spec: Omit<CallSpec, 'at'> & { at: number | string; everyMs: number }): AuditEvent[] {
  const start = timeOf(spec.at);
  return Array.from({ length: count }, (_, i) => call({ ...spec, at: start + i * spec.everyMs }));
}
