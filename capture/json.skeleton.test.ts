import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JsonSkeleton, type SkeletonMessage } from './json.skeleton.ts';

/** What the scan should find, from the parsed message. */
function expected(m: Record<string, any>): SkeletonMessage {
  const out: SkeletonMessage = {};
  if (typeof m.method === 'string') out.method = m.method;
  if (typeof m.id === 'string' || typeof m.id === 'number') out.id = m.id;
  if (typeof m.params?.name === 'string') out.name = m.params.name;
  if (typeof m.result?.isError === 'boolean') out.isError = m.result.isError;
  if (typeof m.error?.code === 'number') out.errorCode = m.error.code;
  if (typeof m.error?.message === 'string') out.errorMessage = m.error.message;
  return out;
}

function scan(text: string, cuts: number[]): SkeletonMessage[] {
  const buf = Buffer.from(text);
  const s = new JsonSkeleton();
  let at = 0;
  for (const c of [...cuts.map((x) => x % (buf.length + 1)).sort((a, b) => a - b), buf.length]) {
    s.write(buf.subarray(at, Math.max(at, c)));
    at = Math.max(at, c);
  }
  return s.end();
}

const str = fc.string({ unit: 'binary', maxLength: 20 });
const message = fc.record(
  {
    jsonrpc: fc.constant('2.0'),
    id: fc.oneof(fc.integer(), str),
    method: str,
    params: fc.record({ name: str, arguments: fc.jsonValue({ maxDepth: 4 }), '\\"name': str }, { requiredKeys: [] }),
    result: fc.record({ isError: fc.boolean(), content: fc.jsonValue({ maxDepth: 3 }) }, { requiredKeys: [] }),
    error: fc.record({ code: fc.integer(), message: str, data: fc.jsonValue({ maxDepth: 2 }) }, { requiredKeys: [] }),
  },
  { requiredKeys: [] },
);

describe('JSON-RPC skeleton scan', () => {
  it('finds method, id, tool name, isError and error of single and batched messages, in any chunking', () => {
    fc.assert(
      fc.property(message, fc.array(message, { maxLength: 4 }), fc.array(fc.nat(), { maxLength: 6 }), (one, batch, cuts) => {
        expect(scan(JSON.stringify(one, null, 1), cuts)).toEqual([expected(one)]);
        expect(scan(JSON.stringify(batch), cuts)).toEqual(batch.map(expected));
      }),
      { numRuns: 300 },
    );
  });

  it('reads a 20 MiB body one chunk at a time, finding the fields after the big value', () => {
    const body = `{"jsonrpc":"2.0","params":{"arguments":{"content":"${`${'x'.repeat(1_000)}\\"\\\\`.repeat(20 * 1024)}","deep":${'['.repeat(5_000)}${']'.repeat(5_000)}},"name":"write_file"},"method":"tools/call","id":7}`;
    const s = new JsonSkeleton();
    const buf = Buffer.from(body);
    for (let i = 0; i < buf.length; i += 65_536) s.write(buf.subarray(i, i + 65_536));
    expect(s.end()).toEqual([{ method: 'tools/call', id: 7, name: 'write_file' }]);
  });
});
