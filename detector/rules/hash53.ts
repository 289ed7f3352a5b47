// A 53-bit string hash, kept instead of a string where only equality matters: event ids the engine
// has seen (dedup) and the result fingerprints the provenance store remembers. 8 bytes per value in
// a number array instead of a string of 40 to 60 bytes, compared without reading the string again.
/**
 * Two 32-bit FNV-1a variants combined into 53 bits (exact in a double). A false match needs a
 * 1-in-2^53 collision between two values compared, never a concern for a user's few hundred.
 */
export function hash53(id: string): number {
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995) ^ (b >>> 15);
  }
  return (a >>> 0) * 0x200000 + ((b >>> 0) & 0x1fffff);
}
