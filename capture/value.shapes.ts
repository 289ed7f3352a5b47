// Recognises the values worth a fingerprint in free text and normalises each so the same value
// written two ways compares equal: e-mail addresses, URLs, hosts, IBANs, phone numbers, numbers
// (amounts) and identifier-like tokens; and classifies argument keys (destination, account, phone,
// host). Every scan is one pass over the text with hand-written checks (no backtracking regexes),
// and each token is bounded, so the work is linear in the text scanned.
import type { FingerprintKind } from '../schemas/event.v2.ts';

export type ValueSink = (kind: FingerprintKind, value: string) => void;
/** Whether more values of a kind are still wanted; parsing URLs and addresses is skipped when not. */
export type Wants = (kind: FingerprintKind) => boolean;
const always: Wants = () => true;

/** Longest whitespace-delimited token looked at; longer ones are blobs (base64, minified code). */
const MAX_TOKEN = 2048;
/** Longest identifier-like run fingerprinted as `id`. */
const MAX_ID = 128;
const MIN_ID = 8;

// Bare names count as hosts only under these top-level domains (or with `www.`), because
// `readme.md`, `main.rs` or `setup.py` are file names far more often than hosts.
const BARE_HOST_TLDS = new Set(
  ('com net org edu gov mil int io co ai app dev cloud tech info biz me tv xyz site online store shop page ' +
    'uk de fr nl be ch at it es pt se no dk fi ie eu us ca au nz jp cn kr in br mx ru ua pl cz tr za il sg hk tw ar cl')
    .split(' '),
);

const code = (s: string, i: number) => s.charCodeAt(i);
const isDigit = (c: number) => c >= 48 && c <= 57;
const isUpper = (c: number) => c >= 65 && c <= 90;
const isLower = (c: number) => c >= 97 && c <= 122;
const isAlnum = (c: number) => isDigit(c) || isUpper(c) || isLower(c);
const isIdChar = (c: number) => isAlnum(c) || c === 95 /* _ */ || c === 45; /* - */
const isEmailLocal = (c: number) => isAlnum(c) || c === 46 || c === 95 || c === 37 || c === 43 || c === 45; // . _ % + -
const isHostChar = (c: number) => isAlnum(c) || c === 46 || c === 45; // . -
const isSpace = (c: number) => c === 32 || (c >= 9 && c <= 13) || c === 160 || c === 0x2028 || c === 0x2029 || c === 0x3000;
// Token boundaries besides white space: quotes, angle brackets, braces, square brackets, pipes.
const isBoundary = (c: number) => isSpace(c) || c === 34 || c === 39 || c === 96 || c === 60 || c === 62 || c === 123 || c === 125 || c === 91 || c === 93 || c === 124;
// Trimmed from both ends of a token: sentence punctuation and parentheses.
const isEdgePunct = (c: number) => c === 46 || c === 44 || c === 58 || c === 59 || c === 33 || c === 63 || c === 40 || c === 41 || c === 42;

/** A host name: dot-separated labels of letters, digits and inner hyphens, ending in a letters-only TLD. */
export function isHostName(s: string): boolean {
  if (s.length < 4 || s.length > 253) return false;
  let labelStart = 0;
  let dots = 0;
  for (let i = 0; i <= s.length; i++) {
    const c = i < s.length ? code(s, i) : 46;
    if (c === 46) {
      const len = i - labelStart;
      if (len < 1 || len > 63 || code(s, labelStart) === 45 || code(s, i - 1) === 45) return false;
      if (i < s.length) dots++;
      labelStart = i + 1;
    } else if (!isHostChar(c)) return false;
  }
  if (dots < 1) return false;
  const tld = s.slice(s.lastIndexOf('.') + 1);
  if (tld.length < 2) return false;
  for (let i = 0; i < tld.length; i++) if (isDigit(code(tld, i)) || code(tld, i) === 45) return false;
  return true;
}

function isIpv4(s: string): boolean {
  const parts = s.split('.');
  if (parts.length !== 4) return false;
  for (const p of parts) {
    if (p.length < 1 || p.length > 3) return false;
    for (let i = 0; i < p.length; i++) if (!isDigit(code(p, i))) return false;
    if (Number(p) > 255) return false;
  }
  return true;
}

/** `host` of a bare name in text: an IPv4 address, `www.`-name, or a name under a common TLD (port dropped). */
export function bareHost(token: string, anyTld = false): string | null {
  const colon = token.indexOf(':');
  let name = colon > 0 ? token.slice(0, colon) : token;
  if (colon > 0) {
    const port = token.slice(colon + 1);
    if (port.length < 1 || port.length > 5) return null;
    for (let i = 0; i < port.length; i++) if (!isDigit(code(port, i))) return null;
  }
  if (name.endsWith('.')) name = name.slice(0, -1);
  name = name.toLowerCase();
  if (isDigit(code(name, 0)) && isIpv4(name)) return name;
  if (!isHostName(name)) return null;
  if (anyTld || name.startsWith('www.') || BARE_HOST_TLDS.has(name.slice(name.lastIndexOf('.') + 1))) return name;
  return null;
}

/** `local@domain`, lowercased, when `token` holds one (its last `@`), else null. */
export function emailIn(token: string): string | null {
  const at = token.lastIndexOf('@');
  if (at < 1) return null;
  let start = at;
  while (start > 0 && isEmailLocal(code(token, start - 1))) start--;
  let end = at + 1;
  while (end < token.length && isHostChar(code(token, end))) end++;
  let domain = token.slice(at + 1, end);
  while (domain.endsWith('.') || domain.endsWith('-')) domain = domain.slice(0, -1);
  let local = token.slice(start, at);
  while (local.startsWith('.')) local = local.slice(1);
  if (!local || local.length > 64 || !isHostName(domain)) return null;
  return `${local}@${domain}`.toLowerCase();
}

/**
 * A URL normalised for comparison: scheme and host lowercased (the URL parser does it), user info
 * and fragment dropped, a trailing slash of the path removed, query kept. Also its host.
 */
export function urlIn(token: string): { url: string; host: string } | null {
  const sep = token.indexOf('://');
  if (sep < 1) return null;
  let start = sep;
  while (start > 0 && (isAlnum(code(token, start - 1)) || code(token, start - 1) === 43 || code(token, start - 1) === 46 || code(token, start - 1) === 45)) start--;
  while (start < sep && !isUpper(code(token, start)) && !isLower(code(token, start))) start++;
  if (start >= sep) return null;
  let u: URL;
  try {
    u = new URL(token.slice(start));
  } catch {
    return null;
  }
  if (!u.hostname) return null;
  const path = u.pathname.endsWith('/') ? u.pathname.slice(0, -1) : u.pathname;
  const host = u.hostname.startsWith('[') ? u.hostname : u.hostname.replace(/\.$/, '');
  return { url: `${u.protocol}//${host}${u.port ? `:${u.port}` : ''}${path}${u.search}`, host };
}

/** A number with at least 3 significant digits, as digits and at most one `.`; thousands separators, currency sign and sign dropped. */
export function numberIn(token: string): string | null {
  let i = 0;
  while (i < token.length && (token[i] === '$' || token[i] === '€' || token[i] === '£' || token[i] === '¥' || token[i] === '-')) i++;
  let end = token.length;
  if (end > i && token[end - 1] === '%') end--;
  if (end - i < 3 || end - i > 40) return null;
  let int = '';
  let frac: string | null = null;
  let group = 0;
  let sawComma = false;
  for (let j = i; j < end; j++) {
    const c = code(token, j);
    if (isDigit(c)) {
      if (frac !== null) frac += token[j];
      else {
        int += token[j];
        group++;
      }
    } else if (c === 44 && frac === null) {
      // A thousands separator: 1 to 3 digits before the first, exactly 3 between and after.
      if ((sawComma ? group !== 3 : group < 1 || group > 3) || j + 1 >= end) return null;
      sawComma = true;
      group = 0;
    } else if (c === 46 && frac === null) {
      if (sawComma && group !== 3) return null;
      frac = '';
    } else return null;
  }
  if (sawComma && frac === null && group !== 3) return null;
  if (!int && !frac) return null;
  int = int.replace(/^0+/, '');
  const f = (frac ?? '').replace(/0+$/, '');
  const significant = (int + f).replace(/^0+/, '').replace(/0+$/, '');
  if (significant.length < 3) return null;
  return f ? `${int || '0'}.${f}` : int;
}

/** IBAN check digits (ISO 13616 mod 97), computed piecewise so no big integers are needed. */
function ibanValid(iban: string): boolean {
  if (iban.length < 15 || iban.length > 34) return false;
  const moved = iban.slice(4) + iban.slice(0, 4);
  let rem = 0;
  for (let i = 0; i < moved.length; i++) {
    const c = code(moved, i);
    if (isDigit(c)) rem = (rem * 10 + (c - 48)) % 97;
    else if (isUpper(c)) rem = (rem * 100 + (c - 55)) % 97;
    else return false;
  }
  return rem === 1;
}

/** An account value under an account-like key: letters and digits only, uppercased (IBANs with spaces included). */
export function accountValue(value: string): string | null {
  if (value.length > 64) return null;
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = code(value, i);
    if (isAlnum(c)) out += value[i];
    else if (!(isSpace(c) || c === 45 || c === 46 || c === 47)) return null; // spaces, - . / are layout
  }
  return out.length >= 4 ? out.toUpperCase() : null;
}

/** `+` and 7 to 15 digits; under a phone-like key the `+` may be missing. */
export function phoneValue(value: string, plusOptional = false): string | null {
  if (value.length > 32) return null;
  let digits = '';
  let plus = false;
  for (let i = 0; i < value.length; i++) {
    const c = code(value, i);
    if (isDigit(c)) digits += value[i];
    else if (c === 43 && digits === '' && !plus) plus = true;
    else if (!(isSpace(c) || c === 45 || c === 46 || c === 40 || c === 41 || c === 47)) return null;
  }
  if ((!plus && !plusOptional) || digits.length < 7 || digits.length > 15) return null;
  return `+${digits}`;
}

/** Splits text into tokens at white space, quotes and brackets, each trimmed of sentence punctuation. */
export function tokens(text: string, each: (token: string) => void): void {
  let start = -1;
  for (let i = 0; i <= text.length; i++) {
    const boundary = i === text.length || isBoundary(code(text, i));
    if (!boundary) {
      if (start < 0) start = i;
      continue;
    }
    if (start < 0) continue;
    let a = start;
    let b = i;
    start = -1;
    if (b - a > MAX_TOKEN) continue;
    while (a < b && isEdgePunct(code(text, a))) a++;
    while (b > a && isEdgePunct(code(text, b - 1))) b--;
    if (b > a) each(text.slice(a, b));
  }
}

const isPhoneGroup = (t: string) => t.length <= 16 && /^\(?\d{1,5}\)?(?:[-.]\d{1,5})*$/.test(t);
const isIbanGroup = (t: string) => t.length <= 4 && /^[A-Za-z0-9]+$/.test(t);
const IBAN_START = /^[A-Za-z]{2}\d{2}[A-Za-z0-9]*$/;

/**
 * Every fingerprintable value in `text`, normalised, handed to `sink`. `isSecret` is asked about a
 * token before any identifier in it is kept (a secret is not fingerprinted as an id).
 */
export function scanText(text: string, sink: ValueSink, isSecret: (token: string) => boolean, wants: Wants = always): void {
  const list: string[] = [];
  tokens(text, (t) => list.push(t));
  for (let i = 0; i < list.length; i++) {
    const t = list[i]!;
    // Multi-token values first: a spaced IBAN (`DE89 3704 0044 ...`) and a spaced phone number.
    if (IBAN_START.test(t) && t.length <= 34) {
      let joined = t.toUpperCase();
      let best = ibanValid(joined) ? { iban: joined, last: i } : null;
      for (let j = i + 1; j < list.length && j < i + 9 && isIbanGroup(list[j]!) && joined.length < 34; j++) {
        joined += list[j]!.toUpperCase();
        if (ibanValid(joined)) best = { iban: joined, last: j };
      }
      if (best) {
        sink('account', best.iban);
        i = best.last;
        continue;
      }
    }
    if (t.startsWith('+') && t.length > 1 && isDigit(code(t, 1)) && t.length <= 20) {
      let joined = t;
      let best = phoneValue(joined) ? { phone: phoneValue(joined)!, last: i } : null;
      for (let j = i + 1; j < list.length && j < i + 6 && isPhoneGroup(list[j]!); j++) {
        joined += ` ${list[j]}`;
        const p = phoneValue(joined);
        if (p) best = { phone: p, last: j };
      }
      if (best) {
        sink('phone', best.phone);
        i = best.last;
        continue;
      }
    }
    scanToken(t, sink, isSecret, wants);
  }
}

/** One token: a URL, an address, a host, a number, or identifiers inside it. */
export function scanToken(t: string, sink: ValueSink, isSecret: (token: string) => boolean, wants: Wants = always): void {
  if (t.includes('://')) {
    if (!wants('url') && !wants('host')) return;
    const u = urlIn(t);
    if (u) {
      sink('url', u.url);
      sink('host', u.host);
      return;
    }
  }
  if (t.includes('@')) {
    if (!wants('email')) return;
    const e = emailIn(t);
    if (e) {
      sink('email', e);
      return;
    }
  }
  if (t.includes('.')) {
    const h = bareHost(t);
    if (h) {
      sink('host', h);
      return;
    }
  }
  const n = numberIn(t);
  if (n) {
    sink('number', n);
    return;
  }
  idsIn(t, sink, isSecret);
}

/**
 * Runs of letters, digits, `_` and `-` of 8 to 128 characters that mix letters and digits (at least
 * two of each, so a timestamp's `2026-11-30T09` is not an identifier).
 */
function idsIn(t: string, sink: ValueSink, isSecret: (token: string) => boolean): void {
  let checkedWhole = false;
  let start = -1;
  let letters = 0;
  let digits = 0;
  for (let i = 0; i <= t.length; i++) {
    const c = i < t.length ? code(t, i) : 32;
    if (isIdChar(c)) {
      if (start < 0) {
        start = i;
        letters = 0;
        digits = 0;
      }
      if (isDigit(c)) digits++;
      else if (c !== 95 && c !== 45) letters++;
      continue;
    }
    if (start >= 0) {
      const len = i - start;
      if (len >= MIN_ID && len <= MAX_ID && letters >= 2 && digits >= 2) {
        // The whole token first: a secret's shape may span separators (JWTs, `key=value`).
        if (!checkedWhole) {
          checkedWhole = true;
          if (isSecret(t)) return;
        }
        const run = t.slice(start, i);
        if (run === t || !isSecret(run)) sink('id', run);
      }
      start = -1;
    }
  }
}

/** Lowercase letters and digits of a key: `recipient_account`, `recipientAccount` and `Recipient-Account` agree. */
export const keyName = (key: string) => key.toLowerCase().replace(/[^a-z0-9]/g, '');

const set = (words: string) => new Set(words.split(' '));

const DESTINATION_KEYS = set(
  'to cc bcc recipient recipients email emails emailaddress emailaddresses participant participants attendee attendees ' +
    'invitee invitees guest guests channel channels channelid channelname user users userid username member members memberid ' +
    'account accountid accountnumber iban recipientaccount repo repos repository repositories owner org orgs organization organisation ' +
    'url uri link webhook webhookurl endpoint host hostname domain sharewith sharedwith phone phonenumber chatid destination ' +
    'reviewer reviewers assignee assignees collaborator collaborators grantee grantees',
);
const DESTINATION_SUFFIXES = [
  'recipient', 'recipients', 'email', 'emails', 'account', 'accountnumber', 'iban', 'url', 'host', 'hostname', 'domain', 'phone',
  'phonenumber', 'channel', 'channelid', 'repo', 'repository', 'webhook', 'attendees', 'participants', 'invitees', 'members', 'users',
];
/** Child keys that name a part of their parent (`to: [{ address }]`): the parent key decides. */
const GENERIC_CHILD_KEYS = set('address email id value handle login number username');
const ACCOUNT_KEYS = set('iban account accountid accountnumber accountno acct bankaccount recipientaccount');
const ACCOUNT_SUFFIXES = ['iban', 'accountnumber', 'accountno', 'account'];
const PHONE_KEYS = set('phone phonenumber mobile tel telephone fax');
const PHONE_SUFFIXES = ['phone', 'phonenumber', 'mobile'];
const HOST_KEYS = set('host hostname domain');
const HOST_SUFFIXES = ['host', 'hostname', 'domain'];

// Keys naming the people a piece of content is from, to or about (a mail's sender and recipients,
// a meeting's organiser and attendees, a file's owner, a ticket's requester): where a reply or an
// invite goes, as opposed to a value the content's text asks the agent to use.
const PARTY_KEYS = set(
  'from sender author owner owners organizer organiser creator createdby requester reporter assignee assignees to cc bcc ' +
    'recipient recipients attendee attendees participant participants invitee invitees member members sharedwith replyto contact ' +
    // The other side of a payment record: who was paid or paid, and their account.
    'counterparty payee beneficiary creditor debtor iban',
);
const PARTY_SUFFIXES = ['sender', 'author', 'owner', 'organizer', 'recipients', 'attendees', 'participants', 'requester', 'counterparty', 'iban'];

const matches = (k: string, exact: Set<string>, suffixes: readonly string[]) => exact.has(k) || (k.length > 4 && suffixes.some((s) => k.length > s.length && k.endsWith(s)));

export interface KeyClass {
  destination: boolean;
  account: boolean;
  phone: boolean;
  host: boolean;
  /** The value names a party of the content (sender, recipient, organiser, owner). */
  party: boolean;
}

/** What a value under `key` (with `parentKey` above it) is, by the key's name. */
export function classifyKey(key: string, parentKey: string): KeyClass {
  const k = keyName(key);
  const p = keyName(parentKey);
  const inherit = k === '' || GENERIC_CHILD_KEYS.has(k);
  const is = (exact: Set<string>, suffixes: readonly string[]) => matches(k, exact, suffixes) || (inherit && matches(p, exact, suffixes));
  return {
    destination: is(DESTINATION_KEYS, DESTINATION_SUFFIXES),
    account: is(ACCOUNT_KEYS, ACCOUNT_SUFFIXES),
    phone: is(PHONE_KEYS, PHONE_SUFFIXES),
    host: is(HOST_KEYS, HOST_SUFFIXES),
    party: is(PARTY_KEYS, PARTY_SUFFIXES),
  };
}

/** Whether a bare key (a header line's name) names a party of the content. */
export const isPartyKey = (key: string) => matches(keyName(key), PARTY_KEYS, PARTY_SUFFIXES);
