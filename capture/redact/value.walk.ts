// Redaction of a structured value (call arguments): a value under a secret-named key is replaced
// whole, at any depth; `{name: "API_TOKEN", value: "…"}` pairs (environment lists) are treated as
// the key they name; weakly named keys (`key`, `license`) lose values that look random; every other
// string goes through the text scanner. The kinds of secret removed are collected, never values.
import { looksRandom } from './entropy.ts';
import { secretKeyKind, weakSecretKey } from './keys.ts';
import { newBudget, redactTextWithFindings } from './scan.ts';
import { marker } from './spans.ts';
import { isPlaceholder } from './urls.ts';
import type { DecodeBudget } from './decode.ts';

/** Deeper than this, a value is replaced by a marker (a hostile argument cannot make redaction recurse without end). */
export const MAX_DEPTH = 32;

const NAME_FIELDS = ['name', 'Name', 'key', 'Key', 'variable'];
const VALUE_FIELDS = ['value', 'Value'];

class Walk {
  readonly kinds = new Set<string>();
  readonly budget: DecodeBudget = newBudget();
  private readonly isDenied: (key: string) => boolean;
  constructor(isDenied: (key: string) => boolean) {
    this.isDenied = isDenied;
  }

  text(s: string): string {
    const r = redactTextWithFindings(s, this.budget);
    for (const k of r.secrets) this.kinds.add(k);
    return r.text;
  }

  /** The kind of secret under `key`, or null. */
  keyKind(key: string): string | null {
    return secretKeyKind(key) ?? (this.isDenied(key) ? 'denied_key' : null);
  }

  /** A value under a secret key: replaced unless empty, a boolean or a placeholder. */
  secret(kind: string, v: unknown): unknown {
    if (v === null || v === undefined || typeof v === 'boolean' || v === '') return v;
    if (typeof v === 'string' && isPlaceholder(v)) return v;
    if (typeof v === 'string') this.text(v); // for the kinds it holds (an AWS key under `token`)
    if (typeof v === 'object' && Object.keys(v).length === 0) return v;
    this.kinds.add(kind);
    return marker(kind);
  }

  value(v: unknown, depth: number): unknown {
    if (typeof v === 'string') return this.text(v);
    if (v === null || typeof v !== 'object') return v;
    if (depth > MAX_DEPTH) return marker('too-deep');
    if (Array.isArray(v)) return v.map((x) => this.value(x, depth + 1));
    const obj = v as Record<string, unknown>;
    const pairKind = this.pairKind(obj);
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(obj)) {
      const outKey = k.length >= 16 ? this.text(k) : k;
      const kind = this.keyKind(k) ?? (pairKind && VALUE_FIELDS.includes(k) ? pairKind : null);
      const redacted =
        kind ? this.secret(kind, x) : typeof x === 'string' && weakSecretKey(k) && looksRandom(x) ? this.secret('high_entropy', x) : this.value(x, depth + 1);
      // An own property even for `__proto__` (JSON.parse makes one), so nothing disappears from the preview.
      Object.defineProperty(out, outKey, { value: redacted, enumerable: true, writable: true, configurable: true });
    }
    return out;
  }

  /** `{name: "GITHUB_TOKEN", value: "…"}`: the kind of secret the name names. */
  private pairKind(obj: Record<string, unknown>): string | null {
    if (!VALUE_FIELDS.some((f) => f in obj)) return null;
    for (const f of NAME_FIELDS) {
      const n = obj[f];
      if (typeof n === 'string') return this.keyKind(n);
    }
    return null;
  }
}

/** A deep copy of `value` with secrets replaced by markers, and the kinds of secret removed. */
export function redactValueWithFindings(value: unknown, isDeniedKey: (key: string) => boolean): { value: unknown; secrets: string[] } {
  const w = new Walk(isDeniedKey);
  const out = w.value(value, 0);
  return { value: out, secrets: [...w.kinds] };
}
