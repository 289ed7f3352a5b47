// One HTTP POST to a destination, with a hard timeout and the SSRF guard at connect time. Returns
// the status, Retry-After and the start of the answer (OTLP puts partial success there), or why no
// status came back; it never throws. Redirects are not followed (a redirect could point anywhere,
// including inside the network).
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { AttemptFailure } from './delivery.retry.ts';
import { guardedLookup, refusalOfLiteralHost, SsrfRefusedError } from './ssrf.guard.ts';

export type SendResult =
  | { status: number; retryAfter: string | null; ms: number; body?: Buffer; contentType?: string | null }
  | { failure: AttemptFailure; detail: string; ms: number };

export interface HttpSender {
  post(body: string | Uint8Array, headers: Record<string, string>, signal?: AbortSignal): Promise<SendResult>;
  close(): void;
}

/** Longest answer body read; a receiver sending more is cut off. */
const MAX_RESPONSE_BYTES = 64 * 1024;

export function createHttpSender(opts: { url: string; timeoutMs: number; allowNetworks: readonly string[]; maxSockets: number }): HttpSender {
  const url = new URL(opts.url);
  const allowed = new Set(opts.allowNetworks);
  const https = url.protocol === 'https:';
  // Keep-alive: an alert burst reuses connections instead of a TLS handshake per alert. The guard
  // runs for every new socket, because `lookup` is part of the connect options.
  const agent = https ? new HttpsAgent({ keepAlive: true, maxSockets: opts.maxSockets }) : new HttpAgent({ keepAlive: true, maxSockets: opts.maxSockets });
  const lookup = guardedLookup(allowed);
  const literalRefusal = refusalOfLiteralHost(url.hostname, allowed);

  return {
    post(body, headers, signal) {
      const started = performance.now();
      const ms = () => Math.round(performance.now() - started);
      if (literalRefusal) return Promise.resolve({ failure: 'ssrf_refused', detail: literalRefusal, ms: 0 });
      return new Promise<SendResult>((resolve) => {
        let settled = false;
        const done = (r: SendResult) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          resolve(r);
        };
        const send = https ? httpsRequest : httpRequest;
        const req = send(url, {
          method: 'POST',
          agent,
          lookup: lookup as never,
          headers: { ...headers, 'content-length': typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength, 'user-agent': 'mcp-audit-notifier' },
        });
        // One deadline for the whole exchange: connect, send, and the complete answer.
        const timer = setTimeout(() => {
          req.destroy();
          done({ failure: 'timeout', detail: `no complete answer within ${opts.timeoutMs} ms`, ms: ms() });
        }, opts.timeoutMs);
        const onAbort = () => {
          req.destroy();
          done({ failure: 'network', detail: 'aborted (stopping)', ms: ms() });
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        req.on('error', (err) => {
          if (err instanceof SsrfRefusedError) done({ failure: 'ssrf_refused', detail: err.message, ms: ms() });
          else done({ failure: 'network', detail: `${(err as NodeJS.ErrnoException).code ?? 'error'}: ${err.message}`, ms: ms() });
        });
        req.on('response', (res: IncomingMessage) => {
          let read = 0;
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => {
            read += chunk.length;
            if (read > MAX_RESPONSE_BYTES) res.destroy();
            else chunks.push(chunk);
          });
          const finish = () => {
            const ra = res.headers['retry-after'];
            done({
              status: res.statusCode ?? 0,
              retryAfter: Array.isArray(ra) ? (ra[0] ?? null) : (ra ?? null),
              ms: ms(),
              body: Buffer.concat(chunks),
              contentType: res.headers['content-type'] ?? null,
            });
          };
          res.on('end', finish);
          res.on('close', finish);
          res.on('error', finish);
        });
        req.end(body);
      });
    },
    close() {
      agent.destroy();
    },
  };
}
