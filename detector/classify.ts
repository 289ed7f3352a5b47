// Classification: what a call *can do* (its capability class) and which flow labels it carries,
// from the capability catalogue (detector/catalogue). One pure function used by ingest (it fills
// `events.tool_class`) and by the detector; the tool-name part is cached per (server, tool), so the
// per-event cost is two Map lookups plus the few refinements (paths, SQL text) of that tool's class.
import type { AuditEvent } from '../schemas/event.ts';
import { MAX_CACHED_TOOLS, normalizeWords, type Catalogue, type Classification, type PathTest, type ToolEntry } from './catalogue/catalogue.ts';

export type { Catalogue, Classification } from './catalogue/catalogue.ts';

/** Events that are not tool calls or resource reads have no capability class. */
export const NO_CLASS: Classification = Object.freeze({ class: '', inferred: false, labels: Object.freeze([]) as readonly string[] });

/** The fields classification reads; a full event of either contract version fits. */
export type Classifiable = Pick<AuditEvent, 'kind' | 'server' | 'tool' | 'arguments' | 'resource'>;

export function classify(event: Classifiable, catalogue: Catalogue): Classification {
  let entry: ToolEntry;
  if (event.kind === 'tool_call' && event.tool) entry = toolEntry(catalogue, event.server.name, event.tool.name);
  else if (event.kind === 'resource_read') entry = resourceEntry(catalogue);
  else return NO_CLASS;
  const refines = entry.refines;
  for (let i = 0; i < refines.length; i++) {
    const { refine, result } = refines[i]!;
    if (refine.paths !== null) {
      if (anyPathMatches(refine.paths, event.resource)) return result;
    } else if (refine.arguments !== null && event.arguments && refine.arguments.test(event.arguments.preview)) return result;
  }
  return entry.base;
}

/** The tool-name part alone (no per-call refinement); `description` helps inference when known. */
export function classifyTool(catalogue: Catalogue, serverName: string, toolName: string, description?: string): Classification {
  return description === undefined ? toolEntry(catalogue, serverName, toolName).base : computeEntry(catalogue, serverName, toolName, description).base;
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
    entry = entryFor(catalogue, 'resource.read', false, []);
    resourceEntryCache.set(catalogue, entry);
  }
  return entry;
}

function computeEntry(catalogue: Catalogue, serverName: string, toolName: string, description?: string): ToolEntry {
  for (const t of catalogue.tools) {
    if (t.server(serverName) && t.tool(toolName)) return entryFor(catalogue, t.class, false, t.labels);
  }
  return entryFor(catalogue, infer(catalogue, toolName, description), true, []);
}

/** Keyword inference: whole words of the name first, then of the description. */
function infer(catalogue: Catalogue, toolName: string, description?: string): string {
  for (const text of description ? [toolName, description] : [toolName]) {
    const words = `_${normalizeWords(text)}_`;
    for (const rule of catalogue.infer) {
      for (const k of rule.keywords) if (words.includes(`_${k}_`)) return rule.class;
    }
  }
  return 'unknown';
}

function entryFor(catalogue: Catalogue, cls: string, inferred: boolean, extraLabels: readonly string[]): ToolEntry {
  const base = intern(catalogue, cls, inferred, extraLabels);
  const refines = catalogue.refine
    .filter((r) => r.from.has(cls))
    .map((refine) => ({ refine, result: intern(catalogue, refine.class, inferred, [...extraLabels, ...refine.labels]) }));
  return { base, refines };
}

function intern(catalogue: Catalogue, cls: string, inferred: boolean, extraLabels: readonly string[]): Classification {
  const labels = [...new Set([...(catalogue.classLabels.get(cls) ?? []), ...extraLabels])].sort();
  const key = `${cls}|${inferred ? 1 : 0}|${labels.join(',')}`;
  let c = catalogue.interned.get(key);
  if (!c) {
    c = Object.freeze({ class: cls, inferred, labels: Object.freeze(labels) });
    catalogue.interned.set(key, c);
  }
  return c;
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
}
