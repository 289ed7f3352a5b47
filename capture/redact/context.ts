// Random-looking values near a secret word without a `key=value` shape: "the api key is 8Fk…",
// "aws secret 9vQ…". Only values that pass the entropy check (entropy.ts) and follow such a word
// on the same line, within a few words, are taken.
import { looksRandom } from './entropy.ts';
import { inClass, type Runs } from './runs.ts';
import type { Span } from './spans.ts';

const NEAR_SECRET_WORD = /(?:aws|A[KS]IA[0-9A-Z]{16}|pass(?:word|wd|phrase)?|secret|token|api[ _-]?key|key|credentials?|auth|bearer|pwd|signature)[^\n]{0,40}$/i;

/** A marker of a secret found counts as its kind's words (an AWS key id next to its secret key). */
const MARKER = /\[redacted:[a-z0-9_-]{1,64}\]/g;

export function findRandomNearSecretWords(runs: Runs, out: Span[]): void {
  const t = runs.text;
  const n = t.length;
  let i = 0;
  while (i < n) {
    if (!inClass('cred', t.charCodeAt(i))) {
      i++;
      continue;
    }
    const e = runs.end('cred', i);
    const len = e - i;
    // Not glued to a word, and not the host after a URL's user-info (`…@10.0.0.5/db`).
    if (len >= 16 && len <= 256 && (i === 0 || (!inClass('alnum', t.charCodeAt(i - 1)) && t[i - 1] !== '@'))) {
      // `req=<uuid>`: a name and its value glued by `=` (base64 padding only ends a run) is judged by
      // the value; whether the name makes it a secret is the assignment finder's call.
      let eq = e - 1;
      while (eq > i && t[eq] !== '=') eq--;
      if (eq > i && eq < e - 2 && /[A-Za-z]/.test(t[i]!) && t[eq + 1] !== '=') {
        const value = t.slice(eq + 1, e);
        if (!looksRandom(value)) {
          i = e;
          continue;
        }
      }
      const v = t.slice(i, e);
      if (looksRandom(v) && NEAR_SECRET_WORD.test(t.slice(Math.max(0, i - 48), i).replace(MARKER, (m) => ` ${m.slice(10, -1)} `))) out.push({ start: i, end: e, kind: 'high_entropy' });
    }
    i = e;
  }
}
