// The MCP audit event, version 1: the single source of truth of the event contract.
// `event.v1.schema.json` beside this file is generated from it (`npm run schema:generate`) for
// producers in other languages; a test fails when that copy is stale.
//
// Names follow the OpenTelemetry GenAI / MCP semantic conventions where they exist; each field's
// description names the attribute it carries. Objects are strict (unknown keys are errors) and every
// string and array is bounded, so one event can never grow past what ingest and ClickHouse expect.
import { z } from 'zod';

/** Default upper bound of one whole event, in bytes of its UTF-8 JSON encoding. */
export const DEFAULT_EVENT_MAX_BYTES = 65_536;

// One regex (not a .refine) so the generated JSON Schema carries it as `pattern` for other producers.
const EVENT_ID =
  /^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[0-7][0-9A-HJKMNP-TV-Z]{25})$/;
const SHA256 = /^[0-9a-f]{64}$/;

/** Tenant and user ids form the Kafka key `tenant_id:user_id`, so a tenant id cannot hold ':'. */
const tenantId = z.string().min(1).max(128).regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, . _ - only');
const name = (max = 256) => z.string().min(1).max(max);
const text = (max: number) => z.string().max(max);
const sha256 = z.string().regex(SHA256, 'lowercase hex sha256');
const count = z.number().int().min(0).max(2 ** 32 - 1);
const list = (item: z.ZodString, max = 64) => z.array(item).max(max);

export const eventKinds = [
  'tool_call',
  'tool_list',
  'resource_read',
  'resource_list',
  'prompt_get',
  'auth_decision',
  'session',
] as const;

export const resultStatuses = ['ok', 'error', 'denied'] as const;

/**
 * Fields that become required for one kind. Kept as data so the superRefine below and the
 * generated JSON Schema (an if/then per kind) state the same rule.
 */
export const requiredFieldByKind = { tool_call: 'tool', tool_list: 'tools' } as const;

const mcp = z
  .strictObject({
    method: name(128).describe('mcp.method.name, e.g. tools/call'),
    session_id: text(256).optional().describe('mcp.session.id'),
    protocol_version: text(64).optional().describe('mcp.protocol.version'),
    request_id: z
      .union([text(256), z.number().int()])
      .optional()
      .describe('jsonrpc.request.id of the call'),
  })
  .describe('The MCP message this event reports');

const actor = z
  .strictObject({
    user_id: name(256).describe('enduser.id: the human on whose behalf the agent acts'),
    agent_id: text(256).optional().describe('gen_ai.agent.id'),
    client_name: text(256).optional().describe('MCP clientInfo.name'),
    client_version: text(64).optional().describe('MCP clientInfo.version'),
    source_address: text(64).optional().describe('client.address'),
  })
  .describe('Who made the call');

const server = z
  .strictObject({
    name: name(256).describe('MCP serverInfo.name'),
    version: text(64).optional().describe('MCP serverInfo.version'),
    transport: z.enum(['stdio', 'http', 'sse', 'other']).describe('network.transport as MCP names it'),
    fingerprint: sha256.optional().describe('sha256 of the canonical tool list the server advertised'),
  })
  .describe('The MCP server that handled the call');

const tool = z
  .strictObject({
    name: name(256).describe('gen_ai.tool.name'),
    call_id: text(256).optional().describe('gen_ai.tool.call.id'),
  })
  .describe('The tool called (kind tool_call); its capability class is derived at ingest');

const args = z
  .strictObject({
    preview: text(4096).describe('Redacted, truncated preview of the arguments; never a secret in clear'),
    sha256: sha256.describe('sha256 of the canonical raw arguments'),
    size_bytes: count.describe('Size of the raw arguments in bytes'),
  })
  .describe('The call arguments, redacted');

const resource = z
  .strictObject({
    paths: list(name(4096)).optional().describe('File paths the call touched'),
    urls: list(name(4096)).optional().describe('URLs the call touched (url.full), credentials removed'),
    hosts: list(name(256)).optional().describe('Destination hosts (server.address of outbound calls)'),
    recipients: list(name(512)).optional().describe('Mail or chat recipients and channels'),
    tables: list(name(512)).optional().describe('Database tables named by a query'),
  })
  .describe('Targets extracted from the arguments and result');

const result = z
  .strictObject({
    status: z.enum(resultStatuses),
    error_type: text(256).optional().describe('error.type'),
    size_bytes: count.optional().describe('Size of the result in bytes'),
    sha256: sha256.optional().describe('sha256 of the result content'),
  })
  .describe('How the call ended');

const listedTool = z.strictObject({
  name: name(256),
  description: text(8192).optional().describe('The description as the server sent it (for drift and poisoning checks)'),
  description_sha256: sha256,
});

const trace = z
  .strictObject({
    trace_id: z.string().regex(/^[0-9a-f]{32}$/, '32 lowercase hex digits'),
    span_id: z.string().regex(/^[0-9a-f]{16}$/, '16 lowercase hex digits'),
  })
  .describe('W3C trace context of the call');

export const auditEventV1 = z
  .strictObject({
    schema_version: z.literal(1),
    event_id: z
      .string()
      .regex(EVENT_ID, 'a UUID (v7 recommended) or a ULID')
      .describe('Set by the producer; the idempotency key'),
    ts: z.iso.datetime({ offset: true }).describe('Event time, RFC 3339, millisecond precision kept'),
    tenant_id: tenantId,
    kind: z.enum(eventKinds),
    mcp,
    actor,
    server,
    tool: tool.optional(),
    arguments: args.optional(),
    resource: resource.optional(),
    result: result.optional(),
    duration_ms: z.number().min(0).max(86_400_000).optional().describe('Wall time of the call'),
    tools: z.array(listedTool).max(1024).optional().describe('kind tool_list: every advertised tool'),
    trace: trace.optional(),
  })
  .superRefine((e, ctx) => {
    for (const [kind, field] of Object.entries(requiredFieldByKind)) {
      if (e.kind === kind && e[field] === undefined) ctx.addIssue({ code: 'custom', path: [field], message: `required for kind ${kind}` });
    }
  })
  .describe('MCP audit event, version 1');

export type AuditEventV1 = z.infer<typeof auditEventV1>;

/** The Kafka key of an event: all of one user's events go to one partition, in order. */
export function eventKey(e: Pick<AuditEventV1, 'tenant_id' | 'actor'>): string {
  return `${e.tenant_id}:${e.actor.user_id}`;
}
