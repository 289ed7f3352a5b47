// Is this key name one whose value is a secret? Keys come in every style (`db_password`,
// `apiToken`, `GITHUB_TOKEN`, `x-api-key`, `client.secret`, `--password`, `_authToken`), so a key is
// split into lower-case words and judged by them: a secret word anywhere (`password`, `token`,
// `secret`, ...) makes it secret unless the last word says the value is about the secret rather than
// the secret itself (`token_count`, `password_file`, `secret_name`) or the first word says it counts
// or pages (`max_tokens`, `next_page_token`).

/** Splits `dbPassword`, `DB_PASSWORD`, `x-api-key`, `client.secret`, `APIKey` into lower-case words. */
export function keyWords(key: string): string[] {
  const words: string[] = [];
  let cur = '';
  const flush = () => {
    if (cur) words.push(cur.toLowerCase());
    cur = '';
  };
  const n = Math.min(key.length, 128);
  for (let i = 0; i < n; i++) {
    const ch = key[i]!;
    const isUpper = ch >= 'A' && ch <= 'Z';
    const isLower = ch >= 'a' && ch <= 'z';
    const isDigit = ch >= '0' && ch <= '9';
    if (!isUpper && !isLower && !isDigit) {
      flush();
      continue;
    }
    const prev = key[i - 1] ?? '';
    const next = key[i + 1] ?? '';
    const prevLower = (prev >= 'a' && prev <= 'z') || (prev >= '0' && prev <= '9');
    const prevUpper = prev >= 'A' && prev <= 'Z';
    const nextLower = next >= 'a' && next <= 'z';
    // camelCase (`apiKey`) and acronym ends (`APIKey`: a capital followed by lower case starts a word).
    if (isUpper && (prevLower || (prevUpper && nextLower))) flush();
    cur += ch;
  }
  flush();
  return words;
}

/** Single words that name a secret, with the kind reported for them (no prototype: `constructor` is no secret). */
const SECRET_WORDS: Record<string, string> = Object.assign(Object.create(null) as Record<string, string>, {
  password: 'password',
  passwd: 'password',
  pwd: 'password',
  pw: 'password',
  pass: 'password',
  passphrase: 'password',
  passcode: 'password',
  otp: 'password',
  secret: 'secret',
  secrets: 'secret',
  mnemonic: 'secret',
  token: 'token',
  pat: 'token',
  apikey: 'api_key',
  privatekey: 'private_key',
  accesskey: 'access_key',
  credential: 'credentials',
  credentials: 'credentials',
  creds: 'credentials',
  cred: 'credentials',
  cookie: 'cookie',
  cookies: 'cookie',
  setcookie: 'cookie',
  session: 'session',
  sessionid: 'session',
  auth: 'authorization',
  authorization: 'authorization',
  signature: 'signature',
  sig: 'signature',
});

/** Glued words (`dbpassword`, `githubtoken`, `clientsecret`) end in one of these. */
const SECRET_ENDINGS: [string, string][] = [
  ['password', 'password'],
  ['passwd', 'password'],
  ['passphrase', 'password'],
  ['token', 'token'],
  ['secret', 'secret'],
  ['apikey', 'api_key'],
  ['privatekey', 'private_key'],
  ['accesskey', 'access_key'],
  ['secretkey', 'secret'],
  ['credentials', 'credentials'],
  ['cookie', 'cookie'],
  ['sessionid', 'session'],
];

/** `<word>_key` is a secret unless the word says it is an identifier kind of key. */
const BENIGN_KEY_PREFIXES = new Set([
  'primary', 'foreign', 'sort', 'partition', 'cache', 'lookup', 'idempotency', 'object', 'map', 'hash', 'public', 'publishable',
  'routing', 'dedup', 'dedupe', 'unique', 'composite', 'search', 'row', 'column', 'field', 'json', 'dict', 'table', 'hot',
  'short', 'sorting', 'group', 'grouping', 'index', 'join', 'message', 'record', 'entity', 'shard', 'bucket', 'cursor', 'page',
  'translation', 'i18n', 'locale', 'resource', 'item', 'node', 'config', 'setting', 'settings', 'property', 'attribute',
  'metric', 'label', 'tag', 'event', 'schema', 'type', 'kind', 'cluster', 'stream', 'topic', 'queue', 'registry', 'path', 'user',
  'tenant', 'rule', 'alert', 'episode', 'dedupe', 'lock', 'state', 'react', 'list', 'sort',
]);

/** Words that make `<word>_key` a secret whatever its value looks like. */
const SECRET_KEY_PREFIXES = new Set([
  'api', 'private', 'access', 'secret', 'auth', 'client', 'master', 'signing', 'sign', 'encryption', 'encrypt', 'decrypt',
  'crypto', 'ssh', 'gpg', 'pgp', 'rsa', 'deploy', 'service', 'account', 'app', 'application', 'webhook', 'bot', 'admin', 'root',
  'session', 'aes', 'hmac', 'jwt', 'subscription', 'storage', 'shared', 'license', 'licence', 'integration', 'developer',
  'dev', 'prod', 'production', 'live', 'test', 'consumer', 'partner', 'merchant', 'stripe', 'openai', 'anthropic', 'github',
  'aws', 'gcp', 'azure', 'google', 'slack', 'twilio', 'sendgrid', 'mailgun', 'x', 'org', 'organization', 'project',
  'wallet', 'mnemonic', 'seed', 'recovery', 'backup', 'kms', 'vault', 'token', 'security', 'ingest',
]);

/** A last word that makes the value a fact about the secret, not the secret. */
const BENIGN_LAST = new Set([
  'count', 'counts', 'length', 'len', 'size', 'type', 'types', 'kind', 'name', 'names', 'label', 'url', 'uri', 'urls', 'endpoint',
  'path', 'paths', 'file', 'files', 'filename', 'dir', 'directory', 'policy', 'policies', 'expiry', 'expires', 'expiration',
  'exp', 'ttl', 'lifetime', 'age', 'limit', 'limits', 'max', 'min', 'format', 'hint', 'prompt', 'required', 'enabled', 'enable',
  'disabled', 'mode', 'method', 'methods', 'provider', 'providers', 'scope', 'scopes', 'usage', 'budget', 'version', 'strategy',
  'rotation', 'rotated', 'updated', 'created', 'changed', 'at', 'date', 'time', 'timestamp', 'ids', 'field', 'fields', 'env',
  'var', 'variable', 'ref', 'reference', 'source', 'location', 'store', 'manager', 'helper', 'command', 'cmd', 'prefix',
  'suffix', 'regex', 'pattern', 'schema', 'strength', 'complexity', 'valid', 'validity', 'visible', 'visibility', 'flag',
  'exists', 'present', 'stdin', 'tokens', 'fingerprint', 'algorithm', 'alg', 'algo', 'bits', 'purpose', 'status', 'state',
  'level', 'index', 'position', 'offset', 'remaining', 'used', 'template', 'placeholder', 'description', 'desc', 'doc', 'docs',
  'help', 'id', 'timeout', 'interval', 'duration', 'period', 'window', 'header', 'headers', 'param', 'parameter', 'key_id',
  'issuer', 'audience', 'owner', 'user', 'username', 'login', 'email', 'host', 'port', 'region', 'service', 'server', 'rules',
  'seconds', 'secs', 'sec', 'minutes', 'mins', 'hours', 'days', 'ms', 'in', 'before', 'after', 'until', 'since', 'hint',
]);

/** A first word that makes the value a count or a page cursor (`max_tokens`, `nextPageToken`). */
const BENIGN_FIRST = new Set([
  'max', 'min', 'num', 'total', 'page', 'next', 'prev', 'previous', 'continuation', 'sync', 'pagination', 'cursor', 'input',
  'output', 'completion', 'prompt', 'cache', 'cached', 'reasoning', 'is', 'has', 'use', 'show', 'hide', 'requires', 'require',
  'allow', 'n', 'count',
]);

/** `id` ends a secret name only after these (`access_key_id` is an AWS key id, `secret_id` a Vault AppRole secret; a session id names a session). */
const SECRET_ID_AFTER = new Set(['secret', 'access']);

function wordKind(words: string[], i: number): string | null {
  const w = words[i]!;
  const direct = SECRET_WORDS[w];
  if (direct) return direct;
  // `<word>_key` names a secret only after a word that says so (`api_key`, `signing_key`); other
  // `*_key` names (`issue_key`, `s3_key`) are weak: their value is redacted only when it looks random.
  if (w === 'key' && i > 0) return BENIGN_KEY_PREFIXES.has(words[i - 1]!) || !SECRET_KEY_PREFIXES.has(words[i - 1]!) ? null : keyKind(words[i - 1]!);
  if (w.length > 4) for (const [end, kind] of SECRET_ENDINGS) if (w.endsWith(end)) return kind;
  return null;
}

const keyKind = (before: string) =>
  before === 'api' ? 'api_key' : before === 'private' ? 'private_key' : before === 'access' ? 'access_key' : before === 'secret' ? 'secret' : 'api_key';

const cache = new Map<string, string | null>();

/**
 * The kind of secret a value under `key` is (`password`, `token`, `api_key`, `private_key`,
 * `secret`, `credentials`, `cookie`, `session`, `authorization`, `signature`, `access_key`), or
 * null for an ordinary key.
 */
export function secretKeyKind(key: string): string | null {
  if (key.length > 128 || key.length === 0) return null;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const kind = classify(keyWords(key));
  if (cache.size > 10_000) cache.clear();
  cache.set(key, kind);
  return kind;
}

function classify(words: string[]): string | null {
  if (words.length === 0 || words.length > 12) return null;
  const last = words[words.length - 1]!;
  if (BENIGN_FIRST.has(words[0]!) && words.length > 1) return null;
  if (last === 'id' && words.length > 1 && !SECRET_ID_AFTER.has(words[words.length - 2]!) && words[words.length - 2] !== 'key') return null;
  if (last === 'id' && words[words.length - 2] === 'key' && words[words.length - 3] !== 'access') return null;
  if (last !== 'id' && BENIGN_LAST.has(last) && words.length > 1) return null;
  for (let i = words.length - 1; i >= 0; i--) {
    const k = wordKind(words, i);
    if (k) return k;
  }
  return null;
}

/** Keys whose values are secrets only when they also look random: `key`, `code`, `license`. */
const WEAK_WORDS = new Set(['key', 'keys', 'code', 'license', 'licence', 'hmac', 'nonce', 'salt', 'hash']);

const weakCache = new Map<string, boolean>();

export function weakSecretKey(key: string): boolean {
  if (key.length > 64) return false;
  const hit = weakCache.get(key);
  if (hit !== undefined) return hit;
  const words = keyWords(key);
  const weak = words.length > 0 && words.length <= 3 && WEAK_WORDS.has(words[words.length - 1]!);
  if (weakCache.size > 10_000) weakCache.clear();
  weakCache.set(key, weak);
  return weak;
}
