// Classification: what a call *can do* (its capability class) and which flow labels it carries,
// from the capability catalogue (classify/catalogue.yaml). One pure function used by ingest (it fills
// `events.tool_class`) and by the detector; the tool-name part is cached per (server, tool), so the
// per-event cost is two Map lookups plus the few refinements (paths, SQL text) of that tool's class.
// Tools the catalogue does not list are inferred (classify.infer.ts) from their name and, when
// known, their description and argument names.
import type { AuditEventV1 } from '../schemas/event.v1.ts';
import { MAX_CACHED_TOOLS, type Catalogue, type Classification, type PathTest, type ToolEntry } from './catalogue.ts';
import { inferTool } from './classify.infer.ts';
import { allRecipientsInternal } from './recipients.ts';

export type { Catalogue, Classification } from './catalogue.ts';
export { isInternalRecipient } from './recipients.ts';

/** Events that are not tool calls or resource reads have no capability class. */
export const NO_CLASS: Classification = Object.freeze({ class: '', inferred: false, labels: Object.freeze([]) as readonly string[] });

/** The fields classification reads; a full event of any version fits. */
export interface Classifiable {
  kind: AuditEventV1['kind'];
  /** Whose internal mail domains apply (see recipients.ts); without it no recipient is internal. */
  tenant_id?: string;
  server: { name: string };
  tool?: { name: string } | undefined;
  /** `keys` (event v2): the call's argument names, used when the tool's input keys are not known. */
  arguments?: { preview: string; keys?: readonly string[] | undefined } | undefined;
  resource?: AuditEventV1['resource'];
}

/** What is known about a tool besides its name, from the server's last tools/list. */
export interface ToolHints {
  description?: string | undefined;
  /** Top-level property names of the tool's input schema (`tools[].input_keys`). */
  inputKeys?: readonly string[] | undefined;
}

/** Labels a send whose recipients are all inside the tenant carries instead of external_sink. */
export const EXTERNAL_SINK = 'external_sink';
export const INTERNAL_SINK = 'internal_sink';

/**
 * The hints for a tool, or a way to look them up for the event: looked up only when the catalogue
 * does not list the tool, so the common call costs no lookup (tool.hints.ts).
 */
export type HintsOf = ToolHints | ((event: Classifiable) => ToolHints | undefined);

export function classify(event: Classifiable, catalogue: Catalogue, hintsOf?: HintsOf): Classification {
  let entry: ToolEntry;
  if (event.kind === 'tool_call' && event.tool) {
    entry = toolEntry(catalogue, event.server.name, event.tool.name);
    if (entry.base.inferred) {
      const hints = typeof hintsOf === 'function' ? hintsOf(event) : hintsOf;
      const keys = hints?.inputKeys ?? event.arguments?.keys;
      const description = hints?.description;
      if (description || (keys && keys.length > 0)) entry = hintedEntry(catalogue, entry, event.server.name, event.tool.name, description, keys);
    }
  } else if (event.kind === 'resource_read') entry = resourceEntry(catalogue);
  else return NO_CLASS;
  let result = entry.base;
  const refines = entry.refines;
  for (let i = 0; i < refines.length; i++) {
    const { refine, result: refined } = refines[i]!;
    if (refine.paths !== null) {
      if (anyPathMatches(refine.paths, event.resource)) {
        result = refined;
        break;
      }
    } else if (refine.arguments !== null && event.arguments && refine.arguments.test(event.arguments.preview)) {
      result = refined;
      break;
    }
  }
  // Most deployments name no internal domain: one size check and the per-event path is as before.
  if (catalogue.internalDomains.size > 0 && event.tenant_id !== undefined && result.labels.includes(EXTERNAL_SINK) && allRecipientsInternal(catalogue, event.tenant_id, event.resource?.recipients)) {
    return internalVariant(catalogue, result);
  }
  return result;
}

/** The tool-name part alone (no per-call refinement); a description and input keys help inference. */
export function classifyTool(catalogue: Catalogue, serverName: string, toolName: string, description?: string, inputKeys?: readonly string[]): Classification {
  const entry = toolEntry(catalogue, serverName, toolName);
  if (!entry.base.inferred || (!description && !inputKeys?.length)) return entry.base;
  return hintedEntry(catalogue, entry, serverName, toolName, description, inputKeys).base;
}

/** Distinct argument-name sets remembered per inferred tool; calls with optional arguments vary a little. */
const MAX_HINTED_PER_TOOL = 16;

function hintedEntry(catalogue: Catalogue, entry: ToolEntry, serverName: string, toolName: string, description: string | undefined, keys: readonly string[] | undefined): ToolEntry {
  // Remembered hints come back as the same frozen array: no per-event join on the hot path.
  const last = entry.lastHinted;
  if (keys !== undefined && entry.lastKeys === keys && last !== undefined && last.description === description) return last.entry;
  const keySig = keys ? keys.join('\u0001') : '';
  let hinted = entry.hinted;
  let memo = hinted?.get(keySig);
  if (memo === undefined || memo.description !== description) {
    const computed = computeEntry(catalogue, serverName, toolName, description, keys);
    if (hinted === undefined || hinted.size >= MAX_HINTED_PER_TOOL) hinted = entry.hinted = new Map();
    memo = { description, entry: computed };
    hinted.set(keySig, memo);
  }
  entry.lastKeys = keys;
  entry.lastHinted = memo;
  return memo.entry;
}

function toolEntry(catalogue: Catalogue, serverName: string, toolName: string): ToolEntry {
  let byTool = catalogue.cache.get(serverName);
  let entry = byTool?.get(toolName);
  if (entry !== undefined) return entry;
  entry = computeEntry(catalogue, serverName, toolName);
  if (catalogue.cachedTools >= MAX_CACHED_TOOLS) {
    catalogue.cache.clear();
    catalogue.cachedTools = 0;
    byTool = undefined;
  }
  if (byTool === undefined) {
    byTool = new Map();
    catalogue.cache.set(serverName, byTool);
  }
  byTool.set(toolName, entry);
  catalogue.cachedTools++;
  return entry;
}

let resourceEntryCache: WeakMap<Catalogue, ToolEntry> = new WeakMap();

function resourceEntry(catalogue: Catalogue): ToolEntry {
  let entry = resourceEntryCache.get(catalogue);
  if (!entry) {
    entry = entryFor(catalogue, 'resource.read', false, [], 1, 'catalogue');
    resourceEntryCache.set(catalogue, entry);
  }
  return entry;
}

function computeEntry(catalogue: Catalogue, serverName: string, toolName: string, description?: string, inputKeys?: readonly string[]): ToolEntry {
  for (const t of catalogue.tools) {
    if (t.server(serverName) && t.tool(toolName)) return entryFor(catalogue, t.class, false, t.labels, 1, 'catalogue');
  }
  const inferred = inferTool(catalogue.infer, { toolName, description, inputKeys });
  return entryFor(catalogue, inferred.class, true, [], inferred.confidence, inferred.reason);
}

function entryFor(catalogue: Catalogue, cls: string, inferred: boolean, extraLabels: readonly string[], confidence: number, reason: string): ToolEntry {
  const base = intern(catalogue, cls, inferred, classLabels(catalogue, cls, extraLabels), confidence, reason);
  const refines = catalogue.refine
    .filter((r) => r.from.has(cls))
    .map((refine) => ({
      refine,
      result: intern(catalogue, refine.class, inferred, classLabels(catalogue, refine.class, [...extraLabels, ...refine.labels]), confidence, refine.class === cls ? reason : `${reason}; refined`.replace(/^; /, '')),
    }));
  return { base, refines };
}

function classLabels(catalogue: Catalogue, cls: string, extraLabels: readonly string[]): string[] {
  return [...new Set([...(catalogue.classLabels.get(cls) ?? []), ...extraLabels])].sort();
}

function intern(catalogue: Catalogue, cls: string, inferred: boolean, labels: readonly string[], confidence: number, reason: string): Classification {
  const key = `${cls}|${inferred ? 1 : 0}|${labels.join(',')}|${confidence}|${reason}`;
  let c = catalogue.interned.get(key);
  if (!c) {
    c = Object.freeze({ class: cls, inferred, labels: Object.freeze([...labels]), confidence, reason });
    catalogue.interned.set(key, c);
  }
  return c;
}

let internalVariants: WeakMap<Classification, Classification> = new WeakMap();

/** The same classification with external_sink replaced by internal_sink (all recipients internal). */
function internalVariant(catalogue: Catalogue, c: Classification): Classification {
  let v = internalVariants.get(c);
  if (!v) {
    const labels = [...c.labels.filter((l) => l !== EXTERNAL_SINK), INTERNAL_SINK].sort();
    v = intern(catalogue, c.class, c.inferred, labels, c.confidence ?? 1, `${c.reason ?? ''}${c.reason ? '; ' : ''}recipients internal`);
    internalVariants.set(c, v);
  }
  return v;
}

function anyPathMatches(re: PathTest, resource: Classifiable['resource']): boolean {
  if (!resource) return false;
  const paths = resource.paths;
  if (paths) {
    for (let i = 0; i < paths.length; i++) if (re.test(normalizePath(paths[i]!))) return true;
  }
  const urls = resource.urls;
  if (urls) {
    for (let i = 0; i < urls.length; i++) {
      const u = urls[i]!;
      if (u.startsWith('file://') && re.test(normalizePath(decodeFilePath(u)))) return true;
    }
  }
  return false;
}

/** Windows separators become '/', so one set of globs covers both. */
function normalizePath(p: string): string {
  return p.includes('\\') ? p.replaceAll('\\', '/') : p;
}

function decodeFilePath(url: string): string {
  const path = url.slice('file://'.length);
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/** For tests: forget the per-catalogue resource entry. */
export function resetClassifyCaches(): void {
  resourceEntryCache = new WeakMap();
  internalVariants = new WeakMap();
}
