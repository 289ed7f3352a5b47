// Events as the API shows them, and the event search: one page of stored rows in that shape.
import type { ClickHouseClient } from '../../core/clickhouse.ts';
import { z } from 'zod';
import { isoTime, toIso } from '../api.schemas.ts';
import { page } from '../queries/cursor.ts';
import { searchEvents, type EventFilter, type EventRowOut } from '../queries/events.queries.ts';
import type { TenantScope } from '../queries/tenant.scope.ts';

export const eventOut = z
  .object({
    event_id: z.string(),
    schema_version: z.number().int().describe('Contract version the event was sent in (1 or 2)'),
    ts: isoTime,
    kind: z.string(),
    method: z.string(),
    session_id: z.string(),
    user_id: z.string(),
    agent_id: z.string(),
    client_name: z.string(),
    client_version: z.string(),
    conversation_id: z.string().describe('gen_ai.conversation.id (v2; empty when not sent)'),
    episode: z
      .object({ id: z.string(), basis: z.string().describe('trace, conversation, agent, session or idle_gap') })
      .nullable()
      .describe('The agent run the call belongs to (v2); null when not sent'),
    server_name: z.string(),
    server_transport: z.string(),
    tool_name: z.string(),
    tool_class: z.string(),
    arguments_preview: z.string(),
    arguments_keys: z.array(z.string()).describe('Top-level argument names (v2), never values'),
    secrets: z
      .object({ arguments: z.array(z.string()), result: z.array(z.string()) })
      .describe('Kinds of secrets capture redacted (v2), never values'),
    truncated: z.object({ arguments: z.boolean(), result: z.boolean() }).describe('What capture cut to keep the event bounded (v2)'),
    resource: z.object({
      paths: z.array(z.string()),
      urls: z.array(z.string()),
      hosts: z.array(z.string()),
      recipients: z.array(z.string()),
      tables: z.array(z.string()),
    }),
    status: z.string(),
    error_type: z.string(),
    result_size: z.number(),
    duration_ms: z.number(),
  })
  .meta({ id: 'Event' });
export type EventOut = z.infer<typeof eventOut>;

export function toEventOut(e: EventRowOut): EventOut {
  return {
    event_id: e.event_id,
    schema_version: Number(e.schema_version),
    ts: toIso(e.ts_ms),
    kind: e.kind,
    method: e.mcp_method,
    session_id: e.mcp_session_id,
    user_id: e.user_id,
    agent_id: e.agent_id,
    client_name: e.client_name,
    client_version: e.client_version,
    conversation_id: e.conversation_id,
    episode: e.episode_id ? { id: e.episode_id, basis: e.episode_basis } : null,
    server_name: e.server_name,
    server_transport: e.server_transport,
    tool_name: e.tool_name,
    tool_class: e.tool_class,
    arguments_preview: e.args_preview,
    arguments_keys: e.args_keys,
    secrets: { arguments: e.args_secrets, result: e.result_secrets },
    truncated: { arguments: Number(e.args_truncated) === 1, result: Number(e.result_truncated) === 1 },
    resource: { paths: e.resource_paths, urls: e.resource_urls, hosts: e.resource_hosts, recipients: e.resource_recipients, tables: e.resource_tables },
    status: e.result_status,
    error_type: e.result_error_type,
    result_size: Number(e.result_size),
    duration_ms: Number(e.duration_ms),
  };
}

/** One page of events, newest first. */
export async function eventPage(ch: ClickHouseClient, scope: TenantScope, f: EventFilter): Promise<{ items: EventOut[]; next_cursor: string | null }> {
  const p = page(await searchEvents(ch, scope, f), f.limit, (r) => [Number(r.ts_ms), r.event_id]);
  return { items: p.items.map(toEventOut), next_cursor: p.next_cursor };
}
