// Inspects one HTTP body as it streams past: its keyed hash (HMAC-SHA256 under the capture's hash
// key, in the domain of arguments or results) and size always, its text while it stays within the
// inspection budget, and beyond the budget only what a streaming scan finds of its JSON-RPC
// messages. Memory stays at the budget (plus a few kilobytes) whatever the body's size.
import type { Hmac } from 'node:crypto';
import { keyedHasher, type HashKey } from './hash.key.ts';
import { JsonSkeleton, type SkeletonMessage } from './json.skeleton.ts';

/** Largest body kept whole for parsing; beyond it only hash, size and the skeleton scan. */
export const DEFAULT_INSPECT_BYTES = 16 * 1024 * 1024;

/** The key and domain a body is hashed under: a request body holds arguments, an answer a result. */
export interface BodyHashing {
  key: HashKey;
  domain: 'arguments' | 'result';
}

export interface InspectedBody {
  size_bytes: number;
  /** HMAC-SHA256 of the raw bytes (prefix `args:` or `result:`), as an event carries it. */
  hmac_sha256: string;
  /** The whole body as text, or null when it was bigger than the budget. */
  text: string | null;
  /** Over budget: the JSON-RPC messages a streaming scan found (method, id, tool name, outcome). */
  messages: SkeletonMessage[];
}

export class BodyInspector {
  private readonly hash: Hmac;
  private size = 0;
  private parts: Buffer[] = [];
  private skeleton: JsonSkeleton | null = null;
  private done: InspectedBody | null = null;
  private readonly budget: number;

  constructor(hashing: BodyHashing, budget = DEFAULT_INSPECT_BYTES) {
    this.hash = keyedHasher(hashing.key, hashing.domain);
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
      hmac_sha256: this.hash.digest('hex'),
      text: this.skeleton ? null : Buffer.concat(this.parts).toString('utf8'),
      messages: this.skeleton ? this.skeleton.end() : [],
    };
    this.parts = [];
    return this.done;
  }
}
