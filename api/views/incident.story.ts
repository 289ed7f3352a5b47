// Tells an incident's evidence as a story: one step per evidence event, in event-time order, saying
// who (user, agent), through which client, which server and tool, on which resource, with what result.
// Steps come from the stored events when ingest has them, else from the evidence the alert carried.
import { z } from 'zod';
import type { EvidenceItem } from '../../schemas/alert.v1.ts';
import type { EventRowOut } from '../queries/events.queries.ts';

export const storyStep = z.object({
  event_id: z.string(),
  ts: z.string(),
  user_id: z.string(),
  agent_id: z.string(),
  client_name: z.string(),
  server_name: z.string(),
  tool_name: z.string(),
  tool_class: z.string(),
  resource: z.string(),
  status: z.string(),
  from_event_store: z.boolean().describe('false when the event is not (yet) in the events table and the step comes from the alert evidence'),
  text: z.string().describe('The step as one sentence'),
});
export type StoryStep = z.infer<typeof storyStep>;

function resourceOf(e: EventRowOut): string {
  return e.resource_paths[0] ?? e.resource_urls[0] ?? e.resource_recipients[0] ?? e.resource_tables[0] ?? e.resource_hosts[0] ?? '';
}

function sentence(s: Omit<StoryStep, 'text'>): string {
  const who = s.agent_id ? `${s.user_id || 'unknown user'} (agent ${s.agent_id})` : s.user_id || 'unknown user';
  const via = s.client_name ? ` through ${s.client_name}` : '';
  const cls = s.tool_class ? ` [${s.tool_class}]` : '';
  const on = s.resource ? ` on ${s.resource}` : '';
  return `${s.ts}: ${who}${via} called ${s.tool_name || '(no tool)'} of server ${s.server_name || '(unknown)'}${cls}${on}: ${s.status || 'no result'}`;
}

export function buildStory(evidence: readonly EvidenceItem[], userOf: (eventId: string) => string, stored: readonly EventRowOut[]): StoryStep[] {
  const byId = new Map(stored.map((e) => [e.event_id, e]));
  const seen = new Set<string>();
  const steps: StoryStep[] = [];
  for (const item of evidence) {
    if (seen.has(item.event_id)) continue;
    seen.add(item.event_id);
    const e = byId.get(item.event_id);
    const step = e
      ? {
          event_id: e.event_id,
          ts: new Date(Number(e.ts_ms)).toISOString(),
          user_id: e.user_id,
          agent_id: e.agent_id,
          client_name: e.client_name,
          server_name: e.server_name,
          tool_name: e.tool_name,
          // The classifier may not have filled the stored row; the alert knew the class it matched on.
          tool_class: e.tool_class || item.tool_class,
          resource: resourceOf(e) || item.resource,
          status: e.result_status || item.status,
          from_event_store: true,
        }
      : {
          event_id: item.event_id,
          ts: new Date(Date.parse(item.ts)).toISOString(),
          user_id: userOf(item.event_id),
          agent_id: '',
          client_name: '',
          server_name: item.server_name,
          tool_name: item.tool_name,
          tool_class: item.tool_class,
          resource: item.resource,
          status: item.status,
          from_event_store: false,
        };
    steps.push({ ...step, text: sentence(step) });
  }
  return steps.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : a.event_id < b.event_id ? -1 : 1));
}
