// Parses a YAML file and validates it with a zod schema; every problem is reported as
// `file:line:col: message (at path)` so a detection engineer can jump to the bad line.
//
// zod reports issue paths (['steps', 2, 'match', 'tool.class']); the `yaml` package keeps the
// source range of every node, so the path is walked down the document to the deepest node that
// exists and its start offset is turned into a line with a LineCounter.
import { readFileSync } from 'node:fs';
import { isMap, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { z } from 'zod';

export class RuleFileError extends Error {
  readonly file: string;
  readonly problems: readonly string[];
  constructor(file: string, problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'RuleFileError';
    this.file = file;
    this.problems = problems;
  }
}

export type LoadResult<T> = { ok: true; value: T } | { ok: false; problems: string[] };

/** Parses `text` (the content of `file`) and validates it; never throws for bad input. */
export function parseYamlWith<S extends z.ZodType>(file: string, text: string, schema: S): LoadResult<z.output<S>> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return `${file}:${line}:${col}`;
  };
  if (doc.errors.length > 0) {
    return { ok: false, problems: doc.errors.map((e) => `${at(e.pos[0])}: YAML: ${e.message.split('\n')[0]}`) };
  }
  const data: unknown = doc.toJS({ maxAliasCount: 100 });
  const parsed = schema.safeParse(data);
  if (parsed.success) return { ok: true, value: parsed.data };
  const problems = parsed.error.issues.map((issue) => {
    const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
    const offset = offsetOf(doc, path);
    const where = path.length ? ` (at ${path.join('.')})` : '';
    return `${at(offset)}: ${issue.message}${where}`;
  });
  return { ok: false, problems };
}

/** Reads and validates a file; throws a RuleFileError listing every problem. */
export function loadYamlFile<S extends z.ZodType>(file: string, schema: S): z.output<S> {
  const result = parseYamlWith(file, readFileSync(file, 'utf8'), schema);
  if (!result.ok) throw new RuleFileError(file, result.problems);
  return result.value;
}

/** Start offset of the deepest node along `path` (the document start if none exists). */
function offsetOf(doc: Document, path: readonly (string | number)[]): number {
  let node: Node | null | undefined = doc.contents;
  let offset = node?.range?.[0] ?? 0;
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => {
        const k = p.key as { value?: unknown } | null;
        return (k && typeof k === 'object' && 'value' in k ? k.value : k) === key;
      });
      if (!pair) break;
      const keyNode = pair.key as Node | null;
      const valueNode = pair.value as Node | null;
      offset = valueNode?.range?.[0] ?? keyNode?.range?.[0] ?? offset;
      node = valueNode;
    } else if (isSeq(node) && typeof key === 'number') {
      const item = node.items[key] as Node | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else break;
  }
  return offset;
}
