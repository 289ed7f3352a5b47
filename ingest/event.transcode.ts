// The hot path of `mcp-audit ingest`: a producer's JSON bytes straight to the TabSeparated line of
// EVENT_COLUMNS, without JSON.parse, without the event object, checking the event as it reads it.
// The old path (decodeEvent -> classifyWithHints -> eventRowTsv -> Buffer.from) costs about 9.5 µs of
// CPU per bench event in one process, most of it in making the object, walking it to validate it,
// and joining ~120 strings into a line that is then encoded again; here a JSON string without
// escapes is already its TabSeparated field, so its bytes are copied.
//
// It accepts only what it is sure of and returns null for anything else, and the caller then takes
// the old path, whose verdict (and dead-letter reason) stands: a message that is not one plain JSON
// object of known keys, a duplicate key (JSON.parse keeps the last; this does not guess), a key with
// an escape, an unknown key, a value of the wrong JSON type, a field of another version, a failed
// check, invalid UTF-8, `tools` (tool listings, which classification must remember), or anything
// that throws. What it checks comes from the schemas (event.transcode.plan.ts): each field's own
// compiled predicate (schemas/event.fastpath.ts), required fields, and the root refinements; strings
// that need a value for a check (patterns, enums, non-ASCII or escaped text, what classification
// reads) are made, the others are checked by their byte length. event.transcode.test.ts compares
// verdicts and lines with the old path on factory, fuzzed and mutated events.
import { isUtf8 } from 'node:buffer';
import type { Classifiable, Classification } from '../classify/classify.ts';
import { isoToMs } from '../core/iso.time.ts';
import { UnsupportedSchema } from '../schemas/event.fastpath.ts';
import { requiredFieldByKind } from '../schemas/event.v1.ts';
import type { KafkaOrigin } from './event.row.ts';
import { compileTranscodePlan, Token, type ObjectNode, type SlotRule, type TranscodePlan } from './event.transcode.plan.ts';
import { tsvDateTime, tsvMillis, tsvString, tsvStrings } from './tsv.ts';

/** What classification gets: the fields it reads (classify/classify.ts, classify/tool.hints.ts). */
export type ClassifyInput = Classifiable & { tenant_id: string };

// Flags of a string or number read from the message.
const HI = 1; // bytes >= 0x80 (UTF-8 text): copied as they are, but its length and value need the decoded string
const ESC = 2; // a backslash escape: the value comes from JSON.parse of the string alone
const QUOTE = 4; // a ': escaped inside an array element
const SIMPLE = 8; // a number of at most 15 digits, no fraction or exponent, not -0: its bytes are how JavaScript prints it
const NUM = 16; // a string-or-number field that holds a number

const OP_STR = 1;
const OP_NUM = 2;
const OP_SCALAR = 3;
const OP_LIST = 4;
const OP_FLAG = 5;
const OP_TS_SEC = 6;
const OP_TS_MS = 7;
const OP_CLASS = 8;
const OP_INFERRED = 9;
const OP_EMPTY_LIST = 10;
const OP_CODES = { str: OP_STR, num: OP_NUM, scalar: OP_SCALAR, list: OP_LIST, flag: OP_FLAG, ts_sec: OP_TS_SEC, ts_ms: OP_TS_MS, class: OP_CLASS, inferred: OP_INFERRED, empty_list: OP_EMPTY_LIST } as const;

// Classes of bytes inside a JSON string: 0 is plain text.
const C_QUOTE = 1;
const C_BACKSLASH = 2;
const C_CONTROL = 3; // JSON.parse refuses a raw control character in a string
const C_HIGH = 4;
const C_APOSTROPHE = 5;
const BYTE_CLASS = Uint8Array.from({ length: 256 }, (_, c) => (c === 34 ? C_QUOTE : c === 92 ? C_BACKSLASH : c < 32 ? C_CONTROL : c >= 128 ? C_HIGH : c === 39 ? C_APOSTROPHE : 0));

const CLOSED = -2;

/** Lines are written into slabs of this size and handed out as views: one allocation per ~3,000 lines, outside the JavaScript heap. */
const SLAB_BYTES = 1 << 20;
/** Array elements one message may hold before the transcoder declines it (the schema allows 64 to 512 per array). */
const MAX_ELEMENTS = 4096;

export class EventTranscoder {
  private readonly plan: TranscodePlan;
  private readonly tokens: Uint8Array;
  private readonly opCode: Uint8Array;
  private readonly opSlot: Int32Array;
  private readonly kindRequired: [string, number][];
  private readonly slot: Record<'tenant' | 'server' | 'tool' | 'preview' | 'keys' | 'args' | 'resource' | 'ts', number>;
  private readonly resourceLists: [string, number][];
  private readonly toolSlot: number;

  // Per message; a slot is present when seen[slot] === gen, its string made when made[slot] === gen.
  private gen = 0;
  private readonly seen: Int32Array;
  private readonly made: Int32Array;
  private readonly start: Int32Array;
  private readonly end: Int32Array;
  private readonly flags: Uint8Array;
  private readonly num: Float64Array;
  private readonly vals: unknown[];
  private readonly present: Int32Array;
  private nPresent = 0;
  private readonly elStart = new Int32Array(MAX_ELEMENTS);
  private readonly elEnd = new Int32Array(MAX_ELEMENTS);
  private readonly elFlags = new Uint8Array(MAX_ELEMENTS);
  private nEl = 0;
  private bytes: Buffer = Buffer.alloc(0);
  private text: string | null = null;
  private strFlags = 0;
  private numSimple = false;
  private numValue = 0;
  /** Where `next` found the end of an object or array. */
  private pos = 0;

  private slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
  private slabPos = 0;
  private topic = '';
  private topicBytes = Buffer.alloc(0);
  private atSec = -1;
  private atText = '';
  // The last second of a `YYYY-MM-DDTHH:MM:SS.mmmZ` time seen (events come in time order): its text
  // up to the seconds, its milliseconds, its ts column and the start of its ts_ms column.
  private readonly secPrefix = new Uint8Array(19);
  private secMs = NaN;
  private secText = '';
  private msHead: string | null = null;
  private tsMs = NaN;

  constructor(plan: TranscodePlan = compileTranscodePlan()) {
    this.plan = plan;
    const n = plan.slots;
    this.tokens = new Uint8Array(n);
    const mark = (node: ObjectNode): void => {
      for (const f of node.fields) {
        this.tokens[f.slot] = f.token;
        if (f.node) mark(f.node);
      }
    };
    mark(plan.root);
    this.opCode = Uint8Array.from(plan.columns, (c) => OP_CODES[c.op]);
    this.opSlot = Int32Array.from(plan.columns, (c) => ('slot' in c ? c.slot : -1));
    const slotOf = (path: string): number => plan.slotOf.get(path) ?? -1;
    this.kindRequired = Object.entries(requiredFieldByKind).map(([kind, field]) => [kind, slotOf(field)]);
    this.slot = {
      tenant: slotOf('tenant_id'),
      server: slotOf('server.name'),
      tool: slotOf('tool'),
      preview: slotOf('arguments.preview'),
      keys: slotOf('arguments.keys'),
      args: slotOf('arguments'),
      resource: slotOf('resource'),
      ts: slotOf('ts'),
    };
    this.toolSlot = slotOf('tool.name');
    for (const [name, slot] of Object.entries({ ...this.slot, toolName: this.toolSlot })) {
      if (slot < 0) throw new UnsupportedSchema(`the transcoder reads ${name}, which no version has`);
    }
    this.resourceLists = ['paths', 'urls', 'hosts', 'recipients', 'tables'].map((k) => [k, slotOf(`resource.${k}`)]);
    this.seen = new Int32Array(n);
    this.made = new Int32Array(n);
    this.start = new Int32Array(n);
    this.end = new Int32Array(n);
    this.flags = new Uint8Array(n);
    this.num = new Float64Array(n);
    this.vals = new Array<unknown>(n).fill(undefined);
    this.present = new Int32Array(n);
  }

  /**
   * The TabSeparated line of the event in `bytes` (toEventRow's row, with the classification
   * `classify` gives), or null when the old path must decide.
   */
  line(bytes: Buffer | null, maxBytes: number, origin: KafkaOrigin, ingestedAtSec: number, classify: (e: ClassifyInput) => Classification): Buffer | null {
    if (bytes === null || bytes.length === 0 || bytes.length > maxBytes) return null;
    try {
      if (!this.read(bytes)) return null;
      const cls = this.check(classify);
      return cls === null ? null : this.write(cls, origin, ingestedAtSec);
    } catch {
      // Something unforeseen (an escape JSON.parse refuses, ...): the old path decides and explains.
      return null;
    } finally {
      this.text = null;
    }
  }

  // ---- reading -------------------------------------------------------------------------------

  /** Reads the message into slots; false when it is not the plain shape the transcoder knows. */
  private read(b: Buffer): boolean {
    this.bytes = b;
    this.gen = (this.gen + 1) | 0;
    if (this.gen === 0) {
      this.seen.fill(0);
      this.made.fill(0);
      this.gen = 1;
    }
    this.nPresent = 0;
    this.nEl = 0;
    this.strFlags = 0;
    const n = b.length;
    let i = ws(b, 0, n);
    if (i >= n || b[i] !== 123) return false;
    i = this.object(b, i, n, this.plan.root);
    if (i < 0 || ws(b, i, n) !== n) return false;
    // Only strings can hold bytes >= 0x80 (the parser refuses them elsewhere): valid UTF-8 or the old path says not_utf8.
    let hi = 0;
    for (let p = 0; p < this.nPresent; p++) hi |= this.flags[this.present[p]!]!;
    for (let e = 0; e < this.nEl; e++) hi |= this.elFlags[e]!;
    return (hi & HI) === 0 || isUtf8(b);
  }

  /** An object at b[i] === '{' of `node`'s fields; the index after its '}', or -1. */
  private object(b: Buffer, i: number, n: number, node: ObjectNode): number {
    i = ws(b, i + 1, n);
    if (i < n && b[i] === 125) return i + 1;
    // The index of the last field read (-1: none yet); the next key is guessed from it.
    let prev = -1;
    for (;;) {
      if (i >= n || b[i] !== 34) return -1;
      const idx = this.key(b, i + 1, n, node, prev);
      if (idx < 0) return -1;
      prev = idx;
      const { slot, token, node: child } = node.fields[idx]!;
      // Repeated: JSON.parse would keep the last; the old path decides.
      if (this.seen[slot] === this.gen) return -1;
      this.seen[slot] = this.gen;
      this.present[this.nPresent++] = slot;
      i = ws(b, this.pos + 1, n);
      if (i >= n || b[i] !== 58) return -1;
      i = ws(b, i + 1, n);
      if (i >= n) return -1;
      i = this.value(b, i, n, slot, token, child);
      if (i < 0) return -1;
      i = this.next(b, i, n, 125);
      if (i === CLOSED) return this.pos;
      if (i < 0) return -1;
    }
  }

  /**
   * The index in `node.fields` of the key whose text starts at ks (after its opening quote), or -1
   * when it is none of them; pos is then at its closing quote. `prev` is the field read before it.
   */
  private key(b: Buffer, ks: number, n: number, node: ObjectNode, prev: number): number {
    const fields = node.fields;
    const nf = fields.length;
    // The key the last object of this kind had next, when its bytes and a closing quote are there
    // (a key of the schema holds no escape, so those bytes are the whole key).
    const guess = node.follow[prev + 1]!;
    if (guess < nf) {
      const kb = fields[guess]!.keyBytes;
      const ke = ks + kb.length;
      if (ke < n && b[ke] === 34 && sameBytes(kb, b, ks)) {
        this.pos = ke;
        return guess;
      }
    }
    let j = ks;
    while (j < n) {
      const c = b[j]!;
      if (c === 34) break;
      // Keys of the schema are plain ASCII: an escape, a control or a non-ASCII byte is not one of them.
      if (c === 92 || c < 32 || c > 126) return -1;
      j++;
    }
    if (j >= n) return -1;
    for (let x = 0; x < nf; x++) {
      const kb = fields[x]!.keyBytes;
      if (kb.length === j - ks && sameBytes(kb, b, ks)) {
        node.follow[prev + 1] = x;
        this.pos = j;
        return x;
      }
    }
    // Unknown: strict objects refuse it.
    return -1;
  }

  /** The value of the field in `slot` at b[i], read as its token allows; the index after it, or -1. */
  private value(b: Buffer, i: number, n: number, slot: number, token: number, child: ObjectNode | undefined): number {
    const c = b[i]!;
    if (c === 34) {
      if ((token & Token.Str) === 0) return -1;
      const e = this.string(b, i + 1, n);
      if (e < 0) return -1;
      this.start[slot] = i + 1;
      this.end[slot] = e;
      this.flags[slot] = this.strFlags;
      return e + 1;
    }
    if (c === 123) return token === Token.Obj ? this.object(b, i, n, child!) : -1;
    if (c === 91) {
      if (token !== Token.Strs) return -1;
      this.start[slot] = this.nEl;
      const e = this.list(b, i, n);
      this.end[slot] = this.nEl;
      return e;
    }
    if (c === 116 || c === 102) return token === Token.Bool ? this.boolean(b, i, slot) : -1;
    if (c === 45 || (c >= 48 && c <= 57)) {
      if ((token & Token.Num) === 0) return -1;
      const e = this.number(b, i, n);
      if (e < 0) return -1;
      this.start[slot] = i;
      this.end[slot] = e;
      this.num[slot] = this.numValue;
      this.flags[slot] = (this.numSimple ? SIMPLE : 0) | NUM;
      return e;
    }
    return -1;
  }

  /** `true` or `false` at b[i] into num[slot] as 1 or 0; the index after it, or -1. */
  private boolean(b: Buffer, i: number, slot: number): number {
    if (b[i] === 116) {
      if (!(b[i + 1] === 114 && b[i + 2] === 117 && b[i + 3] === 101)) return -1;
      this.num[slot] = 1;
      return i + 4;
    }
    if (!(b[i + 1] === 97 && b[i + 2] === 108 && b[i + 3] === 115 && b[i + 4] === 101)) return -1;
    this.num[slot] = 0;
    return i + 5;
  }

  /** After a value: the index past ',' and whitespace when another item follows, CLOSED when `close` follows (pos is then past it), or -1. */
  private next(b: Buffer, i: number, n: number, close: number): number {
    i = ws(b, i, n);
    if (i >= n) return -1;
    const c = b[i];
    if (c === 44) return ws(b, i + 1, n);
    if (c !== close) return -1;
    this.pos = i + 1;
    return CLOSED;
  }

  /** The content of a string from i (after its opening quote); the index of its closing quote, or -1. Sets strFlags. */
  private string(b: Buffer, i: number, n: number): number {
    let f = 0;
    while (i < n) {
      // One table load per byte: most bytes are plain text.
      const k = BYTE_CLASS[b[i]!]!;
      if (k === 0) {
        i++;
        continue;
      }
      if (k === C_QUOTE) {
        this.strFlags = f;
        return i;
      }
      if (k === C_BACKSLASH) {
        // The escaped character is skipped (an escaped quote does not end the string); JSON.parse
        // of the string checks the escape when its value is made, which every escaped string is.
        f |= ESC;
        i += 2;
        continue;
      }
      if (k === C_CONTROL) return -1;
      f |= k === C_HIGH ? HI : QUOTE;
      i++;
    }
    return -1;
  }

  /** An array of strings at b[i] === '['; the index after its ']', or -1. */
  private list(b: Buffer, i: number, n: number): number {
    i = ws(b, i + 1, n);
    if (i < n && b[i] === 93) return i + 1;
    for (;;) {
      if (i >= n || b[i] !== 34 || this.nEl >= MAX_ELEMENTS) return -1;
      const e = this.string(b, i + 1, n);
      if (e < 0) return -1;
      const k = this.nEl++;
      this.elStart[k] = i + 1;
      this.elEnd[k] = e;
      this.elFlags[k] = this.strFlags;
      i = this.next(b, e + 1, n, 93);
      if (i === CLOSED) return this.pos;
      if (i < 0) return -1;
    }
  }

  /** A JSON number at i; the index after it, or -1 when it is not JSON's grammar. Sets numSimple and numValue (NaN unless simple). */
  private number(b: Buffer, i: number, n: number): number {
    const neg = b[i] === 45;
    if (neg) i++;
    if (i >= n) return -1;
    let c = b[i]!;
    let v = 0;
    let digits = 0;
    if (c === 48) {
      i++;
      digits = 1;
    } else if (c >= 49 && c <= 57) {
      while (i < n && (c = b[i]!) >= 48 && c <= 57) {
        v = v * 10 + (c - 48);
        i++;
        digits++;
      }
    } else return -1;
    let simple = digits <= 15 && !(neg && v === 0);
    if (i < n && b[i] === 46) {
      i++;
      const from = i;
      while (i < n && (c = b[i]!) >= 48 && c <= 57) i++;
      if (i === from) return -1;
      simple = false;
    }
    if (i < n && (b[i] === 101 || b[i] === 69)) {
      i++;
      if (i < n && (b[i] === 43 || b[i] === 45)) i++;
      const from = i;
      while (i < n && (c = b[i]!) >= 48 && c <= 57) i++;
      if (i === from) return -1;
      simple = false;
    }
    this.numSimple = simple;
    this.numValue = simple ? (neg ? -v : v) : NaN;
    return i;
  }

  // ---- values --------------------------------------------------------------------------------

  /** The message as one-byte text: at the same indices as its bytes, and exact for ASCII spans. */
  private latin1(): string {
    return (this.text ??= this.bytes.toString('latin1'));
  }

  /** The string JSON.parse would make of the bytes [s, e) with these flags. */
  private decode(s: number, e: number, f: number): string {
    if (f & ESC) return JSON.parse(this.bytes.toString('utf8', s - 1, e + 1)) as string;
    if (f & HI) return this.bytes.toString('utf8', s, e);
    return this.latin1().slice(s, e);
  }

  private str(slot: number): string {
    if (this.made[slot] === this.gen) return this.vals[slot] as string;
    const v = this.decode(this.start[slot]!, this.end[slot]!, this.flags[slot]!);
    this.vals[slot] = v;
    this.made[slot] = this.gen;
    return v;
  }

  private strs(slot: number): string[] {
    if (this.made[slot] === this.gen) return this.vals[slot] as string[];
    const from = this.start[slot]!;
    const to = this.end[slot]!;
    const v = new Array<string>(to - from);
    for (let k = from; k < to; k++) v[k - from] = this.decode(this.elStart[k]!, this.elEnd[k]!, this.elFlags[k]!);
    this.vals[slot] = v;
    this.made[slot] = this.gen;
    return v;
  }

  /** The number JSON.parse would make (computed from its text unless simple). */
  private numberOf(slot: number): number {
    const v = this.num[slot]!;
    if (v === v) return v;
    const parsed = Number(this.latin1().slice(this.start[slot]!, this.end[slot]!));
    this.num[slot] = parsed;
    return parsed;
  }

  private has(slot: number): boolean {
    return slot >= 0 && this.seen[slot] === this.gen;
  }

  // ---- checking ------------------------------------------------------------------------------

  /** The schema's verdict on what was read, as the event's own version states it; its classification, or null. */
  private check(classify: (e: ClassifyInput) => Classification): Classification | null {
    const vs = this.plan.versionSlot;
    if (!this.has(vs) || (this.flags[vs]! & SIMPLE) === 0) return null;
    const plan = this.plan.versions.get(this.num[vs]!);
    if (plan === undefined || !this.fieldsValid(plan.rules) || !this.requiredPresent(plan.required)) return null;
    // The root refinements (schemas' superRefine): fields a kind requires; v2's hash_key_id with keyed hashes.
    if (!this.has(this.plan.kindSlot)) return null;
    const kind = this.str(this.plan.kindSlot);
    const kinds = this.kindRequired;
    for (let k = 0; k < kinds.length; k++) if (kind === kinds[k]![0] && !this.has(kinds[k]![1])) return null;
    const keyed = plan.keyed;
    if (keyed !== null && !this.has(keyed.needs)) for (const slot of keyed.any) if (this.has(slot)) return null;
    return classify(this.classifiable(kind));
  }

  /** True when every field read passes its version's rule (a field the version lacks fails). */
  private fieldsValid(rules: (SlotRule | undefined)[]): boolean {
    for (let p = 0; p < this.nPresent; p++) {
      const slot = this.present[p]!;
      const rule = rules[slot];
      // A field of another version: strict objects refuse it.
      if (rule === undefined) return false;
      const token = this.tokens[slot]!;
      const f = this.flags[slot]!;
      if (token === Token.Obj) continue;
      if (token === Token.Str || (token === Token.StrOrNum && (f & NUM) === 0)) {
        if (!this.stringValid(slot, rule, f)) return false;
      } else if (token === Token.Num || token === Token.StrOrNum) {
        if (!rule.validate(this.numberOf(slot))) return false;
      } else if (token === Token.Bool) {
        if (!rule.validate(this.num[slot] === 1)) return false;
      } else if (token === Token.Strs) {
        if (!rule.validate(this.strs(slot))) return false;
      } else return false;
    }
    return true;
  }

  /** A string field's check: by its byte length or enum bytes when plain ASCII allows, else on its value. */
  private stringValid(slot: number, rule: SlotRule, f: number): boolean {
    const bounds = rule.lengthOnly;
    const values = rule.enumValues;
    if (bounds !== undefined && (f & (HI | ESC)) === 0) {
      const len = this.end[slot]! - this.start[slot]!;
      return len >= bounds.min && len <= bounds.max;
    }
    if (values !== undefined && (f & (HI | ESC)) === 0) return this.enumValue(slot, values);
    return rule.validate(this.str(slot));
  }

  /** True when each [object, field] pair of `required` has the field wherever the object (-1: the event) is present. */
  private requiredPresent(required: [number, number][]): boolean {
    for (let r = 0; r < required.length; r++) {
      const [parent, child] = required[r]!;
      if ((parent < 0 || this.seen[parent] === this.gen) && !this.has(child)) return false;
    }
    return true;
  }

  /** True when the plain ASCII text of `slot` is one of `values`; its value is then that string. */
  private enumValue(slot: number, values: { bytes: Uint8Array; value: string }[]): boolean {
    const s = this.start[slot]!;
    const len = this.end[slot]! - s;
    for (let v = 0; v < values.length; v++) {
      const { bytes, value } = values[v]!;
      if (bytes.length === len && sameBytes(bytes, this.bytes, s)) {
        this.vals[slot] = value;
        this.made[slot] = this.gen;
        return true;
      }
    }
    return false;
  }

  /** The fields classification reads, as the event object would hold them. */
  private classifiable(kind: string): ClassifyInput {
    const s = this.slot;
    const e: ClassifyInput = { kind: kind as ClassifyInput['kind'], tenant_id: this.str(s.tenant), server: { name: this.str(s.server) } };
    if (this.has(s.tool)) e.tool = { name: this.str(this.toolSlot) };
    if (this.has(s.args)) e.arguments = this.has(s.keys) ? { preview: this.str(s.preview), keys: this.strs(s.keys) } : { preview: this.str(s.preview) };
    if (this.has(s.resource)) {
      const r: Record<string, string[]> = {};
      const lists = this.resourceLists;
      for (let k = 0; k < lists.length; k++) {
        const slot = lists[k]![1];
        if (this.has(slot)) r[lists[k]![0]] = this.strs(slot);
      }
      e.resource = r;
    }
    return e;
  }

  // ---- writing -------------------------------------------------------------------------------

  /** The line into the slab: the event's columns, then the origin's. */
  private write(cls: Classification, origin: KafkaOrigin, ingestedAtSec: number): Buffer {
    // Every byte read becomes at most two (an escaped quote, a \uXXXX as UTF-8 or TSV escape), and
    // the rest of a line is bounded: room for that, so no write below checks.
    const bound = 2 * this.bytes.length + 4096 + origin.topic.length * 2 + origin.offset.length;
    if (this.slabPos + bound > this.slab.length) {
      this.slab = Buffer.allocUnsafeSlow(Math.max(SLAB_BYTES, bound));
      this.slabPos = 0;
    }
    const out = this.slab;
    const from = this.slabPos;
    let o = this.writeColumns(out, from, cls);
    o = this.writeOrigin(out, o, origin, ingestedAtSec);
    if (o - from > bound) throw new Error('transcoded line overran its bound');
    this.slabPos = o;
    return out.subarray(from, o);
  }

  /** The event's columns (the plan's ops) from o, tab-separated; the index after them. */
  private writeColumns(out: Buffer, o: number, cls: Classification): number {
    const codes = this.opCode;
    for (let c = 0; c < codes.length; c++) {
      if (c > 0) out[o++] = 9;
      const slot = this.opSlot[c]!;
      switch (codes[c]) {
        case OP_STR:
          if (this.has(slot)) o = this.writeString(out, o, slot);
          break;
        case OP_NUM:
          if (this.has(slot)) o = this.writeNumber(out, o, slot);
          else out[o++] = 48;
          break;
        case OP_SCALAR:
          if (this.has(slot)) o = this.flags[slot]! & NUM ? this.writeNumber(out, o, slot) : this.writeString(out, o, slot);
          break;
        case OP_LIST:
          if (this.has(slot)) o = this.writeList(out, o, slot);
          else o = emptyList(out, o);
          break;
        case OP_FLAG:
          out[o++] = this.has(slot) && this.num[slot] === 1 ? 49 : 48;
          break;
        case OP_TS_SEC:
          o = ascii(out, o, this.second(slot) ? this.secText : tsvDateTime(Math.floor(this.tsMs / 1000)));
          break;
        case OP_TS_MS:
          o = this.writeMillis(out, o, slot);
          break;
        case OP_CLASS:
          o = text(out, o, tsvString(cls.class));
          break;
        case OP_INFERRED:
          out[o++] = cls.inferred ? 49 : 48;
          break;
        case OP_EMPTY_LIST:
          o = emptyList(out, o);
          break;
      }
    }
    return o;
  }

  /** The event time's epoch milliseconds (tsvMillis' form); the index after them. */
  private writeMillis(out: Buffer, o: number, slot: number): number {
    if (!this.second(slot) || this.msHead === null) return ascii(out, o, tsvMillis(this.tsMs));
    // The second's digits, then the three millisecond digits of the text.
    o = ascii(out, o, this.msHead);
    return copy(this.bytes, this.start[slot]! + 20, this.start[slot]! + 23, out, o);
  }

  /** The columns that end every line (event.transcode.plan.ts ORIGIN_TAIL): topic, partition, offset, ingest time, then the newline. */
  private writeOrigin(out: Buffer, o: number, origin: KafkaOrigin, ingestedAtSec: number): number {
    if (origin.topic !== this.topic) {
      this.topic = origin.topic;
      this.topicBytes = Buffer.from(tsvString(origin.topic));
    }
    out[o++] = 9;
    this.topicBytes.copy(out, o);
    o += this.topicBytes.length;
    out[o++] = 9;
    o = ascii(out, o, String(origin.partition));
    out[o++] = 9;
    o = text(out, o, origin.offset);
    out[o++] = 9;
    if (ingestedAtSec !== this.atSec) {
      this.atSec = ingestedAtSec;
      this.atText = tsvDateTime(ingestedAtSec);
    }
    o = ascii(out, o, this.atText);
    out[o++] = 10;
    return o;
  }

  /**
   * Reads the event time into tsMs (isoToMs, as eventRowTsv does); true when it is in the common
   * form and its second is the one in secText / msHead (computed once per second: only the
   * milliseconds differ, and they never carry into the second).
   */
  private second(slot: number): boolean {
    const b = this.bytes;
    const s = this.start[slot]!;
    if (this.end[slot]! - s !== 24 || this.flags[slot] !== 0 || b[s + 19] !== 46 || b[s + 23] !== 90) {
      this.tsMs = isoToMs(this.str(slot));
      return false;
    }
    const d0 = b[s + 20]! - 48;
    const d1 = b[s + 21]! - 48;
    const d2 = b[s + 22]! - 48;
    if (d0 < 0 || d0 > 9 || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9) {
      this.tsMs = isoToMs(this.str(slot));
      return false;
    }
    const ms = d0 * 100 + d1 * 10 + d2;
    if (!sameBytes(this.secPrefix, b, s) || this.secMs !== this.secMs) {
      for (let k = 0; k < 19; k++) this.secPrefix[k] = b[s + k]!;
      const t = isoToMs(this.str(slot));
      this.secMs = t - ms;
      const sec = Math.floor(t / 1000);
      this.secText = tsvDateTime(sec);
      // tsvMillis writes the second then three digits for times from 1 s to 2^31 s; String otherwise.
      this.msHead = this.secMs >= 1000 && this.secMs + 999 < 2 ** 31 * 1000 ? String(sec) : null;
    }
    this.tsMs = this.secMs + ms;
    return this.secMs === this.secMs;
  }

  /** A String field: the bytes as they are (no escape: nothing TabSeparated escapes can be in them), else tsvString of the value. */
  private writeString(out: Buffer, o: number, slot: number): number {
    if (this.flags[slot]! & ESC) return text(out, o, tsvString(this.str(slot)));
    return copy(this.bytes, this.start[slot]!, this.end[slot]!, out, o);
  }

  private writeNumber(out: Buffer, o: number, slot: number): number {
    if (this.flags[slot]! & SIMPLE) return copy(this.bytes, this.start[slot]!, this.end[slot]!, out, o);
    return ascii(out, o, String(this.numberOf(slot)));
  }

  /** An Array(String) field: ['a','b'] with ' escaped in elements (tsv.ts tsvStrings), from the bytes unless an element has an escape. */
  private writeList(out: Buffer, o: number, slot: number): number {
    const from = this.start[slot]!;
    const to = this.end[slot]!;
    for (let k = from; k < to; k++) if (this.elFlags[k]! & ESC) return text(out, o, tsvStrings(this.strs(slot)));
    const b = this.bytes;
    out[o++] = 91;
    for (let k = from; k < to; k++) {
      if (k > from) out[o++] = 44;
      out[o++] = 39;
      const s = this.elStart[k]!;
      const e = this.elEnd[k]!;
      if (this.elFlags[k]! & QUOTE) {
        for (let i = s; i < e; i++) {
          const c = b[i]!;
          if (c === 39) out[o++] = 92;
          out[o++] = c;
        }
      } else o = copy(b, s, e, out, o);
      out[o++] = 39;
    }
    out[o++] = 93;
    return o;
  }
}

/** A transcoder of the current schemas, or null when they hold something it cannot write (every event then takes the old path). */
export function createEventTranscoder(): EventTranscoder | null {
  try {
    return new EventTranscoder();
  } catch (err) {
    if (err instanceof UnsupportedSchema) return null;
    throw err;
  }
}

function ws(b: Buffer, i: number, n: number): number {
  while (i < n) {
    const c = b[i]!;
    if (c === 32 || c === 10 || c === 13 || c === 9) i++;
    else break;
  }
  return i;
}

/** True when `b` holds the bytes of `key` from `at`. */
function sameBytes(key: Uint8Array, b: Buffer, at: number): boolean {
  for (let k = 0; k < key.length; k++) if (key[k] !== b[at + k]) return false;
  return true;
}

/** Short ranges by a loop (a native copy's call costs more than the bytes of an id). */
function copy(src: Buffer, s: number, e: number, out: Buffer, o: number): number {
  if (e - s > 64) return o + src.copy(out, o, s, e);
  for (let i = s; i < e; i++) out[o++] = src[i]!;
  return o;
}

function emptyList(out: Buffer, o: number): number {
  out[o] = 91;
  out[o + 1] = 93;
  return o + 2;
}

/** Text known to be ASCII (digits, '[]'). */
function ascii(out: Buffer, o: number, s: string): number {
  for (let i = 0; i < s.length; i++) out[o++] = s.charCodeAt(i);
  return o;
}

/** Any text, as UTF-8 (what Buffer.from of the old path's line writes, lone surrogates included). */
function text(out: Buffer, o: number, s: string): number {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 128) return o + out.write(s, o, 'utf8');
  return ascii(out, o, s);
}
