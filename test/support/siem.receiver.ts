// A real local HTTP receiver for notifier tests: records every request (headers and raw body) and
// answers with whatever status the test's `respond` function decides, so tests can play a SIEM that
// is healthy, down (500), throttling (429 + Retry-After), gone (410) or refusing (400).
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  at: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** The bytes as sent (binary bodies such as OTLP protobuf). */
  raw: Buffer;
  status: number;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  /** Wait this long before answering (to keep requests in flight). */
  delayMs?: number;
  /** Answer body; a small JSON text by default. */
  body?: string | Buffer;
}

export interface TestReceiver {
  url: string;
  port: number;
  requests: ReceivedRequest[];
  /** Requests answered 2xx. */
  accepted(): ReceivedRequest[];
  close(): Promise<void>;
}

export async function startTestReceiver(respond: (req: { headers: IncomingHttpHeaders; body: string; raw: Buffer; n: number }) => Reply = () => ({ status: 200 }), path = '/hook', port = 0): Promise<TestReceiver> {
  const requests: ReceivedRequest[] = [];
  let n = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const body = raw.toString('utf8');
      const reply = respond({ headers: req.headers, body, raw, n: n++ });
      const answer = () => {
        requests.push({ at: Date.now(), headers: req.headers, body, raw, status: reply.status });
        res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
        res.end(reply.body ?? (reply.status < 300 ? '{"text":"Success","code":0}' : '{"error":"test receiver"}'));
      };
      if (reply.delayMs) setTimeout(answer, reply.delayMs);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${bound}${path}`,
    port: bound,
    requests,
    accepted: () => requests.filter((r) => r.status >= 200 && r.status < 300),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
