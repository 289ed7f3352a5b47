// The MCP audit event, version 2: version 1 plus what detection and capture need next, as an
// additive step. Ingest, the detector and the API accept both versions side by side (`auditEvent`).
//
// What v2 changes, and why:
// - Hashes of arguments and results are keyed (HMAC-SHA256 under a per-deployment key named by
//   `hash_key_id`), so a redacted low-entropy secret cannot be confirmed by hashing guesses. The
//   plain `sha256` fields of v1 are gone; the new names say the algorithm.
// - `fingerprints`: keyed fingerprints of the values in a call's arguments and result (addresses,
//   URLs, hosts, account and phone numbers, long numbers and identifiers, shingles of longer text),
//   never the values: the raw material of provenance ("this recipient came from that mail").
// - `episode`: the id of the run of calls this call belongs to, and the basis it came from (MCP
//   2026-07-28 has no session id).
// - `arguments.keys`, `arguments.secrets`, `tools[].input_keys`: argument names and the kinds of
//   secrets redaction found (never the values), so unknown tools can be classified from their
//   argument shapes and a secret in an outbound call can be detected.
// - `truncated` flags: what capture cut to keep the event bounded.
// - `result.instructions`: the kinds of instruction aimed at the agent that a result carried
//   (prompt injection through tool output), never the text.
import { z } from 'zod';
import { auditEventV1, eventKinds, requiredFieldByKind, resultStatuses } from './event.v1.ts';

export { eventKinds, requiredFieldByKind, resultStatuses };

const SHA256 = /^[0-9a-f]{64}$/;
const name = (max = 256) => z.string().min(1).max(max);
const text = (max: number) => z.string().max(max);
const hmac = z.string().regex(SHA256, 'lowercase hex HMAC-SHA256');
const count = z.number().int().min(0).max(2 ** 32 - 1);

/** What a fingerprint was taken of. The kind is part of the fingerprint so kinds never collide. */
export const fingerprintKinds = ['email', 'url', 'host', 'account', 'phone', 'number', 'id', 'text'] as const;
export type FingerprintKind = (typeof fingerprintKinds)[number];

/** Kinds of instruction aimed at the agent that capture recognises in a result (capture/instructions.ts). */
export const INSTRUCTION_MARKERS = ['override', 'addressed_to_agent', 'task_hijack', 'concealment', 'fake_tag', 'invisible_text'] as const;
export type InstructionMarker = (typeof INSTRUCTION_MARKERS)[number];

/** `kind:` then the first 64 bits of HMAC-SHA256(key, 'fp:' + kind + ':' + normalised value), in hex ('fp:' keeps them apart from the argument and result HMACs). */
export const FINGERPRINT = /^(?:email|url|host|account|phone|number|id|text):[0-9a-f]{16}$/;
const fingerprint = z.string().regex(FINGERPRINT, 'kind:16 hex digits');

/** Upper bounds of the fingerprint lists: enough for a long mail thread, small enough for every event. */
export const MAX_ARGUMENT_FINGERPRINTS = 256;
export const MAX_RESULT_FINGERPRINTS = 512;
export const MAX_DESTINATION_FINGERPRINTS = 64;
export const MAX_PARTY_FINGERPRINTS = 64;

export const episodeBases = ['trace', 'conversation', 'agent', 'session', 'idle_gap'] as const;
export type EpisodeBasis = (typeof episodeBases)[number];


const args = z
  .strictObject({
    preview: text(4096).describe('Redacted, truncated preview of the arguments; never a secret in clear'),
    hmac_sha256: hmac.describe('HMAC-SHA256 (key `hash_key_id`) of the canonical raw arguments'),
    size_bytes: count.describe('Size of the raw arguments in bytes'),
    keys: z.array(name(128)).max(64).optional().describe('Top-level argument names (never values)'),
    secrets: z
      .array(name(64))
      .max(32)
      .optional()
      .describe('Kinds of secrets redaction removed from the arguments, e.g. aws_access_key, password (never values)'),
    truncated: z.boolean().optional().describe('Canonicalisation hit its depth or size budget; the hash covers what was kept'),
  })
  .describe('The call arguments, redacted');

const result = z
  .strictObject({
    status: z.enum(resultStatuses),
    error_type: text(256).optional().describe('error.type'),
    size_bytes: count.optional().describe('Size of the result in bytes'),
    hmac_sha256: hmac.optional().describe('HMAC-SHA256 (key `hash_key_id`) of the canonical result'),
    secrets: z.array(name(64)).max(32).optional().describe('Kinds of secrets seen in the result (never values)'),
    truncated: z.boolean().optional().describe('The result was too large or deep to inspect whole'),
    instructions: z
      .array(z.enum(INSTRUCTION_MARKERS))
      .max(INSTRUCTION_MARKERS.length)
      .optional()
      .describe('Kinds of instruction aimed at the agent found in the result content (prompt injection markers; never the text)'),
  })
  .describe('How the call ended');

const fingerprints = z
  .strictObject({
    arguments: z.array(fingerprint).max(MAX_ARGUMENT_FINGERPRINTS).describe('Values in the call arguments'),
    result: z.array(fingerprint).max(MAX_RESULT_FINGERPRINTS).describe('Values in the result content'),
    destinations: z
      .array(fingerprint)
      .max(MAX_DESTINATION_FINGERPRINTS)
      .describe('The subset of argument values that name where the call sends or shares: recipients, accounts, channels, repositories, hosts'),
    parties: z
      .array(fingerprint)
      .max(MAX_PARTY_FINGERPRINTS)
      .optional()
      .describe('The subset of result values that name who the content is from or to (sender, recipients, organiser, attendees, owner): where a reply goes'),
  })
  .describe('Keyed fingerprints of values (never the values), key `hash_key_id`');

const episode = z
  .strictObject({
    id: name(128).describe('Episode id: calls of one agent run share it'),
    basis: z.enum(episodeBases).describe('Where the id came from: trace id, conversation id, agent id, MCP session id, or client identity plus an idle gap'),
  })
  .describe('The agent run this call belongs to');

const listedTool = z.strictObject({
  name: name(256),
  description: text(8192).optional().describe('The description as the server sent it (for drift and poisoning checks)'),
  description_sha256: z.string().regex(SHA256),
  input_keys: z.array(name(128)).max(64).optional().describe('Top-level property names of the tool input schema'),
});

const actor = z
  .strictObject({
    ...auditEventV1.shape.actor.shape,
    conversation_id: text(256).optional().describe('gen_ai.conversation.id'),
  })
  .describe('Who made the call');

export const auditEventV2 = z
  .strictObject({
    ...auditEventV1.shape,
    schema_version: z.literal(2),
    actor,
    arguments: args.optional(),
    result: result.optional(),
    tools: z.array(listedTool).max(1024).optional().describe('kind tool_list: every advertised tool'),
    hash_key_id: name(64)
      .regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, . _ - only')
      .optional()
      .describe('Id of the deployment key behind every HMAC and fingerprint of this event (rotates)'),
    fingerprints: fingerprints.optional(),
    episode: episode.optional(),
  })
  .superRefine((e, ctx) => {
    for (const [kind, field] of Object.entries(requiredFieldByKind)) {
      if (e.kind === kind && e[field] === undefined) ctx.addIssue({ code: 'custom', path: [field], message: `required for kind ${kind}` });
    }
    const keyed = e.arguments?.hmac_sha256 ?? e.result?.hmac_sha256 ?? e.fingerprints;
    if (keyed !== undefined && e.hash_key_id === undefined) {
      ctx.addIssue({ code: 'custom', path: ['hash_key_id'], message: 'required when the event carries HMACs or fingerprints' });
    }
  })
  .describe('MCP audit event, version 2');

export type AuditEventV2 = z.infer<typeof auditEventV2>;
