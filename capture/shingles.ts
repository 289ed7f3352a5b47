// Content shingles of longer text, selected by winnowing (Schleimer, Wilkerson, Aiken 2003), so a
// passage copied from one text into another shares at least one selected shingle with it wherever
// it sits: any common run of WINDOW + SHINGLE_WORDS - 1 words (8) is guaranteed a match.
//
// Words are runs of letters and digits, lowercased. Words that look like identifiers or secrets
// (8+ characters mixing letters and digits) are replaced by one placeholder, so no shingle carries
// a token redaction may hide, and a copied passage still matches around it.

/** Words per shingle. */
export const SHINGLE_WORDS = 5;
/** Shingles per winnowing window. */
export const WINDOW = 4;
/** Shorter strings are names and labels, not passages. */
export const MIN_TEXT_CHARS = 60;

const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;
const PLACEHOLDER = '\u2022';
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const PLACEHOLDER_HASH = Math.imul(FNV_OFFSET ^ 0x2022, FNV_PRIME) >>> 0;

/** The words of a text as offsets into its lowercased copy, without a string per word. */
export interface Words {
  text: string;
  /** Start and end offset of word i at 2i and 2i + 1. */
  bounds: Int32Array;
  /** 1 where the word looks like an identifier or a secret and is replaced by a placeholder. */
  masked: Uint8Array;
  hashes: Uint32Array;
  count: number;
}

/** Where winnowing picked a shingle. Its text is built only for the shingles a list keeps. */
export interface ShinglePick {
  words: Words;
  at: number;
}

const wordText = (w: Words, i: number) => (w.masked[i] ? PLACEHOLDER : w.text.slice(w.bounds[2 * i], w.bounds[2 * i + 1]));

export function shingleText(p: ShinglePick): string {
  const parts: string[] = [];
  for (let j = 0; j < SHINGLE_WORDS; j++) parts.push(wordText(p.words, p.at + j));
  return parts.join(' ');
}

const isWordChar = (c: number, text: string, i: number) =>
  (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c > 127 && LETTER_OR_DIGIT.test(text[i]!));

/**
 * The words of `text` as shingling sees them: runs of letters and digits, lowercased, and words of
 * 8+ characters mixing letters and digits masked; each with its 32-bit FNV-1a hash. One pass.
 */
export function words(raw: string): Words {
  const text = raw.toLowerCase();
  const max = Math.ceil(text.length / 2) + 1;
  const bounds = new Int32Array(2 * max);
  const masked = new Uint8Array(max);
  const hashes = new Uint32Array(max);
  let count = 0;
  let start = -1;
  let h = FNV_OFFSET;
  let letters = false;
  let digits = false;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 32;
    if (i < text.length && isWordChar(c, text, i)) {
      if (start < 0) {
        start = i;
        h = FNV_OFFSET;
        letters = false;
        digits = false;
      }
      h = Math.imul(h ^ c, FNV_PRIME);
      if (c >= 48 && c <= 57) digits = true;
      else letters = true;
    } else if (start >= 0) {
      const mask = i - start >= 8 && letters && digits;
      bounds[2 * count] = start;
      bounds[2 * count + 1] = i;
      masked[count] = mask ? 1 : 0;
      hashes[count] = mask ? PLACEHOLDER_HASH : h >>> 0;
      count++;
      start = -1;
    }
  }
  return { text, bounds, masked, hashes, count };
}

/** The words of `text` as strings (for tests and for reading). */
export const wordList = (text: string): string[] => {
  const w = words(text);
  return Array.from({ length: w.count }, (_, i) => wordText(w, i));
};

/**
 * The winnowed shingles of `text` (none for short text), added to `into` by rank: a fast unkeyed
 * 32-bit hash of the words, whose minima winnowing picks and whose lowest values a full list keeps.
 * Two shingles of equal rank count as one (rare, and then only one fingerprint is lost).
 */
export function winnow(text: string, into: Map<number, ShinglePick>): void {
  if (text.length < MIN_TEXT_CHARS) return;
  const ws = words(text);
  const n = ws.count - SHINGLE_WORDS + 1;
  if (n < 1) return;
  const hashes = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    let h = FNV_OFFSET;
    for (let j = 0; j < SHINGLE_WORDS; j++) h = Math.imul(h ^ ws.hashes[i + j]!, FNV_PRIME);
    hashes[i] = h >>> 0;
  }
  let last = -1;
  const w = Math.min(WINDOW, n);
  for (let start = 0; start + w <= n; start++) {
    // The rightmost minimum of the window, as the paper does, so equal runs select few shingles.
    let pick = start;
    for (let k = start + 1; k < start + w; k++) if (hashes[k]! <= hashes[pick]!) pick = k;
    if (pick === last) continue;
    last = pick;
    if (!into.has(hashes[pick]!)) into.set(hashes[pick]!, { words: ws, at: pick });
  }
}
