// The payloads of bench:proxy's large case: a `write_file`-shaped 64 KB argument and a 1 MB tool
// result, both realistic mixed text (prose, code, paths, addresses, URLs, numbers, one token-shaped
// secret per block) so redaction, fingerprints and shingles do their real work on them, not the
// fast path of one repeated character. Deterministic: the same bytes on every run.

const WORDS = (
  'the quarterly report shows revenue growth across all regions while operating costs remained flat ' +
  'please review the attached contract before friday and send comments to the legal team ' +
  'deployment of the billing service failed on node seven because the disk was full again'
).split(' ');

function block(i: number): string {
  const words = Array.from({ length: 40 }, (_, k) => WORDS[(i * 7 + k * 13) % WORDS.length]).join(' ');
  return [
    `## Section ${i}`,
    words,
    `Contact jane.doe+${i}@example.com or call +1 415 555 ${String(1000 + (i % 9000)).padStart(4, '0')}.`,
    `See https://docs.example.com/guides/${i}?ref=bench and /srv/data/projects/p${i}/notes.md`,
    `export function handler${i}(event) { return fetch("https://api.example.com/v1/items/${i}", { method: "POST" }); }`,
    `Invoice INV-${100000 + i} total 1,${String(i % 1000).padStart(3, '0')}.50 EUR to IBAN DE89370400440532013000`,
    `api_token = "ghp_${String(i).padStart(6, '0')}aBcDeFgHiJkLmNoPqRsTuVwXyZ0123"`,
    '',
  ].join('\n');
}

/** Text of exactly `bytes` bytes (ASCII), made of numbered blocks. */
export function textOf(bytes: number): string {
  const parts: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const b = block(i);
    parts.push(b);
    size += b.length;
  }
  return parts.join('').slice(0, bytes);
}

export const ARGUMENT_BYTES = 64 * 1024;
export const RESULT_BYTES = 1024 * 1024;
