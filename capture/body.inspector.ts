// Inspects one HTTP body as it streams past: its sha256 and size always, its text while it stays
// within the inspection budget, and beyond the budget only what a streaming scan finds of its
// JSON-RPC messages. Memory stays at the budget (plus a few kilobytes) whatever the body's size.
import { createHash, type Hash } from 'node:crypto';
import { JsonSkeleton, type SkeletonMessage } from './json.skeleton.ts';

/** Largest body kept whole for parsing; beyond it only hash, size and the skeleton scan. */
export const DEFAULT_INSPECT_BYTES = 16 * 1024 * 1024;

export interface InspectedBody {
  size_bytes: number;
  sha256: string;
  /** The whole body as text, or null when it was bigger than the budget. */
  text: string | null;
  /** Over budget: the JSON-RPC messages a streaming scan found (method, id, tool name, outcome). */
  messages: SkeletonMessage[];
}

export class BodyInspector {
  private readonly hash: Hash = createHash('sha256');
  private size = 0;
  private parts: Buffer[] = [];
  private skeleton: JsonSkeleton | null = null;
  private done: InspectedBody | null = null;
  private readonly budget: number;

  constructor(budget = DEFAULT_INSPECT_BYTES) {
    this.budget = budget;
  }

  get bytes(): number {
    return this.size;
  }

  write(chunk: Buffer): void {
    if (this.done) return;
    this.hash.update(chunk);
    this.size += chunk.length;
    if (this.skeleton) {
      this.skeleton.write(chunk);
      return;
    }
    this.parts.push(chunk);
    if (this.size > this.budget) {
      this.skeleton = new JsonSkeleton();
      for (const p of this.parts) this.skeleton.write(p);
      this.parts = [];
    }
  }

  /** The result; later writes are ignored. */
  end(): InspectedBody {
    this.done ??= {
      size_bytes: this.size,
      sha256: this.hash.digest('hex'),
      text: this.skeleton ? null : Buffer.concat(this.parts).toString('utf8'),
      messages: this.skeleton ? this.skeleton.end() : [],
    };
    this.parts = [];
    return this.done;
  }
}
