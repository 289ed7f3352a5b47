import { brotliCompressSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decoderFor } from './body.decoder.ts';

function decode(header: string, body: Buffer): Promise<string> {
  const d = decoderFor(header)!;
  const parts: Buffer[] = [];
  d.output.on('data', (c: Buffer) => parts.push(c));
  const done = new Promise<string>((resolve, reject) => {
    d.output.on('end', () => resolve(Buffer.concat(parts).toString()));
    d.output.on('error', reject);
  });
  d.input.end(body);
  return done;
}

describe('content decoders', () => {
  it('undoes codings in reverse order of application', async () => {
    expect(await decode('gzip, br', brotliCompressSync(gzipSync('hello')))).toBe('hello');
    expect(await decode('X-GZIP', gzipSync('hi'))).toBe('hi');
  });

  it('says when there is nothing to decode, and when capture cannot decode', async () => {
    expect(decoderFor(undefined)).toBeNull();
    expect(decoderFor('identity')).toBeNull();
    expect(decoderFor('gzip, compress')).toBeUndefined();
    await expect(decode('gzip', Buffer.from('not gzip'))).rejects.toThrow();
  });
});
