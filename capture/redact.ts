// Redaction of secrets before anything leaves the process. The work is in `redact/`: a linear-time
// text scanner (published token formats, private keys, credentials in URLs, `key=value` pairs,
// headers, command lines, config files, random values near secret words, and all of these again
// under base64, hex and URL-encoding) and a structured walk that replaces whole values under
// secret-named keys at any depth. Capture only ever puts redacted text into an event; hashes and
// sizes are computed from the raw bytes, which never leave memory. This file is the stable API.
import { redactTextWithFindings } from './redact/scan.ts';
import { redactValueWithFindings } from './redact/value.walk.ts';

export { marker } from './redact/spans.ts';
export { secretKeyKind } from './redact/keys.ts';
export { TOKEN_KINDS } from './redact/tokens.ts';
export { redactTextWithFindings, redactValueWithFindings };

/** Replaces every secret found in `text` with a marker. Ordinary text comes back unchanged. */
export function redactText(text: string): string {
  return redactTextWithFindings(text).text;
}

/** Argument keys whose values are always redacted, whatever they hold (added to the key classifier). */
export const DEFAULT_DENY_KEYS = [
  'password',
  'passwd',
  'secret',
  'token',
  'api_key',
  'apikey',
  'authorization',
  'cookie',
  'private_key',
  'client_secret',
  'access_token',
  'refresh_token',
  'credentials',
] as const;

const normalizeKey = (k: string) => k.toLowerCase().replace(/[-_\s]/g, '');

/** A deny-list matcher: keys compare case-, dash- and underscore-insensitively. */
export function denyKeyMatcher(keys: readonly string[]): (key: string) => boolean {
  const set = new Set(keys.map(normalizeKey));
  return (key) => set.has(normalizeKey(key));
}

/**
 * A deep copy of `value` with secrets replaced: values under secret-named or deny-listed keys, and
 * secrets inside every string. Depth is bounded so a hostile argument cannot stall capture.
 */
export function redactValue(value: unknown, isDenied: (key: string) => boolean): unknown {
  return redactValueWithFindings(value, isDenied).value;
}
