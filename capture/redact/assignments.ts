// Secrets named by the text around them: `password=…`, `"api_key": "…"`, `DB_PASSWORD=…` lines of
// a .env, `_authToken=` in .npmrc, `Password=…;` in connection strings, `<password>…</password>`,
// `Authorization:` and `Cookie:` headers, command-line flags (`--password …`, `curl -u user:pass`,
// `mysql -pSECRET`, `docker login -p …`) and .netrc `login … password …`. One pass over the key-like
// runs of the text; code (`token = getToken()`, `secret: string`) is told apart from values.
import { looksRandom } from './entropy.ts';
import { secretKeyKind, weakSecretKey } from './keys.ts';
import { inClass, type Runs } from './runs.ts';
import type { Span } from './spans.ts';
import { isPlaceholder } from './urls.ts';

const isQuote = (ch: string | undefined) => ch === '"' || ch === "'" || ch === '`';

/** Values that are type names or literals in code, not secrets. */
const TYPE_WORDS = new Set([
  'string', 'str', 'number', 'int', 'integer', 'float', 'bool', 'boolean', 'any', 'unknown', 'null', 'undefined', 'true', 'false',
  'none', 'nil', 'object', 'void', 'optional', 'bytes', 'text', 'varchar', 'char', 'redacted', 'required', 'hidden', 'secret',
  'password', 'token', 'env',
]);

/** Identifiers that start an expression rather than being a value: `token = await …`, `password = input(…)`. */
const CODE_WORDS = new Set([
  'await', 'new', 'this', 'self', 'os', 'process', 'env', 'input', 'getpass', 'get', 'req', 'request', 'options', 'opts', 'args',
  'params', 'config', 'cfg', 'settings', 'data', 'value', 'result', 'yield', 'return', 'typeof', 'function', 'lambda', 'async',
  'const', 'let', 'var', 'props', 'state', 'ctx', 'context', 'response', 'res', 'body', 'payload', 'secrets', 'vars',
]);

const IDENT = /^[A-Za-z_$][\w$]*$/;
const LETTERS = /^[A-Za-z]+$/;
const MEMBER_CHAIN = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$/;
const PASCAL_TYPE = /^[A-Z][a-z]+(?:[A-Z][a-z]+)+$/;
const AUTH_SCHEME = /^(?:Bearer|Basic|Token|Digest|Negotiate|NTLM|OAuth|ApiKey|Key|JWT|SSWS|AWS4-HMAC-SHA256|Splunk|GenieKey)[ \t]+/i;
/** Words of a command line after which `-p` is a password: mysql, docker login, sshpass. */
const PASSWORD_P_COMMANDS = new Set(['mysql', 'mysqldump', 'mysqladmin', 'mariadb', 'mariadb-dump', 'login', 'sshpass', 'mysqlsh', 'mysqlimport']);
const NETRC_WORDS = new Set(['machine', 'login', 'account', 'default']);

/** Is `v`, found unquoted after a secret key, a value rather than code? */
function valueNotCode(v: string, next: string | undefined, after: string | undefined, key: string, colon: boolean): boolean {
  if (v.length < 3 || next === '(' || next === '[') return false;
  // `session: started at 10:42`, `signature: John Smith`: a word that prose goes on from.
  if (colon && LETTERS.test(v) && next === ' ' && after !== undefined && /[A-Za-z]/.test(after)) return false;
  // `secret: !vault |`: a YAML tag.
  if (v.startsWith('!') && LETTERS.test(v.slice(1))) return false;
  if (MEMBER_CHAIN.test(v)) return false;
  if (IDENT.test(v)) {
    const lower = v.toLowerCase();
    if (CODE_WORDS.has(lower) || lower === key.toLowerCase() || secretKeyKind(v) !== null || PASCAL_TYPE.test(v)) return false;
  }
  return true;
}

const acceptable = (v: string) => !isPlaceholder(v) && !TYPE_WORDS.has(v.toLowerCase());

class Scan {
  private lineEnd = -1;
  private passwordP = false;
  private netrcAfter = -1;
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

  /** Looks at the key-like run [i, e); returns where scanning goes on. */
  private key(i: number, e: number): number {
    const t = this.runs.text;
    if (e - i > 128) return e;
    const open = i > 0 && isQuote(t[i - 1]) ? t[i - 1] : undefined;
    let p = e;
    const closedKey = open !== undefined && t[p] === open;
    if (closedKey) p++;
    p = this.skipBlanks(p);
    let sep = false;
    const colon = t[p] === ':';
    if (t[p] === '=' && t[p + 1] !== '=') {
      sep = true;
      p += t[p + 1] === '>' ? 2 : 1;
    } else if (t[p] === ':' && t[p + 1] !== ':' && !t.startsWith('//', p + 1)) {
      sep = true;
      p += t[p + 1] === '=' ? 2 : 1;
    } else if (t[p] === '>' && t[i - 1] === '<') {
      return this.xmlValue(t.slice(i, e), p + 1, e);
    }
    // The bare forms start with `-` or are words of 5 to 12 letters (mysql, login, password, bearer, ...).
    if (!sep && t[i] !== '-' && (e - i < 5 || e - i > 12)) return e;
    const key = t.slice(i, e);
    if (!sep) return this.bareForms(key, i, e, p);
    const kind = secretKeyKind(key);
    const weak = !kind && weakSecretKey(key);
    if (!kind && !weak) return e;
    p = this.skipBlanks(p);
    const lower = key.toLowerCase();
    if (kind && (lower.endsWith('authorization') || kind === 'cookie')) return this.headerValue(kind, p, open && !closedKey ? open : undefined);
    if (isQuote(t[p])) {
      if (open && !closedKey) return e; // `"Password: "`: prose inside a string, not a pair
      const [s, end, next] = this.word(p);
      const v = t.slice(s, end);
      if (end > s && this.accept(v, kind, weak)) this.push(s, end, kind ?? 'high_entropy');
      return next;
    }
    const end = this.runs.end('value', p);
    const v = t.slice(p, end);
    if (this.accept(v, kind, weak) && (weak || valueNotCode(v, t[end], t[end + 1], key, colon))) this.push(p, end, kind ?? 'high_entropy');
    return end;
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
    const close = this.runs.indexOf('<', p);
    if (close === -1 || close - p > 4096 || close > this.runs.lineEnd(p)) return e;
    if (acceptable(this.runs.text.slice(p, close))) this.push(p, close, kind);
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
      const min = lower === 'bearer' ? 16 : 12;
      if (v.length >= min && (lower === 'bearer' || looksRandom(v))) this.push(e + 1, end, lower === 'basic' ? 'basic_auth' : 'bearer_token');
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
