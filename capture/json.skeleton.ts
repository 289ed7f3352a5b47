// A streaming scan of a JSON-RPC body too big to parse: it reads the bytes once, keeps nothing of
// them but the few fields that say which call a message is (method, id, tool name) and how it
// ended (isError, error code and message), each capped in length, so memory stays a few kilobytes
// whatever the body's size or depth. Works for one message and for a batch (a top-level array).
//
// Not a validating parser: malformed JSON gives whatever fields were seen. Streaming JSON libraries
// were considered, but they gather every string value whole in memory before handing it over, and a
// 20 MiB body is typically one such string.

/** What the scan found of one JSON-RPC message. */
export interface SkeletonMessage {
  method?: string;
  id?: string | number;
  /** `params.name`: the tool of a tools/call. */
  name?: string;
  isError?: boolean;
  errorCode?: number;
  errorMessage?: string;
}

const WANTED: Record<string, keyof SkeletonMessage> = {
  method: 'method',
  id: 'id',
  'params.name': 'name',
  'result.isError': 'isError',
  'error.code': 'errorCode',
  'error.message': 'errorMessage',
};
/** Longest captured key or value, in bytes; a longer one is ignored. */
const MAX_CAPTURE = 1024;
/** Messages remembered of one batch. */
const MAX_MESSAGES = 1000;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const isSpace = (b: number) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
const isDelimiter = (b: number) => b === 0x2c || b === 0x7d || b === 0x5d || b === 0x3a || isSpace(b);

export class JsonSkeleton {
  readonly messages: SkeletonMessage[] = [];
  private depth = 0;
  private rootIsArray: boolean | null = null;
  /** Kind and current key of each open container, for the shallow levels a message's fields live at. */
  private readonly kinds: ('o' | 'a')[] = [];
  private readonly keys: (string | null)[] = [];
  private expectKey = false;
  private current: SkeletonMessage | null = null;
  private inString = false;
  private escaped = false;
  private stringIsKey = false;
  private capture: number[] | null = null;
  private scalar: string | null = null;

  /** Where a message's own fields live: the root object, or the objects of a top-level array. */
  private get messageDepth(): number {
    return this.rootIsArray ? 2 : 1;
  }

  write(buf: Buffer): void {
    let i = 0;
    while (i < buf.length) {
      if (this.inString) {
        i = this.inStringFrom(buf, i);
        continue;
      }
      const b = buf[i]!;
      if (this.scalar !== null) {
        if (!isDelimiter(b)) {
          if (this.scalar.length < 64) this.scalar += String.fromCharCode(b);
          i++;
          continue;
        }
        this.endScalar();
      }
      i++;
      if (isSpace(b)) continue;
      switch (b) {
        case 0x7b: // {
        case 0x5b: // [
          this.open(b === 0x7b ? 'o' : 'a');
          break;
        case 0x7d: // }
        case 0x5d: // ]
          this.close();
          break;
        case 0x3a: // :
          this.expectKey = false;
          break;
        case 0x2c: // ,
          this.expectKey = this.kinds[this.depth] === 'o';
          break;
        case QUOTE:
          this.startString();
          break;
        default:
          this.scalar = String.fromCharCode(b);
      }
    }
  }

  /** Call at the end of the body: a number at the very end has no delimiter after it. */
  end(): SkeletonMessage[] {
    if (this.scalar !== null) this.endScalar();
    return this.messages;
  }

  private open(kind: 'o' | 'a'): void {
    if (this.depth === 0 && this.rootIsArray === null) this.rootIsArray = kind === 'a';
    this.depth++;
    if (this.depth <= 3) {
      this.kinds[this.depth] = kind;
      this.keys[this.depth] = null;
    }
    this.expectKey = kind === 'o';
    if (kind === 'o' && this.depth === this.messageDepth) this.current = {};
  }

  private close(): void {
    if (this.depth === this.messageDepth && this.current) {
      if (this.messages.length < MAX_MESSAGES) this.messages.push(this.current);
      this.current = null;
    }
    this.depth = Math.max(0, this.depth - 1);
    this.expectKey = false;
  }

  /** The field a value at the current place fills, if it is one the scan keeps. */
  private wantedField(): keyof SkeletonMessage | undefined {
    const d = this.depth;
    const m = this.messageDepth;
    if (!this.current || d < m || d > m + 1 || this.kinds[d] !== 'o') return undefined;
    const path = d === m ? this.keys[m] : this.kinds[m] === 'o' ? `${this.keys[m]}.${this.keys[d]}` : null;
    return path ? WANTED[path] : undefined;
  }

  private startString(): void {
    this.inString = true;
    this.escaped = false;
    this.stringIsKey = this.expectKey && this.depth <= 3 && this.kinds[this.depth] === 'o';
    this.capture = this.stringIsKey || this.wantedField() ? [] : null;
  }

  /** Consumes string bytes from `i`; returns where to go on. Skips uncaptured strings by search. */
  private inStringFrom(buf: Buffer, i: number): number {
    if (this.capture === null && !this.escaped) {
      // A quote ends the string unless an odd run of backslashes stands right before it.
      for (let from = i; ; ) {
        const q = buf.indexOf(QUOTE, from);
        const end = q < 0 ? buf.length : q;
        let run = 0;
        while (end - run - 1 >= from && buf[end - run - 1] === BACKSLASH) run++;
        if (q < 0) {
          this.escaped = run % 2 === 1;
          return buf.length;
        }
        if (run % 2 === 0) {
          this.endString();
          return q + 1;
        }
        from = q + 1;
      }
    }
    const b = buf[i]!;
    if (this.escaped) this.escaped = false;
    else if (b === BACKSLASH) this.escaped = true;
    else if (b === QUOTE) {
      this.endString();
      return i + 1;
    }
    if (this.capture && this.capture.length <= MAX_CAPTURE) this.capture.push(b);
    return i + 1;
  }

  private endString(): void {
    this.inString = false;
    const raw = this.capture;
    this.capture = null;
    let text: string | null = null;
    if (raw && raw.length <= MAX_CAPTURE) {
      try {
        text = JSON.parse(`"${Buffer.from(raw).toString('utf8')}"`) as string;
      } catch {
        text = null;
      }
    }
    if (this.stringIsKey) {
      this.keys[this.depth] = text;
      return;
    }
    const field = raw ? this.wantedField() : undefined;
    if (field && text !== null) this.set(field, text);
  }

  private endScalar(): void {
    const token = this.scalar!;
    this.scalar = null;
    const field = this.wantedField();
    if (!field) return;
    try {
      this.set(field, JSON.parse(token) as unknown);
    } catch {
      // not a JSON scalar: ignore
    }
  }

  private set(field: keyof SkeletonMessage, value: unknown): void {
    const m = this.current!;
    if (field === 'isError') {
      if (typeof value === 'boolean') m.isError = value;
    } else if (field === 'errorCode') {
      if (typeof value === 'number') m.errorCode = value;
    } else if (field === 'id') {
      if (typeof value === 'string' || typeof value === 'number') m.id = value;
    } else if (typeof value === 'string') m[field] = value;
  }
}
