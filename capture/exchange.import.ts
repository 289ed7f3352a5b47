// Turns recorded MCP exchanges (a gateway's JSON-RPC log, a forensic capture, a benchmark export)
// into the audit events the proxy would have made for them, with the recorded times. Each line is
// one exchange: who, which server, the JSON-RPC request and its response. The events come from
// capture's own builder, and the session state the proxy keeps (client, protocol version, the
// fingerprint of the last tool list, the server's own name) is kept here per recorded session, so
// an imported call looks exactly like a proxied one.
import { z } from 'zod';
import { buildEvent, type BuildOptions, type Identity, type ObservedCall, type SessionInfo } from './event.builder.ts';

/** The event the builder makes, whatever contract version it emits. */
export type ImportedEvent = NonNullable<ReturnType<typeof buildEvent>>;

const jsonRpcId = z.union([z.string(), z.number()]);
const request = z.looseObject({
  jsonrpc: z.string().optional(),
  id: jsonRpcId.nullable().optional(),
  method: z.string().min(1),
  params: z.unknown().optional(),
});
const response = z
  .looseObject({
    id: jsonRpcId.nullable().optional(),
    result: z.unknown().optional(),
    error: z.looseObject({ code: z.number(), message: z.string().optional() }).optional(),
  })
  .refine((r) => 'result' in r || r.error !== undefined, 'a JSON-RPC response needs result or error');

/** One line of the input: `{ts, tenant_id, user_id, agent_id?, client?, session_id?, server, request, response, duration_ms?}`. */
export const exchangeRecord = z.looseObject({
  ts: z.iso.datetime({ offset: true }),
  tenant_id: z.string().min(1),
  user_id: z.string().min(1),
  agent_id: z.string().min(1).optional(),
  client: z.looseObject({ name: z.string().min(1), version: z.string().optional() }).optional(),
  session_id: z.string().min(1).optional(),
  server: z.looseObject({ name: z.string().min(1), transport: z.string().min(1) }),
  request: z.union([request, z.array(request).min(1)]),
  response: z.union([response, z.array(response), z.null()]),
  duration_ms: z.number().min(0).optional(),
  /** mcp.protocol.version, when the recording knows it without an initialize exchange (OTLP spans). */
  protocol_version: z.string().min(1).optional(),
  /** client.address of the caller. */
  source_address: z.string().min(1).optional(),
});
export type ExchangeRecord = z.infer<typeof exchangeRecord>;

export interface BadLine {
  line: number;
  reason: string;
}

export interface ImportSummary {
  /** Non-blank input lines. */
  lines: number;
  /** Audit events built (and handed to `emit`). */
  events: number;
  /** Well-formed exchanges of methods capture does not report (initialize, ping, notifications...). */
  notAudited: number;
  bad: BadLine[];
}

const TRANSPORTS: Record<string, SessionInfo['transport']> = {
  stdio: 'stdio',
  http: 'http',
  'streamable-http': 'http',
  streamable_http: 'http',
  sse: 'sse',
};

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Why a line does not parse as an exchange, in one short sentence. */
function describeIssues(err: z.ZodError): string {
  return err.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(line)'}: ${i.message}`)
    .join('; ');
}

/**
 * Builds events from exchange lines in input order. Sessions are told apart by tenant, user,
 * agent, server and session id, so a `tools/list` fingerprints the later calls of that server only.
 */
export class ExchangeImporter {
  private readonly sessions = new Map<string, SessionInfo>();
  private readonly build: BuildOptions;
  private readonly maxSessions: number;
  readonly summary: ImportSummary = { lines: 0, events: 0, notAudited: 0, bad: [] };

  /** `maxSessions` bounds the session state of a long-running importer (the OTLP receiver); the least recently used is forgotten. */
  constructor(build: BuildOptions, opts: { maxSessions?: number } = {}) {
    this.build = build;
    this.maxSessions = opts.maxSessions ?? Number.POSITIVE_INFINITY;
  }

  /**
   * The events of one exchange given as a value rather than a line (the OTLP receiver maps spans to
   * exchanges): `{events}`, or `{reason}` when it is not a valid exchange or could not be built.
   */
  importExchange(value: unknown): { events: ImportedEvent[] } | { reason: string } {
    const parsed = exchangeRecord.safeParse(value);
    if (!parsed.success) return { reason: describeIssues(parsed.error) };
    try {
      return { events: this.importRecord(parsed.data) };
    } catch (err) {
      return { reason: `could not build the event: ${(err as Error).message}` };
    }
  }

  /** The events of one input line (none for a blank line); a bad line is recorded in the summary. */
  importLine(text: string, lineNumber: number): ImportedEvent[] {
    if (!text.trim()) return [];
    this.summary.lines++;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      return this.bad(lineNumber, `not JSON: ${(err as Error).message}`);
    }
    const parsed = exchangeRecord.safeParse(json);
    if (!parsed.success) return this.bad(lineNumber, describeIssues(parsed.error));
    try {
      return this.importRecord(parsed.data);
    } catch (err) {
      return this.bad(lineNumber, `could not build the event: ${(err as Error).message}`);
    }
  }

  private bad(line: number, reason: string): [] {
    this.summary.bad.push({ line, reason });
    return [];
  }

  private importRecord(rec: ExchangeRecord): ImportedEvent[] {
    const identity: Identity = {
      tenantId: rec.tenant_id,
      userId: rec.user_id,
      ...(rec.agent_id ? { agentId: rec.agent_id } : {}),
      ...(rec.source_address ? { sourceAddress: rec.source_address } : {}),
    };
    const session = this.sessionOf(rec);
    const startedAtMs = Date.parse(rec.ts);
    const requests = Array.isArray(rec.request) ? rec.request : [rec.request];
    const responses = rec.response === null ? [] : Array.isArray(rec.response) ? rec.response : [rec.response];
    const out: ImportedEvent[] = [];
    for (const req of requests) {
      const params = isObject(req.params) ? req.params : undefined;
      // A notification has no answer and no event, as in the proxy.
      if (req.id === undefined || req.id === null) {
        this.summary.notAudited++;
        continue;
      }
      // In a batch each request takes the response with its id; a single exchange takes its response.
      const res = requests.length === 1 && responses.length === 1 ? responses[0] : responses.find((r) => r.id === req.id);
      const outcome: ObservedCall['outcome'] = !res
        ? { missing: 'no_response' }
        : res.error
          ? { error: { code: res.error.code, message: String(res.error.message ?? '') } }
          : { result: res.result };
      if (req.method === 'initialize') {
        this.noteInitialize(session, params, outcome);
        this.summary.notAudited++;
        continue;
      }
      const event = buildEvent(
        { method: req.method, requestId: req.id, params, startedAtMs, durationMs: rec.duration_ms ?? 0, outcome },
        identity,
        session,
        this.build,
      );
      if (event) out.push(event);
      else this.summary.notAudited++;
    }
    this.summary.events += out.length;
    return out;
  }

  private sessionOf(rec: ExchangeRecord): SessionInfo {
    const key = JSON.stringify([rec.tenant_id, rec.user_id, rec.agent_id ?? '', rec.server.name, rec.server.transport, rec.session_id ?? '']);
    let session = this.sessions.get(key);
    if (!session) {
      session = {
        transport: TRANSPORTS[rec.server.transport.toLowerCase()] ?? 'other',
        fallbackServerName: rec.server.name,
        ...(rec.session_id ? { sessionId: rec.session_id } : {}),
      };
    } else this.sessions.delete(key); // re-inserted below: the map's order is least recently used first
    this.sessions.set(key, session);
    if (this.sessions.size > this.maxSessions) this.sessions.delete(this.sessions.keys().next().value!);
    if (rec.protocol_version) session.protocolVersion = rec.protocol_version;
    // The recorded client is what the gateway saw for this exchange; it wins over an older initialize.
    if (rec.client) {
      session.clientName = rec.client.name;
      if (rec.client.version !== undefined) session.clientVersion = rec.client.version;
    }
    return session;
  }

  /** What the proxy learns from an `initialize` exchange: client, protocol version, the server's own name. */
  private noteInitialize(session: SessionInfo, params: Record<string, unknown> | undefined, outcome: ObservedCall['outcome']): void {
    const client = isObject(params?.clientInfo) ? params.clientInfo : undefined;
    if (typeof client?.name === 'string' && !session.clientName) session.clientName = client.name;
    if (typeof client?.version === 'string' && !session.clientVersion) session.clientVersion = client.version;
    if (typeof params?.protocolVersion === 'string') session.protocolVersion = params.protocolVersion;
    if (!('result' in outcome) || !isObject(outcome.result)) return;
    const server = isObject(outcome.result.serverInfo) ? outcome.result.serverInfo : undefined;
    if (typeof server?.name === 'string' && server.name) session.serverName = server.name;
    if (typeof server?.version === 'string') session.serverVersion = server.version;
    if (typeof outcome.result.protocolVersion === 'string') session.protocolVersion = outcome.result.protocolVersion;
  }
}

/**
 * Imports every line of `lines` in order, handing each event to `emit` (awaited, so a slow sink
 * holds the reading back). Bad lines are skipped and listed in the summary with their number.
 */
export async function importExchanges(
  lines: AsyncIterable<string> | Iterable<string>,
  build: BuildOptions,
  emit: (event: ImportedEvent, lineNumber: number) => void | Promise<void>,
): Promise<ImportSummary> {
  const importer = new ExchangeImporter(build);
  let n = 0;
  for await (const line of lines) {
    n++;
    for (const event of importer.importLine(line, n)) await emit(event, n);
  }
  return importer.summary;
}
