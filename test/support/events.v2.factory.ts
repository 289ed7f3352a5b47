// Realistic, valid v2 events for tests: the v1 factory's events carried forward the way v2 capture
// reports them (keyed hashes, value fingerprints, episode, argument names, secret kinds, truncation
// flags, tools' input keys). Deterministic when given a seed. Every optional list it sets is
// non-empty and every flag it sets is true, so a stored row turns back into the same event.
import { createHmac } from 'node:crypto';
import type { AuditEventV1 } from '../../schemas/event.v1.ts';
import { episodeBases, type AuditEventV2, type FingerprintKind } from '../../schemas/event.v2.ts';
import { eventFrom, int, pick, seededRng, type Rng } from './events.factory.ts';

/** The deployment key id and key the factory's HMACs and fingerprints are made with. */
export const TEST_HASH_KEY_ID = 'k2026-11.test';
const KEY = 'test-only deployment key';

const hmac = (s: string): string => createHmac('sha256', KEY).update(s).digest('hex');
export const fingerprintOf = (kind: FingerprintKind, value: string): string => `${kind}:${hmac(`${kind}:${value.toLowerCase()}`).slice(0, 16)}`;

const INPUT_KEYS: Record<string, readonly string[]> = {
  read_file: ['path'],
  write_file: ['path', 'content'],
  list_directory: ['path'],
  slack_post_message: ['channel', 'text'],
  send_email: ['to', 'subject', 'body'],
  query: ['sql'],
  fetch_url: ['url'],
};
const SECRET_KINDS = ['password', 'aws_access_key', 'github_token', 'private_key', 'jwt'];

/** `e` as v2 capture would have reported the same call. */
export function toV2(rng: Rng, e: AuditEventV1): AuditEventV2 {
  const { schema_version: _v, arguments: args, result, tools, ...rest } = e;
  const out: AuditEventV2 = { schema_version: 2, ...rest, actor: { ...e.actor } };
  if (rng() < 0.3) out.actor.conversation_id = `conv_${int(rng, 1, 1e9)}`;
  if (rng() < 0.8) {
    const basis = pick(rng, episodeBases);
    out.episode = { id: basis === 'trace' && e.trace ? e.trace.trace_id : `ep-${int(rng, 1, 1e9).toString(36)}`, basis };
  }
  if (args) {
    const keys = Object.keys(JSON.parse(args.preview) as object);
    out.arguments = { preview: args.preview, hmac_sha256: hmac(args.preview), size_bytes: args.size_bytes };
    if (keys.length > 0) out.arguments.keys = keys;
    if (rng() < 0.2) out.arguments.secrets = [pick(rng, SECRET_KINDS)];
    if (rng() < 0.1) out.arguments.truncated = true;
  }
  if (result) {
    const { sha256, ...kept } = result;
    out.result = { ...kept };
    if (sha256 !== undefined) out.result.hmac_sha256 = hmac(sha256);
    if (rng() < 0.1) out.result.secrets = [pick(rng, SECRET_KINDS), pick(rng, SECRET_KINDS)];
    if (rng() < 0.1) out.result.truncated = true;
  }
  if (e.kind === 'tool_call') {
    const r = e.resource ?? {};
    const destinations = [...(r.recipients ?? []).map((v) => fingerprintOf('email', v)), ...(r.hosts ?? []).map((v) => fingerprintOf('host', v))];
    out.fingerprints = {
      arguments: [
        ...(r.urls ?? []).map((v) => fingerprintOf('url', v)),
        ...(r.paths ?? []).map((v) => fingerprintOf('text', v)),
        ...destinations,
        fingerprintOf('id', String(int(rng, 1, 1e6))),
      ],
      result: e.result?.status === 'ok' ? Array.from({ length: int(rng, 0, 6) }, () => fingerprintOf(pick(rng, ['text', 'email', 'account', 'phone'] as const), String(int(rng, 1, 1e9)))) : [],
      destinations,
    };
  }
  if (tools) {
    out.tools = tools.map((t) => {
      const keys = INPUT_KEYS[t.name];
      return keys && rng() < 0.8 ? { ...t, input_keys: [...keys] } : { ...t };
    });
  }
  // The key id names the key behind every HMAC and fingerprint; some producers send it on every event.
  if (out.arguments || out.result?.hmac_sha256 || out.fingerprints || rng() < 0.5) out.hash_key_id = TEST_HASH_KEY_ID;
  return out;
}

/** `n` v2 events in time order; same seed, same events. */
export function makeEventsV2(n: number, opts: { seed: number; startMs?: number; stepMs?: number }): AuditEventV2[] {
  // A stream of its own: the same seed must not repeat makeEvents' event ids when both are mixed.
  const rng = seededRng((opts.seed ^ 0x7632_0000) >>> 0);
  const step = opts.stepMs ?? 250;
  let ms = opts.startMs ?? Date.UTC(2025, 5, 2, 9, 0, 0);
  const out: AuditEventV2[] = [];
  for (let i = 0; i < n; i++) {
    out.push(toV2(rng, eventFrom(rng, ms)));
    ms += Math.floor(rng() * 2 * step);
  }
  return out;
}
