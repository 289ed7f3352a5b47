import { describe, expect, it } from 'vitest';
import { auditEventV2 } from '../schemas/event.v2.ts';
import { TEST_HASH_KEY } from '../test/support/hash.keys.ts';
import { buildEvent } from './event.builder.ts';
import { fitEvent } from './event.fit.ts';
import { denyKeyMatcher } from './redact.ts';

const MAX = 65_536;
const build = (params: Record<string, unknown>, result: unknown = { content: [] }, method = 'tools/call') =>
  buildEvent(
    { method, requestId: 1, params, startedAtMs: Date.UTC(2026, 0, 1), durationMs: 1, outcome: { result } },
    { tenantId: 't', userId: 'u' },
    { transport: 'stdio', fallbackServerName: 'srv' },
    { isDeniedKey: denyKeyMatcher([]), previewChars: 4096, maxEventBytes: MAX, hashKey: TEST_HASH_KEY },
  )!;
const size = (e: unknown) => Buffer.byteLength(JSON.stringify(e));

describe('event size fitting', () => {
  it('shrinks a call carrying 64 long URLs, paths and tables to a valid event within the limit', () => {
    const long = (i: number) => `https://exfil${i}.example/${'a'.repeat(3_900)}`;
    const e = build({
      name: 'fetch',
      arguments: {
        urls: Array.from({ length: 64 }, (_, i) => long(i)),
        paths: Array.from({ length: 64 }, (_, i) => `/data/${i}/${'p'.repeat(3_900)}`),
        sql: `select * from ${Array.from({ length: 64 }, (_, i) => `t${i}_${'x'.repeat(400)}`).join(' join ')}`,
      },
    });
    expect(size(e)).toBeLessThanOrEqual(MAX);
    expect(auditEventV2.safeParse(e).success).toBe(true);
    // What is kept is a deterministic prefix of what was found.
    expect(e.resource!.urls![0]).toMatch(/^https:\/\/exfil0\.example\/a+…$/);
    expect(e.resource!.hosts!.length).toBeGreaterThan(0);
  });

  it('is deterministic: the same call always gives the same event', () => {
    const params = { name: 'x', arguments: { urls: Array.from({ length: 64 }, (_, i) => `https://h${i}.example/${'q'.repeat(4_000)}`) } };
    const strip = ({ event_id: _id, ...rest }: ReturnType<typeof build>) => rest;
    expect(strip(build(params))).toEqual(strip(build(params)));
  });

  it('cuts a huge tool list down, descriptions first, then tools', () => {
    const tools = Array.from({ length: 1_024 }, (_, i) => ({ name: `tool_${i}_${'n'.repeat(200)}`, description: 'd'.repeat(1_000) }));
    const e = build({}, { tools }, 'tools/list');
    expect(size(e)).toBeLessThanOrEqual(MAX);
    expect(auditEventV2.safeParse(e).success).toBe(true);
    expect(e.tools!.length).toBeGreaterThan(0);
    expect(e.tools!.every((t) => t.description === undefined)).toBe(true);
  });

  it('reports nothing cut when the event fits, and drops everything variable as a last resort', () => {
    const small = { arguments: { preview: 'x' }, resource: { paths: ['/a'] } };
    expect(fitEvent(small, MAX)).toEqual([]);
    const e = { arguments: { preview: 'p'.repeat(1_000) }, resource: { paths: ['/a'.repeat(500)] }, tools: [{ name: 'n', description_sha256: 'h' }] };
    expect(fitEvent(e, 100)).toEqual(['preview', 'resource_entries', 'resource_lists', 'tools', 'everything']);
    expect(e).toEqual({ arguments: { preview: '' }, tools: [] });
  });

  it('cuts value fingerprints too: the result list first, the destinations last', () => {
    const fp = (kind: string, i: number) => `${kind}:${i.toString(16).padStart(16, '0')}`;
    const full = () => ({
      arguments: { preview: 'x' },
      fingerprints: {
        arguments: Array.from({ length: 256 }, (_, i) => fp('text', i)),
        result: Array.from({ length: 512 }, (_, i) => fp('email', i)),
        destinations: Array.from({ length: 64 }, (_, i) => fp('account', i)),
      },
    });
    const withoutResult = full();
    withoutResult.fingerprints.result = [];
    // Room for the argument and destination lists but not the result's: only the result list shrinks.
    const e = full();
    expect(fitEvent(e, size(withoutResult) + 200)).toEqual(['result_fingerprints']);
    expect(e.fingerprints.arguments).toHaveLength(256);
    expect(e.fingerprints.destinations).toHaveLength(64);
    expect(e.fingerprints.result).toEqual(full().fingerprints.result.slice(0, e.fingerprints.result.length));
    // Room for little more than the destinations: results and arguments go, destinations stay.
    const tight = full();
    const onlyDestinations = { ...full(), fingerprints: { arguments: [], result: [], destinations: full().fingerprints.destinations } };
    expect(fitEvent(tight, size(onlyDestinations))).toEqual(['result_fingerprints', 'argument_fingerprints']);
    expect(tight.fingerprints).toEqual(onlyDestinations.fingerprints);
    // Last resort: every list empty, the event still valid in shape.
    const last = full();
    expect(fitEvent(last, 60)).toEqual(['result_fingerprints', 'argument_fingerprints', 'destination_fingerprints', 'everything']);
    expect(last.fingerprints).toEqual({ arguments: [], result: [], destinations: [] });
  });

  it('fits a v2 call whose result is full of values within a small limit, keeping its destinations', () => {
    const text = Array.from({ length: 2_000 }, (_, i) => `mail user${i}@example.com about ORDER${i}X${i * 7}`).join(' ');
    const e = buildEvent(
      { method: 'tools/call', requestId: 1, params: { name: 'send', arguments: { to: 'bob@corp.example', body: text.slice(0, 20_000) } }, startedAtMs: Date.UTC(2026, 0, 1), durationMs: 1, outcome: { result: { content: [{ type: 'text', text }] } } },
      { tenantId: 't', userId: 'u' },
      { transport: 'stdio', fallbackServerName: 'srv' },
      { isDeniedKey: denyKeyMatcher([]), previewChars: 4096, maxEventBytes: 8_192, hashKey: TEST_HASH_KEY },
    )!;
    expect(size(e)).toBeLessThanOrEqual(8_192);
    expect(auditEventV2.safeParse(e).success).toBe(true);
    expect(e.fingerprints!.destinations.length).toBeGreaterThan(0);
  });
});
