// Is what follows a secret-named key a value, or code and prose that merely mention the secret
// (`token = getToken()`, `secret: string`, `password: ${{ secrets.X }}`, `session: started at …`)?
import { secretKeyKind } from './keys.ts';
import { isPlaceholder } from './urls.ts';

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
const CALL_OR_GENERIC = /^[A-Za-z_$][\w$.:]{0,64}(?:[([]|<[\w, .<>]{0,64}>$)/;
/** Template and shell expansions: `${{ secrets.X }}`, `{{ .Values.x }}`, `$(cat file)`, `<%= … %>`. */
const TEMPLATE = /^(?:\$\{|\{\{|\{%|<%|\$\()/;
const LETTERS = /^[A-Za-z]+$/;
const MEMBER_CHAIN = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$/;
const PASCAL_TYPE = /^[A-Z][a-z]+(?:[A-Z][a-z]+)+$/;

/** `Basic <base64 of user:password>`. */
export function isBasicCredential(v: string): boolean {
  if (v.length < 8 || v.length > 1024) return false;
  const decoded = Buffer.from(v, 'base64').toString('utf8');
  return /^[^:\s]{1,128}:\S/.test(decoded) && !decoded.includes('\ufffd');
}

/** Is `v`, found unquoted after a secret key, a value rather than code? */
export function valueNotCode(v: string, next: string | undefined, after: string | undefined, key: string, colon: boolean): boolean {
  if (v.length < 3 || next === '(' || next === '[') return false;
  // `(): Info => …`, `[private_data]`, `{…}`: structure, not a value.
  if (v[0] === '(' || v[0] === '[' || v[0] === '{') return false;
  // `session: initializing ? a : b`, `token: a || b`: an expression goes on.
  if (next === ' ' && after !== undefined && '?|&+*/=<>'.includes(after)) return false;
  // `session: started at 10:42`, `signature: John Smith`: a word that prose goes on from.
  if (colon && LETTERS.test(v) && next === ' ' && after !== undefined && /[A-Za-z]/.test(after)) return false;
  // `secret: !vault |`: a YAML tag.
  if (v.startsWith('!') && LETTERS.test(v.slice(1))) return false;
  if (MEMBER_CHAIN.test(v.replace(/[!?]{1,2}$/, ''))) return false; // `process.env.API_KEY!`
  if (CALL_OR_GENERIC.test(v) || TEMPLATE.test(v)) return false; // `getToken(scope)`, `Optional[str]`, `config["secret"]`
  if (IDENT.test(v)) {
    const lower = v.toLowerCase();
    if (CODE_WORDS.has(lower) || lower === key.toLowerCase() || secretKeyKind(v) !== null || PASCAL_TYPE.test(v)) return false;
  }
  return true;
}

/** A package version range (`"cookie-signature": "^1.2.1"`). */
const VERSION = /^[~^=v]?\d+\.\d+\.\d+[\w.+-]{0,32}$/;

/** Not a placeholder, type name, interpolation (`${…}`) or version: worth hiding. */
export const acceptable = (v: string) => !isPlaceholder(v) && !TYPE_WORDS.has(v.toLowerCase()) && !v.includes('${') && !VERSION.test(v);
