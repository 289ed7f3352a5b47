// The event fields rule conditions can name, and how each is read from a classified event.
// Keeping the list closed makes a typo in a rule file an error with a line number, not a rule that
// silently never matches.
import { destinationsOf } from './destinations.ts';
import { episodeOf } from './provenance.ts';
import type { Ev, RouteFacts } from './rule.types.ts';
import { shellCommandsOf } from './shell.commands.ts';

export type FieldValue = string | number | boolean | readonly string[] | undefined;

interface FieldDef {
  get: (ev: Ev) => FieldValue;
  /** Multi-valued: conditions hold when any element satisfies them. */
  array: boolean;
  /** Names (not paths): a glob without '/' also matches the last '/'-segment. */
  name?: boolean;
  /**
   * The field's value on every event of a route (its kind and classification, RouteFacts), or
   * VARIES when events of one route can differ in it. Lets the engine decide such conditions once
   * per route instead of once per event (condition.fold.ts).
   */
  fixed?: (route: RouteFacts) => FieldValue | typeof VARIES;
}

/** A field whose value is not decided by the route. */
export const VARIES: unique symbol = Symbol('varies');

const s = (get: (ev: Ev) => string | undefined, name = false): FieldDef => ({ get, array: false, name });
const n = (get: (ev: Ev) => number | undefined): FieldDef => ({ get, array: false });
const a = (get: (ev: Ev) => readonly string[] | undefined): FieldDef => ({ get, array: true });

const NO_COMMANDS: readonly string[] = Object.freeze([]);

export const FIELDS: Record<string, FieldDef> = {
  kind: { ...s((ev) => ev.e.kind), fixed: (r) => r.kind },
  tenant_id: s((ev) => ev.e.tenant_id),
  user_id: s((ev) => ev.e.actor.user_id),
  'actor.user_id': s((ev) => ev.e.actor.user_id),
  'actor.agent_id': s((ev) => ev.e.actor.agent_id),
  'actor.client_name': s((ev) => ev.e.actor.client_name, true),
  'actor.source_address': s((ev) => ev.e.actor.source_address),
  'mcp.method': s((ev) => ev.e.mcp.method),
  'mcp.session_id': s((ev) => ev.e.mcp.session_id),
  session_id: s((ev) => ev.e.mcp.session_id),
  'server.name': s((ev) => ev.e.server.name, true),
  'server.version': s((ev) => ev.e.server.version),
  'server.transport': s((ev) => ev.e.server.transport),
  'tool.name': s((ev) => ev.e.tool?.name, true),
  'tool.class': { ...s((ev) => ev.cls.class), fixed: (r) => r.cls.class },
  'tool.inferred': { get: (ev) => ev.cls.inferred, array: false, fixed: (r) => r.cls.inferred },
  labels: { ...a((ev) => ev.cls.labels), fixed: (r) => r.cls.labels },
  'arguments.preview': s((ev) => ev.e.arguments?.preview),
  'arguments.size_bytes': n((ev) => ev.e.arguments?.size_bytes),
  // v2 only: argument names, and the kinds of secrets capture's redaction removed (never values).
  'arguments.keys': a((ev) => (ev.e.schema_version === 2 ? ev.e.arguments?.keys : undefined)),
  'arguments.secrets': a((ev) => (ev.e.schema_version === 2 ? ev.e.arguments?.secrets : undefined)),
  'result.secrets': a((ev) => (ev.e.schema_version === 2 ? ev.e.result?.secrets : undefined)),
  'result.instructions': a((ev) => (ev.e.schema_version === 2 ? ev.e.result?.instructions : undefined)),
  episode: s((ev) => episodeOf(ev) || undefined),
  // The agent run capture derived (event v2); '' for v1 events, whose trace or session is often one
  // per call: as a join key, a v1 producer's events of one user then form one run.
  agent_run: s((ev) => (ev.e.schema_version === 2 && ev.e.episode ? ev.e.episode.id : '')),
  destinations: a((ev) => destinationsOf(ev)),
  // Command names a shell call runs, after undoing quoting, escapes, $IFS, brace expansion,
  // substitutions and look-alike letters (shell.normalize.ts); [] for other calls.
  'shell.commands': { ...a((ev) => shellCommandsOf(ev)), fixed: (r) => (r.cls.class === 'shell.exec' ? VARIES : NO_COMMANDS) },
  'resource.paths': a((ev) => ev.e.resource?.paths),
  'resource.urls': a((ev) => ev.e.resource?.urls),
  'resource.hosts': a((ev) => ev.e.resource?.hosts),
  'resource.recipients': a((ev) => ev.e.resource?.recipients),
  'resource.tables': a((ev) => ev.e.resource?.tables),
  'result.status': s((ev) => ev.e.result?.status),
  'result.error_type': s((ev) => ev.e.result?.error_type),
  'result.size_bytes': n((ev) => ev.e.result?.size_bytes),
  duration_ms: n((ev) => ev.e.duration_ms),
  'tools.name': a((ev) => ev.e.tools?.map((t) => t.name)),
  'tools.description': a((ev) => ev.e.tools?.map((t) => t.description ?? '')),
};

export const FIELD_NAMES = Object.keys(FIELDS);

/** The field's values as strings (for keys, joins and distinct counts); [] when absent. */
export function valuesOf(def: FieldDef, ev: Ev): readonly string[] {
  const v = def.get(ev);
  if (v === undefined) return EMPTY;
  if (typeof v === 'object') return v;
  return [String(v)];
}

const EMPTY: readonly string[] = Object.freeze([]);
