// Splits a byte stream into newline-terminated lines for observation (MCP stdio framing is one
// JSON-RPC message per line). It works on copies of the relayed chunks and never alters them.

/** Longest line kept for parsing; a longer one is skipped (relayed all the same, not audited). */
const MAX_LINE_BYTES = 64 * 1024 * 1024;

export class LineSplitter {
  private parts: Buffer[] = [];
  private size = 0;
  private skipping = false;
  private readonly onLine: (line: Buffer) => void;

  constructor(onLine: (line: Buffer) => void) {
    this.onLine = onLine;
  }

  push(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl < 0) break;
      const piece = chunk.subarray(start, nl);
      if (!this.skipping) this.onLine(this.parts.length ? Buffer.concat([...this.parts, piece]) : piece);
      this.parts = [];
      this.size = 0;
      this.skipping = false;
      start = nl + 1;
    }
    if (start < chunk.length && !this.skipping) {
      const rest = chunk.subarray(start);
      this.size += rest.length;
      if (this.size > MAX_LINE_BYTES) {
        this.parts = [];
        this.size = 0;
        this.skipping = true;
      } else this.parts.push(Buffer.from(rest)); // a copy: the relay may reuse the chunk's memory
    }
  }
}

/** Parses one line as JSON; null for blank or malformed lines (relayed anyway). */
export function parseLine(line: Buffer): unknown {
  const text = line.toString('utf8').trim();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
