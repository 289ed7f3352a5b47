// The rejects file beside the spill segments: events that can never be sent (invalid, too large,
// refused by the broker), one `{at, reason, detail, event}` a line, never replayed, kept for an
// operator to read. Its bytes count toward the spill budget until the operator removes it.
import { appendFileSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const REJECTS_RE = /^rejected-\d+-\d+\.ndjson$/;

export class RejectsFile {
  private readonly dir: string;
  private path: string | null = null;
  private size = 0;

  constructor(dir: string) {
    this.dir = dir;
  }

  /** Bytes of every rejects file in the folder (earlier runs' too, until removed). */
  get bytes(): number {
    return this.size;
  }

  /** Counts the rejects files already in the folder. */
  recover(): void {
    for (const name of readdirSync(this.dir)) if (REJECTS_RE.test(name)) this.size += statSync(join(this.dir, name)).size;
  }

  /** Appends one line to this process's rejects file, created on first use. Throws if the write fails. */
  append(line: string): void {
    mkdirSync(this.dir, { recursive: true });
    this.path ??= join(this.dir, `rejected-${process.pid}-${Date.now()}.ndjson`);
    appendFileSync(this.path, line);
    this.size += Buffer.byteLength(line);
  }
}
