// What the engine keeps of an event once every rule has seen it. Sequence buffers, partial matches
// and provenance sources hold events for up to their windows (30 minutes in the shipped pack), so
// nearly every event outlives the young generation, and what a kept event weighs is most of the
// engine's memory. Later steps read a kept event only for evidence (alert.ts), for the call's
// description, for its episode and for join fields.
//
// Two savings, both invisible to a reader of the kept event:
// - Every fingerprint list but the destinations (which a join can name) is left out: a read's result
//   fingerprints (up to 512 strings) were most of what kept events held, and the provenance store
//   has taken the values it needs (as numbers) by then.
// - The parts that repeat from call to call are shared instead of held once per event: the user's
//   actor, the server and tool objects, the kind, tenant and key id. A decoded event owns a copy of
//   each (JSON.parse makes every value string anew); sharing lets the copies die young. The method
//   and result objects are not shared: capture puts the request id and the result's keyed hash in
//   them, so they differ in every call. Shared objects are only ever read, never changed.
// Parts are compared field by field, which is several times cheaper than walking their keys; the
// fields are every field the contract allows in them (strict objects), which event.kept.test.ts pins
// to the schemas.
import { eventKinds } from '../../schemas/event.v1.ts';
import type { AuditEvent } from '../../schemas/event.ts';
import type { UserState } from './rule.types.ts';

const NONE: string[] = [];

/**
 * Names remembered: servers (past it the server table starts over) and tools per server (past it a
 * new tool name is not remembered). A bound for a stream of many names.
 */
const MAX_NAMES = 4_096;

type Actor = AuditEvent['actor'] & { conversation_id?: string };
type Server = AuditEvent['server'];
type Tool = NonNullable<AuditEvent['tool']>;

export class EventKeeper {
  /** The last server object seen by name, and per server the last tool object seen by name. */
  private readonly servers = new Map<string, { server: Server; tools: Map<string, Tool> }>();
  private keyId: string | undefined = undefined;

  /** The kept form of `e`, a new object; `e` itself is not changed. */
  keep(e: AuditEvent, u: UserState): AuditEvent {
    const kept = { ...e };
    kept.tenant_id = u.tenant;
    kept.kind = sharedKind(e.kind);
    kept.actor = u.actor !== null && sameActorOfUser(u.actor, e.actor) ? u.actor : (u.actor = e.actor);
    let known = this.servers.get(e.server.name);
    if (known === undefined) {
      if (this.servers.size >= MAX_NAMES) this.servers.clear();
      this.servers.set(e.server.name, (known = { server: e.server, tools: new Map() }));
    } else if (sameServer(known.server, e.server)) kept.server = known.server;
    else known.server = e.server;
    if (e.tool !== undefined) {
      const tool = known.tools.get(e.tool.name);
      if (tool !== undefined && tool.call_id === e.tool.call_id) kept.tool = tool;
      else if (known.tools.size < MAX_NAMES) known.tools.set(e.tool.name, e.tool);
    }
    if (kept.schema_version === 2) {
      if (kept.hash_key_id === this.keyId) kept.hash_key_id = this.keyId;
      else this.keyId = kept.hash_key_id;
      const fps = kept.fingerprints;
      // An absent list and an undefined one read the same.
      if (fps !== undefined) kept.fingerprints = fps.destinations.length === 0 ? undefined : { arguments: NONE, result: NONE, destinations: fps.destinations };
    }
    return kept as AuditEvent;
  }

  clear(): void {
    this.servers.clear();
    this.keyId = undefined;
  }
}

/** The contract's own string for a kind (a literal, shared by every event). */
function sharedKind(kind: AuditEvent['kind']): AuditEvent['kind'] {
  for (let i = 0; i < eventKinds.length; i++) if (eventKinds[i] === kind) return eventKinds[i]!;
  return kind;
}

/** Every field of the v1 and v2 actor (event.kept.test.ts checks the list against the schemas). */
export const ACTOR_FIELDS = ['user_id', 'agent_id', 'client_name', 'client_version', 'source_address', 'conversation_id'] as const;
/**
 * Both actors are of the user whose state holds `a` (the engine finds that state by tenant and user
 * id), so their user ids are equal and are not read again: comparing two copies of a string reads
 * both, and the kept one is rarely still in the cache.
 */
function sameActorOfUser(a: Actor, b: Actor): boolean {
  return a.agent_id === b.agent_id && a.client_name === b.client_name && a.client_version === b.client_version && a.source_address === b.source_address && a.conversation_id === b.conversation_id;
}

export const SERVER_FIELDS = ['name', 'version', 'transport', 'fingerprint'] as const;
function sameServer(a: Server, b: Server): boolean {
  return a.name === b.name && a.version === b.version && a.transport === b.transport && a.fingerprint === b.fingerprint;
}

export const TOOL_FIELDS = ['name', 'call_id'] as const;
