// The stdio observer inspects every message whole while it keeps up with the relay, and skims
// large ones (keyed hash, size, method, id, tool) once it is behind: every call keeps its event.
import { describe, expect, it } from 'vitest';
import type { AuditEventV2 } from '../schemas/event.v2.ts';
import { TEST_HASH_KEY } from '../test/support/hash.keys.ts';
import { stampNow } from './call.tracker.ts';
import { denyKeyMatcher } from './redact.ts';
import { SKIM_LAG_MS, SKIM_MIN_BYTES, StdioObserver } from './stdio.observer.ts';

function observer() {
  const events: AuditEventV2[] = [];
  const skims: number[] = [];
  const o = new StdioObserver({
    session: { transport: 'stdio', fallbackServerName: 'files' },
    identity: { tenantId: 'acme', userId: 'alice' },
    build: { isDeniedKey: denyKeyMatcher([]), previewChars: 256, hashKey: TEST_HASH_KEY },
    newSessionId: () => 's-1',
    emit: (e) => events.push(e),
    onError: (err) => {
      throw err;
    },
    onSkim: (bytes) => skims.push(bytes),
  });
  return { o, events, skims };
}

const big = 'x'.repeat(SKIM_MIN_BYTES * 2);
const line = (m: object) => Buffer.from(`${JSON.stringify(m)}\n`);
const request = (id: number) => line({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'write_file', arguments: { path: '/srv/a.md', content: big } } });
const answer = (id: number) => line({ jsonrpc: '2.0', id, result: { content: [{ type: 'text', text: big }] } });

describe('StdioObserver', () => {
  it('inspects large messages whole while it keeps up with the relay', () => {
    const { o, events, skims } = observer();
    o.fromClient(request(1), stampNow());
    o.fromServer(answer(1), stampNow());
    expect(skims).toEqual([]);
    expect(events[0]).toMatchObject({ tool: { name: 'write_file' }, resource: { paths: ['/srv/a.md'] }, result: { status: 'ok' } });
    expect(events[0]!.result?.truncated).toBeUndefined();
  });

  it('skims large messages once behind the relay, and still yields the call with its tool, status, hash and size', () => {
    const { o, events, skims } = observer();
    const now = stampNow();
    const late = { wallMs: now.wallMs - SKIM_LAG_MS * 2, monoMs: now.monoMs - SKIM_LAG_MS * 2 };
    o.fromClient(request(1), late);
    o.fromServer(answer(1), late);
    // A small message is inspected whatever the lag.
    o.fromClient(line({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'read_file', arguments: { path: '/etc/hosts' } } }), late);
    o.fromServer(line({ jsonrpc: '2.0', id: 2, result: { content: [{ type: 'text', text: 'ok' }] } }), late);
    expect(skims).toHaveLength(2);
    expect(events.map((e) => e.tool?.name)).toEqual(['write_file', 'read_file']);
    const [skimmed, small] = events as [AuditEventV2, AuditEventV2];
    expect(skimmed.arguments).toMatchObject({ preview: expect.stringMatching(/^\[not inspected: \d+ bytes\]$/), size_bytes: request(1).length - 1 });
    expect(skimmed.result).toMatchObject({ status: 'ok', truncated: true, size_bytes: answer(1).length - 1 });
    expect(skimmed.ts).toBe(new Date(late.wallMs).toISOString());
    expect(small.resource).toEqual({ paths: ['/etc/hosts'] });
  });
});
