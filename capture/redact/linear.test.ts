// Redaction runs on the relay's event loop, so it must take linear time whatever the input: 1 MB
// of each adversarial shape may take about 8 times as long as 128 KB (a backtracking or quadratic
// scan takes 64 times as long or worse). No absolute thresholds: the sanity bound is relative to a
// plain pass over the same megabyte measured in the same test.
import { describe, expect, it } from 'vitest';
import { redactText } from '../redact.ts';

const SHAPES: Record<string, string> = {
  'one character': 'a',
  'near-miss GitHub prefix': 'ghp_' + 'x'.repeat(35) + ' ',
  'a= repeated': 'a=',
  'password= repeated': 'password=',
  'base64-ish run': 'QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0NTY3ODkw+/',
  'nested quotes': `"'\`"'\\"`,
  'JWT-like pieces': '-eyJ',
  'scheme separators': 'a://',
  'private key headers': '-----BEGIN RSA PRIVATE KEY-----',
  'percent escapes': '%41',
  'sk- repeated': 'sk-',
  'user-info': 'a:b@',
  'netrc words': 'machine a login b password ',
  'XML secret elements': '<token>',
  'connection-string pairs': 'password=a;b=',
  'typed assignments': 'var apiToken string ',
};

const make = (unit: string, n: number) => unit.repeat(Math.ceil(n / unit.length)).slice(0, n);

const elapsed = (fn: () => void) => {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
};

/** One plain pass that looks at every character: the unit the sanity bound is counted in. */
function plainPass(text: string): number {
  let h = 0;
  for (let k = 0; k < text.length; k++) h = (h * 31 + text.charCodeAt(k)) | 0;
  return h;
}

describe('redaction time', () => {
  it.each(Object.entries(SHAPES))('is linear in the input size: %s', (_name, unit) => {
    const small = make(unit, 128 * 1024);
    const large = make(unit, 1024 * 1024);
    redactText(small); // warm up
    // Interleaved, fastest of three: the sizes see the same load on a shared machine.
    let tSmall = Infinity;
    let tLarge = Infinity;
    let tPlain = Infinity;
    for (let k = 0; k < 3; k++) {
      tSmall = Math.min(tSmall, elapsed(() => redactText(small)));
      tLarge = Math.min(tLarge, elapsed(() => redactText(large)));
      tPlain = Math.min(tPlain, elapsed(() => plainPass(large)));
    }
    // Linear: 8 times the input, about 8 times the time; the factor 3 absorbs noise and GC.
    expect(tLarge).toBeLessThan(8 * tSmall * 3 + 5 * tPlain);
    // Sane: at most a few dozen plain passes over the same megabyte (well under a second anywhere).
    expect(tLarge).toBeLessThan(200 * tPlain + 1);
  });
});
