// Character classes and "where does this run end" lookups in O(1), so every detector can match a
// token possessively (take the whole run of a class, then check its length) instead of letting a
// regex backtrack. Each class's table is built once per text, right to left, in linear time.

/** The classes token formats are written in. */
export const CLASSES = {
  alnum: /[A-Za-z0-9]/,
  word: /[A-Za-z0-9_]/,
  /** base64url and most vendor token bodies. */
  wd: /[A-Za-z0-9_-]/,
  /** letters, digits and dashes (Slack, some keys). */
  ad: /[A-Za-z0-9-]/,
  /** letters, digits, `_`, `-`, `.` (dotted tokens). */
  wdd: /[A-Za-z0-9_.-]/,
  b64: /[A-Za-z0-9+/]/,
  /** URL path characters of webhook tokens. */
  path: /[A-Za-z0-9_/-]/,
  /** base64url with dots and padding (SendGrid, Typeform, Dropbox bodies). */
  sgc: /[A-Za-z0-9=_.-]/,
  /** Azure AD client secrets. */
  azs: /[A-Za-z0-9_~.-]/,
  /** Anything base64 or base64url may hold, padding included. */
  b64any: /[A-Za-z0-9+/_=-]/,
  /** base64 or base64url without padding. */
  b64body: /[A-Za-z0-9+/_-]/,
  hex: /[0-9a-f]/,
  HEX: /[0-9a-fA-F]/,
  upnum: /[A-Z0-9]/,
  lownum: /[a-z0-9]/,
  digit: /[0-9]/,
  eq: /=/,
  /** Characters of a key name in `key=value` text. */
  key: /[A-Za-z0-9_.-]/,
  /** Characters of an unquoted value: everything up to white space, quotes and separators. */
  value: /[^\s"'`,;&<>(){}[\]|\\]/,
  /** Anything but white space and quotes (a password said in prose). */
  nonspace: /[^\s"'`]/,
  /** A shell word without quotes. */
  shell: /[^\s"'`|;&<>()]/,
  /** The host part of a URL: up to the path, query or fragment. */
  authority: /[^/?#\s"'`<>\\]/,
  /** A URL in text: up to white space, quotes and angle brackets. */
  url: /[^\s"'`<>\\{}|^]/,
  /** Characters of a credential after `Bearer ` or in a random-looking value. */
  cred: /[A-Za-z0-9+/=_.~-]/,
} as const;

export type ClassName = keyof typeof CLASSES;

/** Membership of the first 128 code points, per class; code points above are in no class except the open ones (OPEN below). */
const TABLES: Record<ClassName, Uint8Array> = Object.fromEntries(
  Object.entries(CLASSES).map(([name, re]) => {
    const t = new Uint8Array(128);
    for (let c = 0; c < 128; c++) t[c] = re.test(String.fromCharCode(c)) ? 1 : 0;
    return [name, t];
  }),
) as Record<ClassName, Uint8Array>;

/** Classes whose complement is listed, so non-ASCII characters belong to them. */
const OPEN: ReadonlySet<ClassName> = new Set(['value', 'shell', 'authority', 'url', 'nonspace']);

export function inClass(cls: ClassName, code: number): boolean {
  if (code < 128) return TABLES[cls][code] === 1;
  return OPEN.has(cls) && code !== 0x2028 && code !== 0x2029 && code !== 0xa0 && code !== 0xfeff;
}

export const isAlnum = (code: number) => code < 128 && TABLES.alnum[code] === 1;

/**
 * One text and where its runs end. Each class remembers the last run it measured, so queries at
 * rising positions cost linear time in total, and a query a little before that run stops scanning
 * where the known run begins.
 */
export class Runs {
  private readonly known = new Map<ClassName, { start: number; end: number }>();
  private readonly nextChar = new Map<string, { from: number; at: number }>();
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }

  /** The index just past the run of `cls` that starts at `i` (`i` itself when text[i] is not in it). */
  end(cls: ClassName, i: number): number {
    const text = this.text;
    const n = text.length;
    if (i >= n) return n;
    let run = this.known.get(cls);
    if (run && i >= run.start && i < run.end) return run.end;
    const table = TABLES[cls];
    const open = OPEN.has(cls);
    let k = i;
    while (k < n) {
      if (run && k === run.start) {
        k = run.end;
        break;
      }
      const code = text.charCodeAt(k);
      const member = code < 128 ? table[code] === 1 : open && code !== 0x2028 && code !== 0x2029 && code !== 0xa0 && code !== 0xfeff;
      if (!member) break;
      k++;
    }
    if (k > i) {
      if (!run) this.known.set(cls, (run = { start: i, end: k }));
      else {
        run.start = i;
        run.end = k;
      }
    }
    return k;
  }

  /** `text.indexOf(ch, from)`, remembered so that rising `from`s cost linear time in total. */
  indexOf(ch: string, from: number): number {
    const c = this.nextChar.get(ch);
    if (c && from >= c.from && (c.at === -1 || from <= c.at)) return c.at;
    const at = this.text.indexOf(ch, from);
    this.nextChar.set(ch, { from, at });
    return at;
  }

  /** End of the line holding `i` (the index of its newline, or the text's end). */
  lineEnd(i: number): number {
    const at = this.indexOf('\n', i);
    return at === -1 ? this.text.length : at;
  }
}
