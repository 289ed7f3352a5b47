// Decoders for the Content-Encoding of an HTTP body, so capture can read a copy of a compressed
// answer while the original bytes go to the client untouched.
import { createBrotliDecompress, createGunzip, createInflate, createZstdDecompress } from 'node:zlib';
import type { Transform } from 'node:stream';

const DECODERS: Record<string, () => Transform> = {
  gzip: createGunzip,
  'x-gzip': createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
  zstd: createZstdDecompress,
};

/**
 * The decoding chain for a Content-Encoding header (codings in the order they were applied), as
 * its first and last stream: null for an identity body, undefined for a coding capture cannot read.
 */
export function decoderFor(header: string | string[] | undefined): { input: Transform; output: Transform } | null | undefined {
  const codings = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c && c !== 'identity');
  if (!codings.length) return null;
  if (codings.some((c) => !DECODERS[c])) return undefined;
  const chain = codings.reverse().map((c) => DECODERS[c]!());
  const output = chain[chain.length - 1]!;
  for (let i = 0; i + 1 < chain.length; i++) {
    chain[i]!.pipe(chain[i + 1]!);
    chain[i]!.on('error', (err) => output.destroy(err)); // one error event, on the last stream
  }
  return { input: chain[0]!, output };
}
