// `mcp-audit proxy --http`: a reverse proxy in front of a remote MCP server speaking Streamable
// HTTP. Requests and responses are streamed through unchanged (status, headers, body bytes); a copy
// of each POSTed JSON-RPC body and of its answer (JSON, or the `data:` lines of an SSE stream) is
// parsed and correlated into audit events. GET streams (server-initiated messages) and DELETE
// are relayed without auditing: they carry no client calls.
//
// Identity: the configured one (flags, then MCP_AUDIT_* environment), or, when identity headers
// are enabled, the X-MCP-Audit-Tenant / -User / -Agent request headers, which then win and are not
// passed upstream. Enable them only behind a gateway that sets them itself: a client could lie.
import { createServer, request as httpRequest, Agent as HttpAgent, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { request as httpsRequest, Agent as HttpsAgent } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../core/logger.ts';
import type { AuditEventV2 } from '../schemas/event.v2.ts';
import { CallTracker } from './call.tracker.ts';
import type { BuildOptions, Identity, SessionInfo } from './event.builder.ts';

export interface HttpProxyOptions {
  host: string;
  port: number;
  upstream: URL;
  identity: Partial<Identity>;
  identityHeaders: boolean;
  serverName?: string;
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
/** Largest body kept for parsing; a bigger one is relayed all the same but not audited. */
const MAX_OBSERVED_BYTES = 16 * 1024 * 1024;
/** Sessions remembered (client and server info per MCP session id), oldest forgotten first. */
const MAX_SESSIONS = 10_000;

const TENANT_RE = /^[A-Za-z0-9._-]{1,128}$/;

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Collects a bounded copy of a stream's bytes without consuming it for anyone else. */
function tap(stream: NodeJS.ReadableStream, onChunk?: (chunk: Buffer) => void): () => Buffer | null {
  const parts: Buffer[] = [];
  let size = 0;
  stream.on('data', (chunk: Buffer) => {
    onChunk?.(chunk);
    if (size <= MAX_OBSERVED_BYTES) parts.push(chunk);
    size += chunk.length;
  });
  return () => (size > MAX_OBSERVED_BYTES ? null : Buffer.concat(parts));
}

/** Incremental parser of an SSE stream: calls `onData` with each event's joined `data:` lines. */
function sseParser(onData: (data: string) => void): (chunk: Buffer) => void {
  let buffered = '';
  let data: string[] = [];
  return (chunk) => {
    buffered += chunk.toString('utf8');
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl).replace(/\r$/, '');
      buffered = buffered.slice(nl + 1);
      if (line === '') {
        if (data.length) onData(data.join('\n'));
        data = [];
      } else if (line.startsWith('data:')) data.push(line.slice(line.startsWith('data: ') ? 6 : 5));
    }
    if (buffered.length > MAX_OBSERVED_BYTES) buffered = '';
  };
}

const parse = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
};

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
    const requestBody = audited ? tap(req) : () => null;
    let tracker: CallTracker | null = null;
    let initializing = false;
    const observeRequest = () => {
      if (!audited || tracker) return;
      const body = requestBody();
      const message = body ? parse(body.toString('utf8')) : null;
      const sessionId = header(req, 'mcp-session-id');
      initializing = !sessionId && (Array.isArray(message) ? message : [message]).some((m) => (m as { method?: unknown })?.method === 'initialize');
      tracker = new CallTracker({
        session: initializing ? newSession() : sessionFor(sessionId),
        identity: who,
        build: deps.capture.build,
        emit: (e) => deps.capture.push(e),
        onError: (err) => deps.log.error({ err }, 'could not audit a message'),
      });
      if (message !== null) tracker.fromClient(message);
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
      if (type.includes('text/event-stream')) {
        const feed = sseParser((data) => {
          const m = parse(data);
          if (m !== null) t.fromServer(m);
        });
        upstreamRes.on('data', feed);
        upstreamRes.on('end', finish);
        upstreamRes.on('close', finish);
      } else {
        const body = tap(upstreamRes);
        upstreamRes.on('end', () => {
          const b = body();
          const m = b && type.includes('json') ? parse(b.toString('utf8')) : null;
          if (m !== null) t.fromServer(m);
          finish();
        });
      }
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
