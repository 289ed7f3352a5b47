// Redaction of secrets before anything leaves the process: known secret shapes inside free text
// (tokens with a recognisable prefix, PEM blocks, credentials in URLs, `password=` pairs, auth
// headers) and whole values under a deny-list of argument keys. Capture only ever puts redacted text
// into an event; hashes and sizes are computed from the raw bytes, which never leave memory.

/** What replaces a secret: names the shape, never a part of the secret. */
export const marker = (kind: string) => `[redacted:${kind}]`;

interface Shape {
  kind: string;
  re: RegExp;
  /** Default: the whole match becomes the marker. Otherwise builds the replacement. */
  replace?: (match: string, ...groups: string[]) => string;
}

// Keys whose values are secrets when they appear as `key=value`, `key: value` or `"key": "value"`.
const SECRET_KEY =
  '(?:[A-Za-z0-9]+[_-])*(?:password|passwd|pwd|pass|secret|client[_-]?secret|api[_-]?key|apikey|access[_-]?key(?:[_-]?id)?|secret[_-]?access[_-]?key|access[_-]?token|refresh[_-]?token|auth[_-]?token|token|private[_-]?key|accountkey|sharedaccesskey|credentials?)';

/** `password=`, `"api_key": `, `SECRET: ` ... up to the value. */
const KEY_HEAD = `["']?\\b${SECRET_KEY}["']?\\s*[:=]\\s*`;
/** Values that are code or placeholders, not secrets. */
const NOT_SECRET = '(?:string|number|boolean|any|unknown|null|undefined|true|false|none|object|void)';

/**
 * The secret shapes, most specific first (a later, broader rule never sees what an earlier one
 * replaced, because markers match none of them). Every entry has at least one sample in
 * `redaction.corpus/secrets.corpus.ts`.
 */
export const SHAPES: readonly Shape[] = [
  // Private key blocks, also cut-off ones (a truncated read of id_rsa is still a secret).
  { kind: 'private-key', re: /-----BEGIN ((?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?)-----[\s\S]*?(?:-----END \1-----|$)/g },
  { kind: 'aws-access-key-id', re: /\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b/g },
  { kind: 'github-token', re: /\bgh[pousr]_[A-Za-z0-9]{36,255}\b/g },
  { kind: 'github-token', re: /\bgithub_pat_[A-Za-z0-9_]{22,255}\b/g },
  { kind: 'gitlab-token', re: /\bgl(?:pat|dt|ptt|rt|cbt|imt|soat|ft|agent)-[A-Za-z0-9_-]{20,}/g },
  { kind: 'slack-webhook', re: /https:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9/_-]+/g },
  { kind: 'slack-token', re: /\bxox[abposre]-[A-Za-z0-9-]{10,}/g },
  { kind: 'slack-token', re: /\bxapp-\d-[A-Za-z0-9-]{20,}/g },
  { kind: 'discord-webhook', re: /https:\/\/(?:canary\.|ptb\.)?discord(?:app)?\.com\/api\/webhooks\/\d+\/[A-Za-z0-9_-]+/g },
  { kind: 'jwt', re: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g },
  { kind: 'stripe-key', re: /\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}/g },
  { kind: 'stripe-webhook-secret', re: /\bwhsec_[A-Za-z0-9+/=]{16,}/g },
  { kind: 'google-api-key', re: /\bAIza[0-9A-Za-z_-]{35}(?![\w-])/g },
  { kind: 'google-oauth-secret', re: /\bGOCSPX-[A-Za-z0-9_-]{20,}/g },
  { kind: 'google-oauth-token', re: /\bya29\.[0-9A-Za-z_-]{20,}/g },
  { kind: 'npm-token', re: /\bnpm_[A-Za-z0-9]{36}\b/g },
  { kind: 'pypi-token', re: /\bpypi-AgE[A-Za-z0-9_-]{50,}/g },
  { kind: 'anthropic-key', re: /\bsk-ant-[A-Za-z0-9_-]{20,}/g },
  { kind: 'openai-key', re: /\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}/g },
  { kind: 'sendgrid-key', re: /\bSG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}/g },
  { kind: 'twilio-key', re: /\bSK[0-9a-f]{32}\b/g },
  { kind: 'mailgun-key', re: /\bkey-[0-9a-f]{32}\b/g },
  { kind: 'shopify-token', re: /\bshp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}\b/g },
  { kind: 'dockerhub-token', re: /\bdckr_pat_[A-Za-z0-9_-]{20,}/g },
  { kind: 'huggingface-token', re: /\bhf_[A-Za-z0-9]{30,}\b/g },
  { kind: 'digitalocean-token', re: /\bdo[por]_v1_[a-f0-9]{64}\b/g },
  { kind: 'vault-token', re: /\bhv[sb]\.[A-Za-z0-9_-]{24,}/g },
  { kind: 'grafana-token', re: /\bgl(?:sa|c)_[A-Za-z0-9+/=_-]{32,}/g },
  { kind: 'newrelic-key', re: /\bNRAK-[A-Z0-9]{27}\b/g },
  { kind: 'postman-key', re: /\bPMAK-[a-f0-9]{24}-[a-f0-9]{34}\b/g },
  { kind: 'linear-key', re: /\blin_api_[A-Za-z0-9]{40}\b/g },
  { kind: 'databricks-token', re: /\bdapi[a-f0-9]{32}\b/g },
  { kind: 'age-secret-key', re: /\bAGE-SECRET-KEY-1[0-9A-Z]{58}\b/g },
  { kind: 'telegram-bot-token', re: /(?<!\d)\d{8,10}:AA[A-Za-z0-9_-]{33}(?![\w-])/g },
  { kind: 'square-token', re: /\bsq0(?:atp|csp)-[0-9A-Za-z_-]{22,}/g },
  // Credentials inside URLs and connection strings: keep scheme, user and host, drop the password.
  {
    kind: 'url-password',
    re: /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/:@'"]*):([^\s/@'"]+)@/gi,
    replace: (_m, scheme: string, user: string) => `${scheme}${user}:${marker('url-password')}@`,
  },
  // Authorization headers and bare bearer / basic credentials.
  {
    kind: 'auth-header',
    re: /\b(Bearer|Basic|Token|Digest)\s+[A-Za-z0-9._~+/=-]{8,}/g,
    replace: (_m, scheme: string) => `${scheme} ${marker('auth-header')}`,
  },
  {
    kind: 'cookie',
    re: /\b((?:set-)?cookie\s*:\s*)[^\r\n]+/gi,
    replace: (_m, head: string) => `${head}${marker('cookie')}`,
  },
  {
    kind: 'api-key-header',
    re: /\b(x-(?:api-key|auth-token|access-token)\s*:\s*)[^\s,;]+/gi,
    replace: (_m, head: string) => `${head}${marker('api-key-header')}`,
  },
  // `"secret": "..."`, `api_key = '...'`: a quoted value under a secret-looking key.
  {
    kind: 'secret-assignment',
    re: new RegExp(`(${KEY_HEAD})(["'])(?!${NOT_SECRET}\\2)([^"'\\r\\n]{4,})\\2`, 'gi'),
    replace: (_m, head: string, quote: string) => `${head}${quote}${marker('secret')}${quote}`,
  },
  // `password=...`, `api_key: ...`, `Password=...;` (ADO / JDBC), unquoted. To leave code alone
  // (`token = await getToken()`, `secret: string`), the value must hold a digit or a symbol that
  // identifiers cannot, and must not be followed by `(` or `.` (a call, a member).
  {
    kind: 'secret-assignment',
    re: new RegExp(`(${KEY_HEAD})(?=[^\\s"'\`,;&<>(){}\\[\\]]*[0-9+/=!@#$%^*~])([^\\s"'\`,;&<>(){}\\[\\].]{4,})(?![\\w.(])`, 'gi'),
    replace: (_m, head: string) => `${head}${marker('secret')}`,
  },
  // Azure SAS signatures in query strings.
  {
    kind: 'sas-signature',
    re: /([?&]sig=)[A-Za-z0-9%+/=]{16,}/g,
    replace: (_m, head: string) => `${head}${marker('sas-signature')}`,
  },
];

const FAST_CHECK = /[A-Za-z0-9]{8}|-----BEGIN|:\/\//;

/** Replaces every known secret shape in `text` with a marker. Ordinary text comes back unchanged. */
export function redactText(text: string): string {
  if (text.length < 8 || !FAST_CHECK.test(text)) return text;
  let out = text;
  for (const s of SHAPES) {
    s.re.lastIndex = 0;
    if (!s.re.test(out)) continue;
    s.re.lastIndex = 0;
    out = s.replace ? out.replace(s.re, s.replace as (m: string, ...g: string[]) => string) : out.replace(s.re, marker(s.kind));
  }
  return out;
}

/** Argument keys whose values are always redacted, whatever they hold. */
export const DEFAULT_DENY_KEYS = [
  'password',
  'passwd',
  'secret',
  'token',
  'api_key',
  'apikey',
  'authorization',
  'cookie',
  'private_key',
  'client_secret',
  'access_token',
  'refresh_token',
  'credentials',
] as const;

const normalizeKey = (k: string) => k.toLowerCase().replace(/[-_\s]/g, '');

/** A deny-list matcher: keys compare case-, dash- and underscore-insensitively. */
export function denyKeyMatcher(keys: readonly string[]): (key: string) => boolean {
  const set = new Set(keys.map(normalizeKey));
  return (key) => set.has(normalizeKey(key));
}

/**
 * A deep copy of `value` with deny-listed keys' values replaced and every string passed through
 * `redactText`. Depth and breadth are bounded so a hostile argument cannot stall capture.
 */
export function redactValue(value: unknown, isDenied: (key: string) => boolean, depth = 0): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > 32) return marker('too-deep');
  if (Array.isArray(value)) return value.map((v) => redactValue(v, isDenied, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = isDenied(k) && v !== null && v !== '' ? marker('denied-key') : redactValue(v, isDenied, depth + 1);
  }
  return out;
}
