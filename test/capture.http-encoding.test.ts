// The HTTP proxy in front of an upstream that compresses its answers (gzip, deflate, br; JSON and
// SSE): the client gets exactly the upstream's bytes, and capture reads a decoded copy, so each call
// is recorded with its status and sizes. Bodies past the inspection budget (a 20 MiB request, a
// 20 MiB answer) are still recorded, by streaming keyed hash (HMAC under the capture's key, over the
// raw bytes) and size, with a log line saying so.
import { mkdtempSync } from 'node:fs';
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCapture, type Capture } from '../capture/capture.ts';
import { keyedDigest, keyedHasher } from '../capture/hash.key.ts';
import { startHttpProxy, type HttpProxy } from '../capture/proxy.http.ts';
import { createKafka } from '../core/kafka.ts';
import { createLogger } from '../core/logger.ts';
import { auditEventV2, type AuditEventV2 } from '../schemas/event.v2.ts';
import { readTopicRaw, waitForTopic } from './capture.support.ts';
import { createTestEnv, eventually, testLog, type TestEnv } from './support/test.env.ts';

const BIG = 20 * 1024 * 1024;
const COMPRESS: Record<string, (b: Buffer) => Buffer> = { gzip: gzipSync, deflate: deflateSync, br: brotliCompressSync, identity: (b) => b };

let t: TestEnv;
let capture: Capture;
let upstream: Server;
let proxy: HttpProxy;
const logLines: { level: number; msg: string; bytes?: number }[] = [];

/** A JSON-RPC tool server that answers in the first coding the client accepts, as JSON or SSE. */
function resultFor(message: { method: string; params: { name: string; arguments: Record<string, unknown> } }, bytes: number): unknown {
  if (message.params.name === 'dump') return { content: [{ type: 'text', text: 'd'.repeat(BIG) }] };
  if (message.params.name === 'write_file') return { content: [{ type: 'text', text: `wrote ${bytes} bytes` }] };
  return { content: [{ type: 'text', text: `customer ${String(message.params.arguments.email)}: gold tier` }] };
}

beforeAll(async () => {
  t = await createTestEnv('capture_http_enc', { MCP_AUDIT_CAPTURE_SPILL_DIR: mkdtempSync(join(tmpdir(), 'mcpa-spill-')) });
  capture = createCapture(t.config, { kafka: createKafka(t.config.kafka, testLog), log: testLog });
  await waitForTopic(createKafka(t.config.kafka, testLog), t.config.topics.events);

  upstream = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(parts);
      const message = JSON.parse(raw.toString('utf8'));
      const answer = JSON.stringify({ result: resultFor(message, raw.length), jsonrpc: '2.0', id: message.id });
      const sse = req.headers['x-answer-as'] === 'sse';
      const body = Buffer.from(sse ? `event: message\r\nid: 1\r\ndata: ${answer}\r\n\r\n` : answer);
      const coding = String(req.headers['accept-encoding'] ?? 'identity').split(',')[0]!.trim();
      res.writeHead(200, {
        'content-type': sse ? 'text/event-stream' : 'application/json',
        ...(coding !== 'identity' ? { 'content-encoding': coding } : {}),
      });
      res.end(COMPRESS[coding]!(body));
    });
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  const log = createLogger('info', 'proxy', { write: (l: string) => void logLines.push(JSON.parse(l)) });
  proxy = await startHttpProxy(
    { host: '127.0.0.1', port: 0, upstream: new URL(`http://127.0.0.1:${(upstream.address() as AddressInfo).port}/mcp`), identity: { tenantId: 'acme' }, identityHeaders: true },
    { capture, log },
  );
});
afterAll(async () => {
  await proxy?.close();
  upstream?.closeAllConnections();
  upstream?.close();
  await capture?.stop();
  await t?.clickhouse.close();
});

/** POSTs `body` and returns the answer exactly as received: status, headers and raw bytes. */
function post(port: number, body: Buffer, headers: Record<string, string>): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/mcp', method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(parts) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const call = (name: string, args: Record<string, unknown>) => Buffer.from(JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name, arguments: args } }));

/** Sends through the proxy and directly; checks the client got the same bytes; returns the event. */
async function viaProxy(user: string, body: Buffer, headers: Record<string, string>): Promise<{ event: AuditEventV2; answer: Buffer }> {
  const direct = await post((upstream.address() as AddressInfo).port, body, headers);
  const proxied = await post(proxy.port, body, { ...headers, 'x-mcp-audit-user': user });
  expect(proxied.status).toBe(200);
  expect(proxied.headers['content-encoding']).toBe(direct.headers['content-encoding']);
  expect(proxied.body.equals(direct.body)).toBe(true);
  // The event is built once the decoded copy has been read, which may end just after the client's copy.
  let events: AuditEventV2[] = [];
  await eventually(async () => {
    expect(await capture.buffer.drain(30_000)).toBe(true);
    events = (await readTopicRaw(createKafka(t.config.kafka, testLog), t.config.topics.events))
      .map((m) => JSON.parse(m.value!.toString()) as AuditEventV2)
      .filter((e) => e.actor.user_id === user);
    return events.length > 0;
  }, 30_000);
  expect(events).toHaveLength(1);
  expect(auditEventV2.safeParse(events[0]).success).toBe(true);
  return { event: events[0]!, answer: proxied.body };
}

describe('HTTP proxy and compressed or oversized bodies', () => {
  it.each([
    ['gzip', 'json'],
    ['deflate', 'json'],
    ['br', 'json'],
    ['gzip', 'sse'],
    ['br', 'sse'],
  ])('passes a %s %s answer through byte-identical and records it with status and sizes', async (coding, as) => {
    const { event } = await viaProxy(`enc-${coding}-${as}`, call('lookup', { email: 'bob@corp.example' }), { 'accept-encoding': coding, 'x-answer-as': as });
    const expected = keyedDigest(capture.build.hashKey, 'result', resultFor({ method: 'tools/call', params: { name: 'lookup', arguments: { email: 'bob@corp.example' } } }, 0));
    expect(event).toMatchObject({
      tool: { name: 'lookup' },
      resource: { recipients: ['bob@corp.example'] },
      result: { status: 'ok', size_bytes: expected.size_bytes, hmac_sha256: expected.hmac_sha256 },
    });
    expect(event.result!.truncated).toBeUndefined();
  });

  it('records a call whose request body is 20 MiB, by streaming hash and size, and says inspection was skipped', async () => {
    const body = call('write_file', { path: '/tmp/big.bin', content: 'x'.repeat(BIG) });
    const { event } = await viaProxy('big-request', body, { 'accept-encoding': 'gzip' });
    expect(event).toMatchObject({
      tool: { name: 'write_file' },
      arguments: { size_bytes: body.length, hmac_sha256: keyedHasher(capture.build.hashKey, 'arguments').update(body).digest('hex'), preview: expect.stringContaining('not inspected') },
      result: { status: 'ok' },
    });
    expect(logLines.some((l) => l.msg.includes('request body over the inspection budget') && l.bytes === body.length)).toBe(true);
  });

  it('records a gzip answer that decodes to 20 MiB, by its decoded size', async () => {
    const { event, answer } = await viaProxy('big-answer', call('dump', {}), { 'accept-encoding': 'gzip' });
    expect(answer.length).toBeLessThan(BIG / 100); // compressed on the wire, passed on compressed
    // Not inspected whole: flagged, and keyed over the decoded bytes as they streamed past.
    const decoded = JSON.stringify({ result: resultFor({ method: 'tools/call', params: { name: 'dump', arguments: {} } }, 0), jsonrpc: '2.0', id: 7 });
    expect(event.result).toMatchObject({ status: 'ok', truncated: true, hmac_sha256: keyedHasher(capture.build.hashKey, 'result').update(decoded).digest('hex') });
    expect(event.result!.size_bytes).toBeGreaterThan(BIG);
    expect(logLines.some((l) => l.msg.includes('answer over the inspection budget'))).toBe(true);
  });
});
