// The observer of a stdio connection in its own thread: what the relay hands over (copies of the
// bytes, cut anywhere) comes back as the same events the in-thread observer makes, timed by when
// the bytes passed the relay, not by when the thread got to them.
import { describe, expect, it } from 'vitest';
import type { AuditEventV2 } from '../schemas/event.v2.ts';
import { TEST_HASH_KEY } from '../test/support/hash.keys.ts';
import type { BuildOptions } from './event.builder.ts';
import { startObserver } from './observer.thread.ts';
import { DEFAULT_DENY_KEYS, denyKeyMatcher } from './redact.ts';

const denyKeys = [...DEFAULT_DENY_KEYS];
const build: BuildOptions = { isDeniedKey: denyKeyMatcher(denyKeys), denyKeys, previewChars: 256, hashKey: TEST_HASH_KEY };
const line = (m: object) => Buffer.from(`${JSON.stringify(m)}\n`);

async function observe(options: BuildOptions, resultBytes = 1 << 20): Promise<{ events: AuditEventV2[]; pushedBeforeClose: number; sentAt: number }> {
  const events: AuditEventV2[] = [];
  const errors: unknown[] = [];
  const log = { error: (o: unknown) => errors.push(o) } as never;
  const o = startObserver({ session: { transport: 'stdio', fallbackServerName: 'files' }, identity: { tenantId: 'acme', userId: 'alice' }, build: options }, { push: (e) => events.push(e), log });
  const init = line({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', clientInfo: { name: 'cli', version: '1' } } });
  o.fromClient(init);
  o.fromServer(line({ jsonrpc: '2.0', id: 0, result: { protocolVersion: '2025-06-18', serverInfo: { name: 'fs', version: '3' } } }));
  const sentAt = Date.now();
  const request = line({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'read_file', arguments: { path: '/home/alice/.ssh/id_rsa', password: 'hunter2' } } });
  // Cut mid-message, as pipes do.
  o.fromClient(request.subarray(0, 10));
  o.fromClient(request.subarray(10));
  o.fromServer(line({ jsonrpc: '2.0', id: 1, result: { content: [{ type: 'text', text: 'x'.repeat(resultBytes) }] } }));
  const pushedBeforeClose = events.length;
  await o.close();
  expect(errors).toEqual([]);
  return { events, pushedBeforeClose, sentAt };
}

describe('the observer thread', () => {
  it('turns relayed bytes into events off the relay thread, stamped with when they passed', async () => {
    const { events, pushedBeforeClose, sentAt } = await observe(build);
    // Built in the other thread: nothing had come back when the relay handed the answer over.
    expect(pushedBeforeClose).toBe(0);
    expect(events).toHaveLength(1);
    const e = events[0]!;
    expect(e).toMatchObject({
      mcp: { method: 'tools/call', session_id: expect.any(String), protocol_version: '2025-06-18' },
      actor: { user_id: 'alice', client_name: 'cli' },
      server: { name: 'fs', version: '3' },
      tool: { name: 'read_file' },
      resource: { paths: ['/home/alice/.ssh/id_rsa'] },
      result: { status: 'ok', size_bytes: expect.any(Number) },
    });
    expect(JSON.stringify(e)).not.toContain('hunter2');
    expect(Date.parse(e.ts)).toBeGreaterThanOrEqual(sentAt - 1);
  });

  it('makes the same event in the relay thread when the options cannot cross to another', async () => {
    // A small result: on a busy machine a large one could be skimmed by a thread that started late.
    const inThread = await observe({ ...build, denyKeys: undefined }, 1024);
    const threaded = await observe(build, 1024);
    const comparable = (e: AuditEventV2) => ({ ...e, event_id: '', ts: '', duration_ms: 0, mcp: { ...e.mcp, session_id: '' }, episode: undefined });
    expect(inThread.events.map(comparable)).toEqual(threaded.events.map(comparable));
  });
});
