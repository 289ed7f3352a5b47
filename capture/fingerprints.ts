// Keyed fingerprints of the values in a call's arguments and result: the raw material of provenance
// ("this recipient came from that mail") without the values. Each is `kind:` plus the first 64 bits
// of HMAC-SHA256(key, 'fp:' + kind + ':' + normalised value), so equal values in two calls match,
// a reader without the key learns nothing, and kinds never collide.
//
// Taken from the raw values (before redaction, so a redacted preview does not hide them), except
// that values under deny-listed keys are skipped and tokens redaction calls secrets are never
// fingerprinted as identifiers. Work is bounded: characters scanned, nodes visited, depth, and the
// number of candidates kept per kind, so any input costs at most a fixed budget.
import {
  MAX_ARGUMENT_FINGERPRINTS,
  MAX_DESTINATION_FINGERPRINTS,
  MAX_PARTY_FINGERPRINTS,
  MAX_RESULT_FINGERPRINTS,
  type FingerprintKind,
} from '../schemas/event.v2.ts';
import { keyedHex, type HashKey } from './hash.key.ts';
import { partyValues } from './parties.ts';
import { shingleText, winnow, type ShinglePick } from './shingles.ts';
import { accountValue, bareHost, classifyKey, phoneValue, scanText, type ValueSink } from './value.shapes.ts';

export interface FingerprintOptions {
  key: HashKey;
  /** Deny-listed keys: their values are secrets and get no fingerprint at all. */
  isDeniedKey: (key: string) => boolean;
  /** Whether redaction would remove `token` as a secret; such tokens get no `id` fingerprint. */
  isSecret?: (token: string) => boolean;
  /** Redaction of free text: a passage that may hold a secret is shingled as redaction leaves it. */
  redactText?: (text: string) => string;
}

// Words near which redaction finds secrets; text without any of them is shingled as it is, which
// spares redaction (the costly part) on ordinary prose. One pass, no backtracking.
const SECRET_HINT = /pass|secret|token|key|auth|bearer|cookie|credential|BEGIN|:\/\/[^\s/]*@/i;

/** Characters of string values scanned per side; the rest of a huge argument or result is not looked at. */
export const ARGUMENT_SCAN_CHARS = 128 * 1024;
export const RESULT_SCAN_CHARS = 256 * 1024;
/** Characters per side cut into shingles (the costlier scan): a copied passage is found in the first 64 KiB. */
export const TEXT_SCAN_CHARS = 64 * 1024;
const MAX_NODES = 50_000;
const MAX_DEPTH = 64;
/** Most calls of `isSecret`, and characters handed to it, per side; past either, identifiers are no longer taken (redaction is the costly part). */
const MAX_SECRET_CHECKS = 1_024;
const MAX_SECRET_CHECK_CHARS = 64 * 1024;
/** Longest value fingerprinted whole as a destination `id`. */
const MAX_WHOLE_ID = 256;

/** Priority of the kinds when a list is full: structured values before text shingles. */
const STRUCTURED: readonly Exclude<FingerprintKind, 'text'>[] = ['email', 'url', 'host', 'account', 'phone', 'number', 'id'];

export const fingerprintOf = (key: HashKey, kind: FingerprintKind, value: string) =>
  `${kind}:${keyedHex(key, 'fingerprint', `${kind}:${value}`).slice(0, 16)}`;

/** The candidates of one side, each kind capped, in order of first appearance. */
class Candidates {
  readonly kinds = new Map<Exclude<FingerprintKind, 'text'>, Set<string>>(STRUCTURED.map((k) => [k, new Set<string>()]));
  readonly text = new Map<number, ShinglePick>();
  readonly destinations: string[] = [];
  private readonly destinationSeen = new Set<string>();
  budget: number;
  textBudget = TEXT_SCAN_CHARS;
  private secretChecks = 0;
  private secretCheckChars = 0;
  private readonly opts: FingerprintOptions;
  private readonly cap: number;

  constructor(opts: FingerprintOptions, budget: number, cap: number) {
    this.opts = opts;
    this.budget = budget;
    this.cap = cap;
  }

  readonly add: ValueSink = (kind, value) => {
    if (kind === 'text') return;
    const set = this.kinds.get(kind)!;
    if (set.size < this.cap) set.add(value);
  };

  /** Asked before an identifier is kept: once the list of ids is full, the (costly) question is not asked. */
  readonly idIsSecret = (token: string): boolean => this.kinds.get('id')!.size >= this.cap || this.isSecret(token);

  readonly wants = (kind: FingerprintKind): boolean => kind === 'text' || this.kinds.get(kind)!.size < this.cap;

  /** Whether every kind's list is full, so scanning more text can add nothing but shingles. */
  get full(): boolean {
    for (const set of this.kinds.values()) if (set.size < this.cap) return false;
    return true;
  }

  readonly isSecret = (token: string): boolean => {
    if (!this.opts.isSecret) return false;
    if (this.secretChecks >= MAX_SECRET_CHECKS || this.secretCheckChars + token.length > MAX_SECRET_CHECK_CHARS) return true;
    this.secretChecks++;
    this.secretCheckChars += token.length;
    return this.opts.isSecret(token);
  };

  addDestination(kind: FingerprintKind, value: string): void {
    const seen = `${kind}:${value}`;
    if (this.destinations.length >= MAX_DESTINATION_FINGERPRINTS || this.destinationSeen.has(seen)) return;
    this.destinationSeen.add(seen);
    this.destinations.push(fingerprintOf(this.opts.key, kind, value));
  }

  get destinationsFull(): boolean {
    return this.destinations.length >= MAX_DESTINATION_FINGERPRINTS;
  }

  readonly parties: string[] = [];
  private readonly partySeen = new Set<string>();

  /** A party of a result's content (sender, recipients, organiser, owner), fingerprinted as a destination would be. */
  addParty(value: string): void {
    if (this.parties.length >= MAX_PARTY_FINGERPRINTS) return;
    for (const [kind, v] of destinationValues(value, this.isSecret)) {
      const seen = `${kind}:${v}`;
      if (this.parties.length >= MAX_PARTY_FINGERPRINTS || this.partySeen.has(seen)) continue;
      this.partySeen.add(seen);
      this.parties.push(fingerprintOf(this.opts.key, kind, v));
    }
  }

  /** The side's list: destinations, then a share of each structured kind, the rest by priority, text last. */
  select(): string[] {
    const out = new Set<string>(this.destinations.slice(0, this.cap));
    const textWanted = Math.min(this.text.size, Math.floor(this.cap / 4));
    const structuredRoom = this.cap - textWanted;
    const queues = STRUCTURED.map((kind) => ({ kind, values: [...this.kinds.get(kind)!], next: 0 }));
    const share = Math.ceil(structuredRoom / STRUCTURED.length);
    for (const pass of [share, Infinity]) {
      for (const q of queues) {
        for (let taken = 0; q.next < q.values.length && taken < pass && out.size < structuredRoom; taken++) {
          out.add(fingerprintOf(this.opts.key, q.kind, q.values[q.next++]!));
        }
      }
    }
    // Lowest ranks first: a consistent sample, so two texts sharing a passage keep the same shingles of it.
    const ranks = Float64Array.from(this.text.keys()).sort();
    for (const rank of ranks) {
      if (out.size >= this.cap) break;
      out.add(fingerprintOf(this.opts.key, 'text', shingleText(this.text.get(rank)!)));
    }
    return [...out];
  }
}

interface Leaf {
  value: unknown;
  key: string;
  parentKey: string;
  depth: number;
}

/** Visits string and number leaves with the key above them (array items take their array's key). */
function walk(root: unknown, c: Candidates, opts: FingerprintOptions, onString: (s: string, key: string, parentKey: string) => void): void {
  const stack: Leaf[] = [{ value: root, key: '', parentKey: '', depth: 0 }];
  let pushed = 1;
  while (stack.length && c.budget > 0) {
    const { value, key, parentKey, depth } = stack.pop()!;
    if (typeof value === 'string') onString(value, key, parentKey);
    else if (typeof value === 'number') {
      if (Number.isFinite(value)) {
        const s = String(value);
        if (!s.includes('e')) onString(s, key, parentKey);
      }
    } else if (value !== null && typeof value === 'object' && depth < MAX_DEPTH) {
      // Pushed in reverse so values are visited in document order (first appearance wins caps).
      // At most MAX_NODES nodes are ever queued, so a huge array or object costs no more than that.
      const room = MAX_NODES - pushed;
      if (Array.isArray(value)) {
        const n = Math.min(value.length, room);
        pushed += n;
        for (let i = n - 1; i >= 0; i--) stack.push({ value: value[i], key, parentKey, depth: depth + 1 });
      } else {
        const children: Leaf[] = [];
        for (const k in value) {
          if (children.length >= room) break;
          if (Object.hasOwn(value, k) && !opts.isDeniedKey(k)) children.push({ value: (value as Record<string, unknown>)[k], key: k, parentKey: key, depth: depth + 1 });
        }
        pushed += children.length;
        for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
      }
    }
  }
}

/** Scans one string leaf: values in it, what its key says it is, and shingles if it is a passage. */
function scanLeaf(c: Candidates, opts: FingerprintOptions, raw: string, key: string, parentKey: string, withDestinations: boolean): void {
  const s = raw.length > c.budget ? raw.slice(0, c.budget) : raw;
  c.budget -= s.length;
  const cls = classifyKey(key, parentKey);
  const found: [FingerprintKind, string][] = [];
  const sink: ValueSink = (kind, value) => {
    c.add(kind, value);
    if (cls.destination && found.length < 16) found.push([kind, value]);
  };
  if (!c.full || cls.destination) scanText(s, sink, c.idIsSecret, cls.destination ? undefined : c.wants);
  const short = s.trim();
  if (cls.account) {
    const a = accountValue(short);
    if (a) sink('account', a);
  }
  if (cls.phone) {
    const p = phoneValue(short, true);
    if (p) sink('phone', p);
  }
  if (cls.host) {
    const h = bareHost(short, true);
    if (h) sink('host', h);
  }
  if (withDestinations && cls.destination && !c.destinationsFull) {
    if (found.length) for (const [kind, value] of found) c.addDestination(kind, value);
    else {
      const whole = wholeId(short);
      if (whole && !c.isSecret(short)) c.addDestination('id', whole);
    }
  }
  if (!withDestinations) {
    if (cls.party) c.addParty(short);
    if (s.includes(':')) partyValues(s, (v) => c.addParty(v));
  }
  // A private key block is a secret whatever its words; no shingle of it.
  if (c.textBudget > 0 && !s.includes('PRIVATE KEY')) {
    const t = s.length > c.textBudget ? s.slice(0, c.textBudget) : s;
    c.textBudget -= t.length;
    winnow(opts.redactText && SECRET_HINT.test(t) ? opts.redactText(t) : t, c.text);
  }
}

/** A name with no recognisable shape (`alice`, `#eng-alerts`) is a destination as a whole, as an `id`. */
function wholeId(short: string): string | null {
  const whole = short.replace(/^[#@]+/, '').replace(/\s+/g, ' ').toLowerCase();
  return whole && whole.length <= MAX_WHOLE_ID ? whole : null;
}

/** The destination values in one value, as the arguments side takes them: its shaped values, else the whole of it. */
function destinationValues(value: string, isSecret: (token: string) => boolean): [FingerprintKind, string][] {
  const found: [FingerprintKind, string][] = [];
  scanText(value, (kind, v) => {
    if (kind !== 'text' && found.length < 16) found.push([kind, v]);
  }, isSecret);
  if (found.length) return found;
  const whole = wholeId(value.trim());
  return whole && !isSecret(value) ? [['id', whole]] : [];
}

/** Fingerprints of a call's arguments, and the destinations among them. */
export function argumentFingerprints(args: unknown, opts: FingerprintOptions): { arguments: string[]; destinations: string[] } {
  const c = new Candidates(opts, ARGUMENT_SCAN_CHARS, MAX_ARGUMENT_FINGERPRINTS);
  walk(args, c, opts, (s, key, parentKey) => scanLeaf(c, opts, s, key, parentKey, true));
  return { arguments: c.select(), destinations: c.destinations };
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The parts of a result that carry content: text items, embedded resources, structured content, resource contents, prompt messages. */
export function contentOf(result: unknown): unknown[] {
  if (!isObject(result)) return [];
  const parts: unknown[] = [];
  const texts = (items: unknown) => {
    if (!Array.isArray(items)) return;
    for (const item of items) {
      if (!isObject(item)) continue;
      if (typeof item.text === 'string') parts.push(item.text);
      if (isObject(item.resource) && typeof item.resource.text === 'string') parts.push(item.resource.text);
      if (isObject(item.content) && typeof item.content.text === 'string') parts.push(item.content.text);
    }
  };
  texts(result.content);
  if (result.structuredContent !== undefined) parts.push(result.structuredContent);
  texts(result.contents);
  texts(result.messages);
  return parts;
}

/** A text item that is a JSON document is walked as one, so its keys can say what a value is. */
function parsedIfJson(text: string, budget: number): unknown {
  const t = text.trimStart();
  if (t.length > budget || (t[0] !== '{' && t[0] !== '[')) return text;
  try {
    return JSON.parse(t);
  } catch {
    return text;
  }
}

/** Fingerprints of the values in a result's content. */
export const resultFingerprints = (result: unknown, opts: FingerprintOptions): string[] => resultSide(result, opts).result;

/** Fingerprints of the values in a result's content, and of the parties it names. */
export function resultSide(result: unknown, opts: FingerprintOptions): { result: string[]; parties: string[] } {
  const c = new Candidates(opts, RESULT_SCAN_CHARS, MAX_RESULT_FINGERPRINTS);
  for (const part of contentOf(result)) {
    if (c.budget <= 0) break;
    const value = typeof part === 'string' ? parsedIfJson(part, c.budget) : part;
    walk(value, c, opts, (s, key, parentKey) => scanLeaf(c, opts, s, key, parentKey, false));
  }
  return { result: c.select(), parties: c.parties };
}
