// Credentials inside URLs: the password of the user-info (`postgres://app:pw@db`, a token used as
// the user name), and secret query or fragment parameters of signed and tokenised URLs
// (X-Amz-Signature, X-Goog-Credential, sig, token, access_token, api_key, key, ...). Scheme, user
// and host stay readable; only the secret part becomes a marker.
import { looksRandom } from './entropy.ts';
import { secretKeyKind } from './keys.ts';
import type { Runs } from './runs.ts';
import type { Span } from './spans.ts';

/** Query parameter names (lower case, no `-`/`_`) whose value is a credential in any URL. */
const SECRET_PARAMS = new Set([
  'xamzsignature', 'xamzcredential', 'xamzsecuritytoken', 'xgoogsignature', 'xgoogcredential', 'signature', 'sig', 'token',
  'accesstoken', 'apikey', 'key', 'clientsecret', 'password', 'passwd', 'pwd', 'pass', 'secret', 'authtoken', 'refreshtoken',
  'idtoken', 'sessiontoken', 'apitoken', 'xapikey', 'privatetoken', 'oauthtoken', 'oauthsignature', 'awsaccesskeyid', 'jwt',
  'auth', 'authorization', 'accesskey', 'secretkey', 'code', 'ticket', 'sessionid', 'sid',
]);

const isSecretParam = (name: string) => SECRET_PARAMS.has(name.toLowerCase().replace(/[-_]/g, '')) || secretKeyKind(name) !== null;

/**
 * Names that hold a credential only sometimes: `key=AIza…` but `key=reports/q1.csv`, an OAuth
 * `code=` but `code=US`. Their values are taken only when they look random.
 */
const WEAK_PARAMS = new Set(['key', 'code', 'sid']);

const SCHEME_CHAR = /[A-Za-z0-9+.-]/;

export function findUrlSecrets(runs: Runs, out: Span[]): void {
  const text = runs.text;
  let from = 0;
  // A URL nested in another's query is already covered by the outer one's parameter scan.
  let paramsDoneUntil = 0;
  for (;;) {
    const at = runs.indexOf('://', from);
    if (at === -1) return;
    from = at + 3;
    let s = at;
    while (s > 0 && at - s < 32 && SCHEME_CHAR.test(text[s - 1]!)) s--;
    if (s === at) continue;
    const hostStart = at + 3;
    const hostEnd = runs.end('authority', hostStart);
    userInfo(text, hostStart, hostEnd, out);
    const urlEnd = runs.end('url', hostEnd);
    if (urlEnd > hostEnd && hostEnd >= paramsDoneUntil) {
      params(text, hostEnd, urlEnd, out);
      paramsDoneUntil = urlEnd;
    }
    from = Math.max(from, hostEnd);
  }
}

function userInfo(text: string, start: number, end: number, out: Span[]): void {
  let atSign = -1;
  let colon = -1;
  for (let k = start; k < end; k++) {
    const ch = text.charCodeAt(k);
    if (ch === 64 /* @ */) atSign = k;
    else if (ch === 58 /* : */ && colon === -1 && atSign === -1) colon = k;
  }
  if (atSign === -1 || text.slice(start, atSign).includes('[redacted:')) return;
  if (colon !== -1 && colon < atSign) {
    if (atSign > colon + 1 && !isPlaceholder(text.slice(colon + 1, atSign))) out.push({ start: colon + 1, end: atSign, kind: 'url_credentials' });
    return;
  }
  // A token used as the user name (`https://<token>@github.com`, Sentry DSNs).
  const user = text.slice(start, atSign);
  if (looksRandom(user)) out.push({ start, end: atSign, kind: 'url_credentials' });
}

/** Secret `name=value` pairs of the query and fragment in [start, end). */
function params(text: string, start: number, end: number, out: Span[]): void {
  let q = start;
  while (q < end && text[q] !== '?' && text[q] !== '#') q++;
  if (q >= end) return;
  let p = q + 1;
  while (p < end) {
    let stop = p;
    while (stop < end && text[stop] !== '&' && text[stop] !== ';' && text[stop] !== '#') stop++;
    let eq = p;
    while (eq < stop && text[eq] !== '=') eq++;
    if (eq + 1 < stop) {
      const name = text.slice(p, eq);
      if (name.length <= 64 && isSecretParam(name) && !isPlaceholder(text.slice(eq + 1, stop))) {
        const v = text.slice(eq + 1, stop);
        if (!WEAK_PARAMS.has(name.toLowerCase()) || looksRandom(v)) out.push({ start: eq + 1, end: stop, kind: 'url_credentials' });
      }
    }
    p = stop + 1;
  }
}

/** `${VAR}`, `<password>`, `***`, `[redacted:…]`: not a value to hide. */
export function isPlaceholder(v: string): boolean {
  if (v.length > 200) return false;
  return v.length === 0 || /^(?:\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|<[^<>]{0,64}>|\*+|x{3,}|\.{3}|%[A-Za-z_]+%|\{\{[^{}]{0,64}\}\}|\[redacted:[a-z0-9_-]{1,64}\]|(?:%5B|\[)redacted.*)$/i.test(v);
}
