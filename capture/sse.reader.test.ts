import { describe, expect, it } from 'vitest';
import { TEST_HASH_KEY } from '../test/support/hash.keys.ts';
import type { InspectedBody } from './body.inspector.ts';
import { keyedHex } from './hash.key.ts';
import { sseReader } from './sse.reader.ts';

function read(stream: string, chunk: number, budget?: number): InspectedBody[] {
  const out: InspectedBody[] = [];
  const r = sseReader((b) => out.push(b), { key: TEST_HASH_KEY, domain: 'result' }, budget);
  const buf = Buffer.from(stream);
  for (let i = 0; i < buf.length; i += chunk) r.write(buf.subarray(i, i + chunk));
  r.end();
  return out;
}

describe('SSE reader', () => {
  const stream = ': comment\nevent: message\nid: 4\ndata: {"a":\ndata:1}\n\nretry: 10\ndata\ndata: x\n\ndata: é\n\ndata: cut off';
  it.each([1, 2, 3, 7, 1_000])('joins data lines of each event, whatever the chunking (%i bytes)', (chunk) => {
    for (const eol of ['\n', '\r\n', '\r']) {
      expect(read(stream.replaceAll('\n', eol), chunk).map((b) => b.text)).toEqual(['{"a":\n1}', '\nx', 'é']);
    }
  });

  it('hashes and sizes an event past the budget without keeping it, so it is still found', () => {
    const data = `{"result":{"content":"${'z'.repeat(5_000)}"},"jsonrpc":"2.0","id":3}`;
    const [body] = read(`data: ${data}\n\n`, 512, 1_000);
    expect(body).toMatchObject({ size_bytes: data.length, hmac_sha256: keyedHex(TEST_HASH_KEY, 'result', data), text: null, messages: [{ id: 3 }] });
  });
});
