import { describe, expect, it } from 'vitest';
import { auditEventV1 } from '../schemas/event.v1.ts';
import { buildEvent } from './event.builder.ts';
import { fitEvent } from './event.fit.ts';
import { denyKeyMatcher } from './redact.ts';

const MAX = 65_536;
const build = (params: Record<string, unknown>, result: unknown = { content: [] }, method = 'tools/call') =>
  buildEvent(
    { method, requestId: 1, params, startedAtMs: Date.UTC(2026, 0, 1), durationMs: 1, outcome: { result } },
    { tenantId: 't', userId: 'u' },
    { transport: 'stdio', fallbackServerName: 'srv' },
    { isDeniedKey: denyKeyMatcher([]), previewChars: 4096, maxEventBytes: MAX },
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
    expect(auditEventV1.safeParse(e).success).toBe(true);
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
    expect(auditEventV1.safeParse(e).success).toBe(true);
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
});
