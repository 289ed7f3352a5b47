// Who is behind a span or log record, from its attributes and its resource's, first match wins
// (the item's own attributes before the resource's for each name). The tenant never comes from
// here: it is the API key's. The order is documented in the README ("OpenTelemetry intake").
import { firstText, type Attributes } from './otlp.model.ts';

/** The human on whose behalf the agent acts. */
export const USER_KEYS = ['enduser.id', 'user.id', 'user.email', 'user.name', 'enduser.pseudo.id'] as const;
/** The agent making the call. */
export const AGENT_KEYS = ['gen_ai.agent.id', 'gen_ai.agent.name'] as const;
export const CONVERSATION_KEYS = ['gen_ai.conversation.id'] as const;

export interface OtlpIdentity {
  userId: string;
  agentId?: string;
  conversationId?: string;
}

/**
 * With no end user in the telemetry, the calls are charged to the sending service
 * (`service:<service.name>`), so per-user rules and baselines still group them per component.
 */
export function identityOf(item: Attributes, resource: Attributes, userKeys: readonly string[] = USER_KEYS): OtlpIdentity {
  const sources = [item, resource];
  const userId = firstText(sources, userKeys) ?? `service:${firstText([resource], ['service.name']) ?? 'unknown'}`;
  const agentId = firstText(sources, AGENT_KEYS);
  const conversationId = firstText(sources, CONVERSATION_KEYS);
  return { userId, ...(agentId ? { agentId } : {}), ...(conversationId ? { conversationId } : {}) };
}
