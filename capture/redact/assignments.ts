// Secrets named by the text around them: `password=…`, `"api_key": "…"`, `DB_PASSWORD=…` lines of
// a .env, `_authToken=` in .npmrc, `Password=…;` in connection strings, `<password>…</password>`,
// `Authorization:` and `Cookie:` headers, command-line flags (`--password …`, `curl -u user:pass`,
// `mysql -pSECRET`, `docker login -p …`) and .netrc `login … password …`. One pass over the key-like
// runs of the text; code (`token = getToken()`, `secret: string`) is told apart from values.
import { looksRandom, shannonEntropy } from './entropy.ts';
import { secretKeyKind, weakSecretKey } from './keys.ts';
import { inClass, type Runs } from './runs.ts';
import type { Span } from './spans.ts';
import { acceptable, isBasicCredential, valueNotCode } from './value.or.code.ts';

const isQuote = (ch: string | undefined) => ch === '"' || ch === "'" || ch === '`';

/** After `;`, `,` or `&`: the next `name=` of a connection string, query or argument list. */
const NEXT_PAIR = /^ {0,4}[A-Za-z_][\w .-]{0,40}=/;
const TRAILING = new Set([',', ';', ')', ']', '}']);
const isIdentStart = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
/** YAML block scalars: the value is on the next lines. */
const YAML_BLOCK = /^[|>][-+]?(?=\r?\n)/;
const AUTH_SCHEME = /^(?:Bearer|Basic|Token|Digest|Negotiate|NTLM|OAuth|ApiKey|Key|JWT|SSWS|AWS4-HMAC-SHA256|Splunk|GenieKey)[ \t]+/i;
/** Words of a command line after which `-p` is a password: mysql, docker login, sshpass. */
const PASSWORD_P_COMMANDS = new Set(['mysql', 'mysqldump', 'mysqladmin', 'mariadb', 'mariadb-dump', 'login', 'sshpass', 'mysqlsh', 'mysqlimport']);
/** `<word> is <secret>` in prose, and the kind it reports. */
const SAID_WORDS = new Map([['password', 'password'], ['passwd', 'password'], ['passphrase', 'password'], ['secret', 'secret'], ['token', 'token'], ['apikey', 'api_key']]);
const PROSE_IS = /^ (?:is|was|=) /;

const PAIR_NAMES = new Set(['name', 'key', 'variable']);
const NETRC_WORDS = new Set(['machine', 'login', 'account', 'default']);

class Scan {
  private lineEnd = -1;
  private passwordP = false;
  private netrcAfter = -1;
  private pairKind: string | null = null;
  private pairUntil = -1;
  private readonly runs: Runs;
  private readonly out: Span[];
  constructor(runs: Runs, out: Span[]) {
    this.runs = runs;
    this.out = out;
  }

  private push(start: number, end: number, kind: string): void {
    if (end > start) this.out.push({ start, end, kind });
  }

  private skipBlanks(p: number, max = 8): number {
    const t = this.runs.text;
    let k = 0;
    while (k < max && (t[p] === ' ' || t[p] === '\t')) {
      p++;
      k++;
    }
    return p;
  }

  /** A shell word at `p` (quoted or bare) as [start, end, next]. */
  private word(p: number): [number, number, number] {
    const t = this.runs.text;
    const q = t[p];
    if (isQuote(q)) {
      const close = this.runs.indexOf(q!, p + 1);
      if (close === -1 || close > this.runs.lineEnd(p) || close - p > 4096) return [p, p, p];
      return [p + 1, close, close + 1];
    }
    const e = this.runs.end('shell', p);
    return [p, e, e];
  }

  run(): void {
    const t = this.runs.text;
    const n = t.length;
    let i = 0;
    while (i < n) {
      const code = t.charCodeAt(i);
      if (!inClass('key', code) || (i > 0 && inClass('key', t.charCodeAt(i - 1)))) {
        i++;
        continue;
      }
      if (i > this.lineEnd) {
        this.lineEnd = this.runs.lineEnd(i);
        this.passwordP = false;
      }
      const e = this.runs.end('key', i);
      i = Math.max(e, this.key(i, e));
    }
  }

  /**
   * The length of the assignment operator at `p`: `=`, `:`, `=>`, `:=`, `::=`, `:::=`, `?=`,
   * `??=`, `+=`, `.=`, `||=`, `<-` (config files, Makefiles, Go, PHP, Ruby, R), or 0.
   */
  private operator(p: number): number {
    const t = this.runs.text;
    const c = t[p];
    if (c === '=') return t[p + 1] === '=' ? 0 : t[p + 1] === '>' ? 2 : 1;
    if (c === ':') {
      if (t.startsWith('//', p + 1)) return 0;
      let k = p;
      while (t[k] === ':' && k - p < 3) k++;
      if (t[k] === '=') return k - p + 1;
      return k === p + 1 ? 1 : 0;
    }
    for (const op of ['?=', '??=', '+=', '.=', '||=', '<-']) if (t.startsWith(op, p)) return op.length;
    return 0;
  }

  /** Looks at the key-like run [i, e); returns where scanning goes on. */
  private key(i: number, e: number): number {
    const t = this.runs.text;
    if (e - i > 128) return e;
    // What stands before the key, past a sigil (`"$DB_PASSWORD"`, `<$token>`, `@secret`).
    const before = t[i - 1] === '$' || t[i - 1] === '@' ? i - 2 : i - 1;
    const open = before >= 0 && isQuote(t[before]) ? t[before] : undefined;
    let p = e;
    let closedKey = open !== undefined && t[p] === open;
    if (closedKey) p++;
    else if (open !== undefined && t[p] === '\\' && t[p + 1] === open) {
      // A key of JSON inside a JSON string: `\"api_token\": \"…\"`.
      closedKey = true;
      p += 2;
    }
    p = this.skipBlanks(p);
    let op = this.operator(p);
    const colon = t[p] === ':' && op === 1;
    // `arn:aws:secretsmanager:…:secret:prod/db`: a colon-separated name, not `key: value`.
    if (colon && t[i - 1] === ':') return e;
    if (!op && t[p] === '>' && t[before] === '<') return this.xmlValue(t.slice(i, e), p + 1, e);
    const csv = !op && t[p] === ',' && p === e && t[p + 1] !== ' ' && t[p + 1] !== undefined;
    let key: string;
    if (!op && !csv) {
      // `var apiToken string = "…"` (Go): a type name between the key and the operator.
      const bare = t[i] === '-' || (e - i >= 5 && e - i <= 12);
      const typed = p > e && isIdentStart(t.charCodeAt(p)) ? this.typedAssignment(p) : 0;
      if (!bare && typed === 0) return e;
      key = t.slice(i, e);
      if (typed > 0 && secretKeyKind(key)) p = typed;
      else return bare ? this.bareForms(key, i, e, p) : e;
    } else key = t.slice(i, e);
    if (op > 0) p += op;
    else if (csv) p += 1;
    const lowerKey = key.toLowerCase();
    if (PAIR_NAMES.has(lowerKey)) {
      const next = this.pairName(p);
      if (next > 0) return next;
    }
    const kind = secretKeyKind(key) ?? (lowerKey === 'value' && i < this.pairUntil ? this.pairKind : null);
    const weak = !kind && !csv && weakSecretKey(key);
    if (!kind && !weak) return e;
    p = this.skipBlanks(p);
    const lower = key.toLowerCase();
    if (kind && (lower.endsWith('authorization') || kind === 'cookie')) return this.headerValue(kind, p, open && !closedKey ? open : undefined);
    // `apiToken: String = "…"` (Kotlin, TypeScript): skip the type.
    if (colon) {
      const typed = this.typedAssignment(p);
      if (typed > 0) p = this.skipBlanks(typed);
    }
    if (t[p] === '\\' && isQuote(t[p + 1])) return this.escapedValue(p, kind, weak, e);
    if (isQuote(t[p])) {
      if (open && !closedKey) return e; // `"Password: "`: prose inside a string, not a pair
      const [s, end, next] = this.word(p);
      const v = t.slice(s, end);
      if (end > s && this.accept(v, kind, weak)) this.push(s, end, kind ?? 'high_entropy');
      return next;
    }
    const block = YAML_BLOCK.exec(t.slice(p, p + 3));
    if (block) p = this.skipBlanks(p + block[0].length + (t[p + block[0].length] === '\r' ? 2 : 1), 64); // `api_token: |`, value on the next line
    const end = this.valueEnd(p);
    const v = t.slice(p, end);
    // A CSV row holds a secret only where it looks like one (`name,token,count` is a header).
    const csvOk = !csv || looksRandom(v) || (v.length >= 8 && /[0-9]/.test(v) && /[A-Za-z]/.test(v)) || (v.length >= 16 && shannonEntropy(v) >= 3.0);
    if (csvOk && this.accept(v, kind, weak) && (weak || valueNotCode(v, t[end], t[end + 1], key, colon))) this.push(p, end, kind ?? 'high_entropy');
    return end;
  }

  /**
   * The end of an unquoted value at `p`: up to white space or a quote, so passwords keep their
   * symbols (`a:b;c<@d}!`), but before `;`/`,`/`&` that start the next `name=` pair
   * (`Password=x;Database=y`, `?password=x&user=y`, `f(api_key=x, region=y)`) or an unmatched `)`,
   * and without trailing `,;)]}`. At most 4096 characters.
   */
  private valueEnd(p: number): number {
    const t = this.runs.text;
    const runEnd = Math.min(this.runs.end('nonspace', p), p + 4096);
    let end = runEnd;
    let open = 0;
    for (let k = p; k < runEnd; k++) {
      const c = t[k];
      if (c === '\\' && (t[k + 1] === 'n' || t[k + 1] === 'r' || t[k + 1] === 't')) {
        end = k; // an escaped line break: the value was a line of a file inside a JSON string
        break;
      } else if (c === '(') open++;
      else if (c === ')' && --open < 0) {
        end = k; // `(secret: string)`, `f(api_key=x)`: the call's parenthesis, not the value's
        break;
      } else if ((c === ';' || c === ',' || c === '&') && NEXT_PAIR.test(t.slice(k + 1, k + 48))) {
        end = k;
        break;
      }
    }
    while (end > p && TRAILING.has(t[end - 1]!)) end--;
    return end;
  }

  /** `"name": "API_TOKEN", "value": "…"` and `name="API_TOKEN" value="…"`: the name sets the kind of the value that follows. */
  private pairName(p: number): number {
    const t = this.runs.text;
    p = this.skipBlanks(p);
    if (!isQuote(t[p])) return -1;
    const [s, end, next] = this.word(p);
    const kind = end - s <= 64 ? secretKeyKind(t.slice(s, end)) : null;
    if (!kind) return -1;
    this.pairKind = kind;
    this.pairUntil = next + 64;
    return next;
  }

  /** After `key `, a type name then an assignment operator: where the value starts, or 0. */
  private typedAssignment(p: number): number {
    const t = this.runs.text;
    const e = this.runs.end('word', p);
    if (e === p || e - p > 24 || !isIdentStart(t.charCodeAt(p))) return 0;
    let q = this.skipBlanks(e);
    if (t[q] === '?') q++; // `String?` (Kotlin)
    q = this.skipBlanks(q);
    // Declarations space the type from `=`; `auth req=<id>` in a log line is a word and a pair.
    if (q === e || t[q] !== '=' || t[q + 1] === '=') return 0;
    return q + 1;
  }

  /** `\"secret\"`: a quoted value inside a JSON string. */
  private escapedValue(p: number, kind: string | null, weak: boolean, e: number): number {
    const t = this.runs.text;
    const q = t[p + 1]!;
    const close = this.runs.indexOf(q, p + 2);
    if (close === -1 || close - p > 4096 || t[close - 1] !== '\\') return e;
    const v = t.slice(p + 2, close - 1);
    if (v && this.accept(v, kind, weak)) this.push(p + 2, close - 1, kind ?? 'high_entropy');
    return close + 1;
  }

  private accept(v: string, kind: string | null, weak: boolean): boolean {
    if (weak) return looksRandom(v);
    return kind !== null && acceptable(v);
  }

  /** `Authorization: Bearer …`, `Cookie: a=b; c=d`: the rest of the header, after its scheme. */
  private headerValue(kind: string, p: number, enclosing: string | undefined): number {
    const t = this.runs.text;
    let start = p;
    let end = this.runs.lineEnd(p);
    if (isQuote(t[p])) {
      const [s, e2, next] = this.word(p);
      if (e2 === s) return p + 1;
      start = s;
      end = e2;
      this.headerSpan(kind, start, end);
      return next;
    }
    if (enclosing) {
      const close = this.runs.indexOf(enclosing, p);
      if (close !== -1 && close < end) end = close;
    }
    this.headerSpan(kind, start, end);
    return end;
  }

  private headerSpan(kind: string, start: number, end: number): void {
    const t = this.runs.text;
    const scheme = AUTH_SCHEME.exec(t.slice(start, start + 40));
    if (scheme) start += scheme[0].length;
    while (end > start && (t[end - 1] === ' ' || t[end - 1] === '\t' || t[end - 1] === '\r')) end--;
    const v = t.slice(start, Math.min(end, start + 300));
    // `cookie: accepted` is prose; a cookie header holds `name=value` pairs.
    if (kind === 'cookie' && !v.includes('=') && v.length < 16) return;
    if (acceptable(v)) this.push(start, end, kind);
  }

  /** `<password>…</password>`. */
  private xmlValue(key: string, p: number, e: number): number {
    const kind = secretKeyKind(key);
    if (!kind) return e;
    const close = this.runs.indexOf('</', p);
    if (close === -1 || close - p > 4096) return e;
    // `<apiToken>\n    …\n</apiToken>`: the value without the white space around it.
    const raw = this.runs.text.slice(p, close);
    const start = p + (raw.length - raw.trimStart().length);
    const end = close - (raw.length - raw.trimEnd().length);
    if (end > start && acceptable(this.runs.text.slice(start, end))) this.push(start, end, kind);
    return close;
  }

  /** Forms without `=`/`:`: flags, `-pSECRET`, netrc, and bare `Bearer <token>`. */
  private bareForms(key: string, i: number, e: number, p: number): number {
    const t = this.runs.text;
    const lower = key.toLowerCase();
    if (PASSWORD_P_COMMANDS.has(lower)) this.passwordP = true;
    const blank = p > e && t[p] !== '\n' && t[p] !== undefined;
    if (NETRC_WORDS.has(lower) && blank) {
      this.netrcAfter = this.word(p)[2];
      return this.netrcAfter;
    }
    if (key.startsWith('-')) return this.flag(key, i, e, p, blank);
    if ((lower === 'password' || lower === 'passwd') && this.netrcAfter >= 0 && i - this.netrcAfter <= 32 && t.slice(this.netrcAfter, i).trim() === '' && blank) {
      const [s, end, next] = this.word(p);
      if (acceptable(t.slice(s, end))) this.push(s, end, 'password');
      return next;
    }
    if ((lower === 'bearer' || lower === 'basic' || lower === 'token') && t[e] === ' ') {
      const end = this.runs.end('cred', e + 1);
      const v = t.slice(e + 1, end);
      if (lower === 'basic' ? isBasicCredential(v) : v.length >= (lower === 'bearer' ? 16 : 12) && (lower === 'bearer' || looksRandom(v))) {
        this.push(e + 1, end, lower === 'basic' ? 'basic_auth' : 'bearer_token');
      }
      return end;
    }
    // "my password is Tr0ub4dor&3": a secret word, `is`/`was`, then something no word looks like.
    const said = PROSE_IS.exec(t.slice(e, e + 6));
    if (said && SAID_WORDS.has(lower)) {
      const s = e + said[0].length;
      let end = this.runs.end('nonspace', s);
      while (end > s && (t[end - 1] === '.' || t[end - 1] === '!' || t[end - 1] === '?')) end--;
      const v = t.slice(s, end);
      if (v.length >= 6 && /[0-9]/.test(v) && /[A-Za-z]/.test(v) && acceptable(v)) this.push(s, end, SAID_WORDS.get(lower)!);
      return end;
    }
    return e;
  }

  private flag(key: string, i: number, e: number, p: number, blank: boolean): number {
    const t = this.runs.text;
    const name = key.replace(/^-+/, '');
    if (key.startsWith('-p') && !key.startsWith('--') && key.length > 2 && this.passwordP) {
      const end = this.runs.end('shell', i + 2);
      this.push(i + 2, end, 'password');
      return end;
    }
    if (!blank || t[p] === '-') return e;
    const [s, end, next] = this.word(p);
    const v = t.slice(s, end);
    if (name === 'u' || name === 'user' || name === 'proxy-user') {
      const colon = v.indexOf(':');
      if (colon !== -1 && colon + 1 < v.length && acceptable(v.slice(colon + 1))) this.push(s + colon + 1, end, 'password');
      return next;
    }
    if (name === 'p' && this.passwordP) {
      if (acceptable(v)) this.push(s, end, 'password');
      return next;
    }
    const kind = name.length > 1 ? secretKeyKind(name) : null;
    if (kind && acceptable(v)) {
      this.push(s, end, kind);
      return next;
    }
    return e;
  }
}

export function findAssignments(runs: Runs, out: Span[]): void {
  new Scan(runs, out).run();
}
