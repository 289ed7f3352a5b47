// Loads the capability catalogue (catalogue.yaml plus user files) and compiles it into matchers.
// The YAML format is documented at the top of catalogue.yaml.
import { fileURLToPath } from 'node:url';
import picomatch from 'picomatch';
import { z } from 'zod';
import { loadYamlFile, RuleFileError } from '../core/yaml.load.ts';

export const DEFAULT_CATALOGUE_FILE = fileURLToPath(new URL('./catalogue.yaml', import.meta.url));

const className = z.string().regex(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/, 'a class like file.read');
const label = z.string().regex(/^[a-z][a-z0-9_]*$/, 'a label like external_sink');
const oneOrMany = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);
const validRegex = z.string().min(1).refine((s) => {
  try {
    new RegExp(s, 'i');
    return true;
  } catch {
    return false;
  }
}, 'not a valid regular expression');

const toolEntry = z
  .strictObject({
    server: oneOrMany.default('*'),
    tool: oneOrMany.optional(),
    tool_regex: validRegex.optional(),
    class: className,
    labels: z.array(label).default([]),
  })
  .refine((t) => (t.tool === undefined) !== (t.tool_regex === undefined), 'give exactly one of tool (glob) or tool_regex');

const refineEntry = z
  .strictObject({
    from: z.array(className).min(1),
    paths: z.array(z.string().min(1)).min(1).optional(),
    arguments: validRegex.optional(),
    class: className,
    labels: z.array(label).default([]),
  })
  .refine((r) => (r.paths === undefined) !== (r.arguments === undefined), 'give exactly one of paths or arguments');

const words = z.array(z.string().min(1)).default([]);
const inferEntry = z
  .strictObject({
    class: className,
    keywords: words,
    verbs: words,
    objects: words,
    argument_keys: words,
    unless: words,
  })
  .refine((i) => (i.verbs.length > 0) === (i.objects.length > 0), 'give verbs and objects together')
  .refine((i) => i.keywords.length + i.verbs.length + i.argument_keys.length > 0, 'give keywords, verbs and objects, or argument_keys');

// A domain like example.com: what a recipient's address must end with to be internal.
const domain = z.string().regex(/^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z][a-z0-9-]*$/i, 'a domain like example.com');
const tenantEntry = z.strictObject({ internal_domains: z.array(domain).default([]) });

export const catalogueFileSchema = z.strictObject({
  version: z.literal(1),
  classes: z.record(className, z.array(label)).default({}),
  tools: z.array(toolEntry).default([]),
  refine: z.array(refineEntry).default([]),
  infer: z.array(inferEntry).default([]),
  tenants: z.record(z.string().min(1), tenantEntry).default({}),
});
export type CatalogueFile = z.output<typeof catalogueFileSchema>;

/** What `classify` returns; instances are shared and frozen, never mutate them. */
export interface Classification {
  readonly class: string;
  readonly inferred: boolean;
  readonly labels: readonly string[];
  /** 1 for a catalogue entry; for an inferred class how strong the evidence was (0 for unknown). */
  readonly confidence?: number;
  /** Why: `catalogue`, or the evidence of an inference, e.g. `name(transfer funds) keys(amount)`. */
  readonly reason?: string;
}

interface CompiledTool {
  server: (name: string) => boolean;
  tool: (name: string) => boolean;
  class: string;
  labels: readonly string[];
}
export interface CompiledRefine {
  from: ReadonlySet<string>;
  paths: PathTest | null;
  arguments: RegExp | null;
  class: string;
  labels: readonly string[];
}
/** An inference rule with its words normalised (see inferWords). */
export interface CompiledInfer {
  class: string;
  keywords: readonly string[];
  verbs: readonly string[];
  objects: readonly string[];
  /** Each group holds when every argument name of it is present. */
  argumentKeys: readonly (readonly string[])[];
  unless: readonly string[];
}
/** The tool-name part of a classification, cached per (server, tool). */
export interface ToolEntry {
  base: Classification;
  /** Refinements that apply to `base.class`, each with its resulting classification. */
  refines: readonly { refine: CompiledRefine; result: Classification }[];
  /** For inferred tools: entries computed with a description or argument names, by those names. */
  hinted?: Map<string, { description: string | undefined; entry: ToolEntry }>;
  /** The last argument-name array seen, by identity, and what it resolved to. */
  lastKeys?: readonly string[] | undefined;
  lastHinted?: { description: string | undefined; entry: ToolEntry };
}

export interface Catalogue {
  readonly classLabels: ReadonlyMap<string, readonly string[]>;
  readonly tools: readonly CompiledTool[];
  readonly refine: readonly CompiledRefine[];
  readonly infer: readonly CompiledInfer[];
  /** tenant id (or `*` for every tenant) -> internal mail domains, lowercase. */
  readonly internalDomains: ReadonlyMap<string, readonly string[]>;
  /** server name -> tool name -> entry; bounded (see MAX_CACHED_TOOLS). */
  readonly cache: Map<string, Map<string, ToolEntry>>;
  cachedTools: number;
  /** Frozen classifications, one per distinct (class, inferred, labels). */
  readonly interned: Map<string, Classification>;
}

/** Tool names come from clients; a flood of random names must not grow the cache without bound. */
export const MAX_CACHED_TOOLS = 100_000;

// Names are matched case-insensitively; `basename` lets `*filesystem*` match a scoped package name.
const NAME_GLOB = { nocase: true, dot: true, basename: true } as const;

function nameMatcher(globs: string | readonly string[]): (name: string) => boolean {
  const list = typeof globs === 'string' ? [globs] : globs;
  if (list.includes('*')) return () => true;
  return picomatch(list as string[], NAME_GLOB);
}

/** A path test: `test(path)` like a RegExp. */
export interface PathTest {
  test(path: string): boolean;
}

/**
 * All path globs as one test. picomatch's regexes are exact but slow (lookaheads per segment), so
 * each glob contributes its longest literal part to a cheap pre-filter, and the exact regex only runs
 * on paths that contain one of those literals (almost no path does).
 */
export function pathsRegex(globs: readonly string[]): PathTest {
  const exact = new RegExp(globs.map((g) => `(?:${picomatch.makeRe(g, { dot: true }).source})`).join('|'));
  const hints = globs.map(literalHint);
  if (hints.some((h) => h === null)) return exact;
  const pre = new RegExp((hints as string[]).map((h) => h.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'));
  return { test: (path: string) => pre.test(path) && exact.test(path) };
}

/** The longest wildcard-free part of a glob, without surrounding slashes (null if under 3 chars). */
function literalHint(glob: string): string | null {
  let best = '';
  // Brace, bracket and extglob groups (`!(a|b)`) are alternatives, not literals: treat them as wildcards.
  for (const part of glob.replace(/\{[^}]*\}|\[[^\]]*\]|[!@?*+]?\([^)]*\)/g, '*').split(/[*?[\]{}!()+@|]+/)) {
    const trimmed = part.replace(/^\/+|\/+$/g, '');
    if (trimmed.length > best.length) best = trimmed;
  }
  return best.length >= 3 ? best : null;
}

/** Merges files in order of precedence (first wins for tools/refine/infer; later overrides classes). */
export function mergeCatalogueFiles(files: readonly CatalogueFile[]): CatalogueFile {
  return {
    version: 1,
    classes: Object.assign({}, ...[...files].reverse().map((f) => f.classes)) as Record<string, string[]>,
    tools: files.flatMap((f) => f.tools),
    refine: files.flatMap((f) => f.refine),
    infer: files.flatMap((f) => f.infer),
    tenants: Object.assign({}, ...[...files].reverse().map((f) => f.tenants)) as CatalogueFile['tenants'],
  };
}

export function compileCatalogue(spec: CatalogueFile): Catalogue {
  const classLabels = new Map(Object.entries(spec.classes));
  if (!classLabels.has('unknown')) classLabels.set('unknown', []);
  const unknownClasses = [
    ...spec.tools.map((t) => t.class),
    ...spec.refine.flatMap((r) => [r.class, ...r.from]),
    ...spec.infer.map((i) => i.class),
  ].filter((c) => !classLabels.has(c));
  if (unknownClasses.length > 0) {
    throw new Error(`catalogue: classes used but not declared under "classes": ${[...new Set(unknownClasses)].join(', ')}`);
  }
  return {
    classLabels,
    tools: spec.tools.map((t) => ({
      server: nameMatcher(t.server),
      tool: t.tool_regex !== undefined ? regexMatcher(new RegExp(t.tool_regex, 'i')) : nameMatcher(t.tool!),
      class: t.class,
      labels: t.labels,
    })),
    refine: spec.refine.map((r) => ({
      from: new Set(r.from),
      paths: r.paths ? pathsRegex(r.paths) : null,
      arguments: r.arguments !== undefined ? new RegExp(r.arguments, 'i') : null,
      class: r.class,
      labels: r.labels,
    })),
    infer: spec.infer.map((i) => ({
      class: i.class,
      keywords: i.keywords.map(inferWords),
      verbs: i.verbs.map(inferWords),
      objects: i.objects.map(inferWords),
      argumentKeys: i.argument_keys.map((g) => g.split('+').map(inferWords)),
      unless: i.unless.map(inferWords),
    })),
    internalDomains: new Map(Object.entries(spec.tenants).map(([t, v]) => [t, v.internal_domains.map((d) => d.toLowerCase())])),
    cache: new Map(),
    cachedTools: 0,
    interned: new Map(),
  };
}

const regexMatcher = (re: RegExp) => (s: string) => re.test(s);

/** Loads the shipped catalogue plus user files (user entries take precedence). */
export function loadCatalogue(extraFiles: readonly string[] = [], baseFile = DEFAULT_CATALOGUE_FILE): Catalogue {
  const files = [...extraFiles, baseFile].map((f) => loadYamlFile(f, catalogueFileSchema));
  try {
    return compileCatalogue(mergeCatalogueFiles(files));
  } catch (err) {
    throw new RuleFileError([...extraFiles, baseFile].join(','), [String((err as Error).message)]);
  }
}

/**
 * The words inference compares: normalizeWords, each word with a plural `s` (or `ies`) taken off, so
 * `sendsEmails` and `send_email` agree. Keywords and names go through the same function.
 */
export function inferWords(s: string): string {
  return normalizeWords(s).split('_').map(singular).join('_');
}

function singular(w: string): string {
  if (w.length <= 3) return w;
  if (w.endsWith('ies')) return `${w.slice(0, -3)}y`;
  if (w.endsWith('s') && !w.endsWith('ss') && !w.endsWith('us') && !w.endsWith('is')) return w.slice(0, -1);
  return w;
}

/** Lowercase words joined by '_': `readFile`, `read-file` and `Read File` all become `read_file`. */
export function normalizeWords(s: string): string {
  return s
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean)
    .join('_');
}
