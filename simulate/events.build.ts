// Turns a simulated session's actions into v1 audit events, shaped as capture would report them:
// arguments redacted in the preview, hashed and sized from the raw form, targets extracted.
import { uuidv7 } from '../core/ids.ts';
import type { AuditEventV1 } from '../schemas/event.v1.ts';
import { listing, sha256, SERVERS, type SimTool } from './catalog.ts';
import type { SimUser } from './population.ts';
import type { Rng } from './rng.ts';

export interface SimSession {
  user: SimUser;
  id: string;
  agent: string;
  nextRequest: number;
}

export interface SimCall {
  server: string;
  tool: string;
  /** The arguments as the preview shows them (already redacted where capture would redact). */
  args: Record<string, unknown>;
  /** Bytes of the raw arguments beyond the preview (file contents, mail bodies) that capture hashed but did not show. */
  hiddenBytes?: number;
  resource?: NonNullable<AuditEventV1['resource']>;
  resultBytes: number;
  status?: 'ok' | 'error' | 'denied';
  errorType?: string;
  durationMs: number;
}

export function newSession(rng: Rng, user: SimUser): SimSession {
  return { user, id: rng.hex(32), agent: rng.pick(user.agents), nextRequest: 1 };
}

const usualListing = new Map<string, ReturnType<typeof listing>>();
/** The usual listing of a known server, computed once (hashing on every event would dominate generation). */
function usualFingerprint(serverName: string): string | undefined {
  const server = SERVERS[serverName];
  if (!server) return undefined;
  let l = usualListing.get(serverName);
  if (!l) usualListing.set(serverName, (l = listing(server.tools)));
  return l.fingerprint;
}

function base(rng: Rng, s: SimSession, atMs: number, serverName: string, kind: AuditEventV1['kind'], method: string): AuditEventV1 {
  const ms = Math.round(atMs);
  const server = SERVERS[serverName];
  return {
    schema_version: 1,
    event_id: uuidv7(ms, (n) => rng.bytes(n)),
    ts: new Date(ms).toISOString(),
    tenant_id: s.user.tenant_id,
    kind,
    mcp: { method, session_id: s.id, protocol_version: '2025-06-18', request_id: s.nextRequest++ },
    actor: {
      user_id: s.user.user_id,
      agent_id: s.agent,
      client_name: s.user.client.name,
      client_version: s.user.client.version,
      source_address: s.user.sourceAddress,
    },
    server: server
      ? { name: server.name, version: server.version, transport: server.transport, fingerprint: usualFingerprint(serverName)! }
      : { name: serverName, transport: 'stdio' },
    trace: { trace_id: rng.hex(32), span_id: rng.hex(16) },
  };
}

export function sessionEvent(rng: Rng, s: SimSession, ms: number, serverName: string): AuditEventV1 {
  const e = base(rng, s, ms, serverName, 'session', 'initialize');
  e.duration_ms = rng.int(5, 120);
  return e;
}

/** A tools/list answer; `tools` overrides the server's usual tools (rug pulls, third-party servers). */
export function toolListEvent(rng: Rng, s: SimSession, ms: number, serverName: string, tools?: readonly SimTool[], version?: string): AuditEventV1 {
  const e = base(rng, s, ms, serverName, 'tool_list', 'tools/list');
  const l = listing(tools ?? SERVERS[serverName]?.tools ?? []);
  e.server.fingerprint = l.fingerprint;
  if (version) e.server.version = version;
  e.tools = l.tools;
  e.duration_ms = rng.int(2, 60);
  return e;
}

export function toolCallEvent(rng: Rng, s: SimSession, ms: number, c: SimCall): AuditEventV1 {
  const e = base(rng, s, ms, c.server, 'tool_call', 'tools/call');
  const preview = JSON.stringify(c.args);
  const status = c.status ?? 'ok';
  e.tool = { name: c.tool, call_id: `toolu_${rng.hex(24)}` };
  e.arguments = {
    preview: preview.length > 4096 ? preview.slice(0, 4093) + '...' : preview,
    sha256: sha256(`${preview}#${c.hiddenBytes ?? 0}`),
    size_bytes: Buffer.byteLength(preview) + (c.hiddenBytes ?? 0),
  };
  if (c.resource && Object.keys(c.resource).length > 0) e.resource = c.resource;
  e.result =
    status === 'ok' ? { status, size_bytes: Math.max(0, Math.round(c.resultBytes)), sha256: sha256(`${e.event_id}:result`) }
    : { status, error_type: c.errorType ?? (status === 'denied' ? 'policy_denied' : 'tool_error') };
  e.duration_ms = Math.round(c.durationMs);
  return e;
}
