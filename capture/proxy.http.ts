// `mcp-audit proxy --http`: a reverse proxy in front of a remote MCP server speaking Streamable
// HTTP. Requests and responses are streamed through unchanged (status, headers, body bytes); a copy
// of each POSTed JSON-RPC body and of its answer (JSON, or the `data:` lines of an SSE stream) is
// parsed and correlated into audit events. A compressed answer goes to the client as it came and
// is read through a decoder; a body bigger than the inspection budget is hashed (keyed) and sized as it
// streams and scanned for its method, id and tool, so its call is still recorded. GET streams (server-initiated messages) and DELETE
// are relayed without auditing: they carry no client calls.
//
// Both protocol generations: a 2025-era client opens a session with `initialize` and names it in
// `Mcp-Session-Id`; a 2026-07-28 client has no session and names its client and protocol version
// in each request's `params._meta` (mirrored in the `MCP-Protocol-Version`, `Mcp-Method` and
// `Mcp-Name` headers, see http.mirrored.ts). Trace context travels in `_meta` and passes unchanged.
//
// Identity: the configured one (flags, then MCP_AUDIT_* environment), or, when identity headers
// are enabled, the X-MCP-Audit-Tenant / -User / -Agent request headers, which then win and are not
// passed upstream. Enable them only behind a gateway that sets them itself: a client could lie.
import { createServer, request as httpRequest, Agent as HttpAgent, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { request as httpsRequest, Agent as HttpsAgent } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../core/logger.ts';
import type { AuditEventV2 } from '../schemas/event.v2.ts';
import { decoderFor } from './body.decoder.ts';
import { BodyInspector, DEFAULT_INSPECT_BYTES, type InspectedBody } from './body.inspector.ts';
import { requestsOf, responsesOf } from './body.messages.ts';
import { CallTracker } from './call.tracker.ts';
import type { BuildOptions, Identity, SessionInfo } from './event.builder.ts';
import { mirroredHeaders } from './http.mirrored.ts';
import { sseReader } from './sse.reader.ts';

export interface HttpProxyOptions {
  host: string;
  port: number;
  upstream: URL;
  identity: Partial<Identity>;
  identityHeaders: boolean;
  serverName?: string;
  /** Largest body read whole for inspection (bytes); bigger ones are hashed, sized and scanned. */
  inspectBytes?: number;
}

export interface HttpProxyDeps {
  capture: { push(event: AuditEventV2): void; build: BuildOptions };
  log: Logger;
}

export interface HttpProxy {
  port: number;
  close(): Promise<void>;
}

export const IDENTITY_HEADERS = { tenant: 'x-mcp-audit-tenant', user: 'x-mcp-audit-user', agent: 'x-mcp-audit-agent' } as const;

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host']);
/** Most decoded bytes read of one compressed answer: a decompression bomb must not pin the CPU. */
const MAX_DECODED_BYTES = 256 * 1024 * 1024;
/** Sessions remembered (client and server info per MCP session id), oldest forgotten first. */
const MAX_SESSIONS = 10_000;

const TENANT_RE = /^[A-Za-z0-9._-]{1,128}$/;

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export async function startHttpProxy(opts: HttpProxyOptions, deps: HttpProxyDeps): Promise<HttpProxy> {
  const secure = opts.upstream.protocol === 'https:';
  // Keep-alive to the upstream: a new TCP (and TLS) handshake per call would cost more than the
  // proxy itself.
  const agent = secure ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
  const send = secure ? httpsRequest : httpRequest;
  const sessions = new Map<string, SessionInfo>();
  const fallbackServerName = opts.serverName ?? opts.upstream.host;
  const newSession = (): SessionInfo => ({ transport: 'http', fallbackServerName });
  const stateless = newSession();
  const budget = opts.inspectBytes ?? DEFAULT_INSPECT_BYTES;

  function identityOf(req: IncomingMessage): Identity | string {
    const fromHeader = (name: string) => (opts.identityHeaders ? header(req, name)?.trim() || undefined : undefined);
    const tenantId = fromHeader(IDENTITY_HEADERS.tenant) ?? opts.identity.tenantId ?? 'default';
    const userId = fromHeader(IDENTITY_HEADERS.user) ?? opts.identity.userId;
    const agentId = fromHeader(IDENTITY_HEADERS.agent) ?? opts.identity.agentId;
    if (!userId) return `no user identity: set --user, MCP_AUDIT_USER${opts.identityHeaders ? ` or the ${IDENTITY_HEADERS.user} header` : ''}`;
    if (!TENANT_RE.test(tenantId)) return 'tenant id: letters, digits, . _ - only';
    return { tenantId, userId, ...(agentId ? { agentId } : {}), ...(req.socket.remoteAddress ? { sourceAddress: req.socket.remoteAddress } : {}) };
  }

  function sessionFor(id: string | undefined): SessionInfo {
    if (!id) return stateless;
    let s = sessions.get(id);
    if (!s) {
      s = { ...newSession(), sessionId: id };
      if (sessions.size >= MAX_SESSIONS) sessions.delete(sessions.keys().next().value!);
      sessions.set(id, s);
    }
    return s;
  }

  function target(req: IncomingMessage): URL {
    const incoming = new URL(req.url ?? '/', 'http://proxy');
    // The proxy's root and the upstream endpoint's own path both mean "the MCP endpoint"; any other
    // path (OAuth metadata, for example) goes to the same path on the upstream host.
    const url = incoming.pathname === '/' || incoming.pathname === opts.upstream.pathname ? new URL(opts.upstream) : new URL(incoming.pathname, opts.upstream.origin);
    if (incoming.search) url.search = incoming.search;
    return url;
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const who = identityOf(req);
    if (typeof who === 'string') {
      res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: who }));
      return;
    }
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (v === undefined || HOP_BY_HOP.has(k)) continue;
      if (opts.identityHeaders && Object.values(IDENTITY_HEADERS).includes(k as never)) continue;
      headers[k] = v;
    }
    const url = target(req);
    headers.host = url.host;
    const audited = req.method === 'POST';
    const requestBody = new BodyInspector({ key: deps.capture.build.hashKey, domain: 'arguments' }, budget);
    if (audited) req.on('data', (chunk: Buffer) => requestBody.write(chunk));
    let tracker: CallTracker | null = null;
    let initializing = false;
    const observeRequest = () => {
      if (!audited || tracker) return;
      const mirrored = mirroredHeaders(req.headers);
      const { message, uninspected } = requestsOf(requestBody.end(), mirrored);
      if (uninspected) {
        deps.log.warn({ bytes: uninspected.size_bytes, budget, upstream: url.origin }, 'request body over the inspection budget: inspection skipped beyond it; call recorded by hash and size');
      }
      const sessionId = header(req, 'mcp-session-id');
      initializing = !sessionId && (Array.isArray(message) ? message : [message]).some((m) => (m as { method?: unknown })?.method === 'initialize');
      tracker = new CallTracker({
        session: initializing ? newSession() : sessionFor(sessionId),
        identity: who,
        build: deps.capture.build,
        emit: (e) => deps.capture.push(e),
        onError: (err) => deps.log.error({ err }, 'could not audit a message'),
      });
      if (message !== null) tracker.fromClient(message, { identity: who, ...(uninspected ? { uninspected } : {}), ...(mirrored.protocolVersion ? { protocolVersion: mirrored.protocolVersion } : {}) });
    };
    req.on('end', observeRequest);

    const upstreamReq = send(url, { method: req.method, headers, agent }, (upstreamRes) => {
      const resHeaders: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(upstreamRes.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) resHeaders[k] = v;
      res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.statusMessage, resHeaders);
      upstreamRes.pipe(res);
      if (!audited) return;
      observeRequest();
      const t = tracker!;
      // A new session: the server names it in the answer to `initialize`; remember it under that id.
      // A stateless server names none: what `initialize` told us then holds for all later calls.
      const newId = upstreamRes.headers['mcp-session-id'];
      if (initializing && typeof newId === 'string') {
        t.session.sessionId = newId;
        if (sessions.size >= MAX_SESSIONS) sessions.delete(sessions.keys().next().value!);
        sessions.set(newId, t.session);
      }
      let finished = false;
      const finish = () => {
        if (finished) return;
        finished = true;
        t.close();
        if (initializing && typeof newId !== 'string') Object.assign(stateless, t.session);
      };
      const type = String(upstreamRes.headers['content-type'] ?? '');
      const sse = type.includes('text/event-stream');
      const decoder = decoderFor(upstreamRes.headers['content-encoding']);
      if ((!sse && !type.includes('json')) || decoder === undefined) {
        if (decoder === undefined) deps.log.warn({ encoding: upstreamRes.headers['content-encoding'], upstream: url.origin }, 'answer in a content coding capture cannot read: not inspected');
        upstreamRes.on('end', finish);
        upstreamRes.on('close', finish);
        return;
      }
      const deliver = (body: InspectedBody) => {
        const { message, uninspected } = responsesOf(body);
        if (uninspected) deps.log.info({ bytes: uninspected.size_bytes, budget, upstream: url.origin }, 'answer over the inspection budget: inspection skipped beyond it; recorded by hash and size');
        if (message !== null) t.fromServer(message, uninspected);
      };
      // The client gets the bytes as they came (piped above); capture reads a decoded copy.
      const hashing = { key: deps.capture.build.hashKey, domain: 'result' } as const;
      const json = new BodyInspector(hashing, budget);
      const sink = sse ? sseReader(deliver, hashing, budget) : { write: (c: Buffer) => json.write(c), end: () => deliver(json.end()) };
      let done = false;
      const end = () => {
        if (done) return;
        done = true;
        sink.end();
        finish();
      };
      if (!decoder) {
        upstreamRes.on('data', (c: Buffer) => sink.write(c));
        upstreamRes.on('end', end);
        upstreamRes.on('close', end);
        return;
      }
      let decoded = 0;
      upstreamRes.on('data', (c: Buffer) => {
        if (!done) decoder.input.write(c);
      });
      upstreamRes.on('end', () => decoder.input.end());
      upstreamRes.on('close', () => {
        if (upstreamRes.complete) return; // the decoder's own end follows
        decoder.input.destroy();
        end();
      });
      decoder.output.on('data', (c: Buffer) => {
        if (done) return;
        decoded += c.length;
        if (decoded > MAX_DECODED_BYTES) {
          deps.log.warn({ decoded, upstream: url.origin }, 'compressed answer decodes past the limit: inspection stopped');
          decoder.output.destroy();
          return end();
        }
        sink.write(c);
      });
      decoder.output.on('end', end);
      decoder.output.on('error', (err) => {
        deps.log.warn({ err, upstream: url.origin }, 'could not decode the answer for inspection');
        end();
      });
    });
    upstreamReq.on('error', (err) => {
      deps.log.warn({ err, upstream: url.origin }, 'upstream request failed');
      observeRequest();
      tracker?.close();
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'upstream unreachable' }));
      else res.destroy();
    });
    req.pipe(upstreamReq);
    res.on('close', () => {
      if (!res.writableFinished) upstreamReq.destroy();
    });
  }

  const server: Server = createServer(handle);
  // SSE streams stay open for as long as a session lives: no request or socket timeout.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
        agent.destroy();
      }),
  };
}
