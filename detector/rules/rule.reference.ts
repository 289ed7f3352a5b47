// Renders the rule format's reference (docs/rule-format.md) from its generated JSON Schema, so the
// page says what the zod schema in rule.schema.ts checks and nothing else: fields, types, defaults
// and the descriptions written there. Pure; rule.schema.generate.ts writes the file.

/** The part of JSON Schema that z.toJSONSchema emits for the rule format. */
export interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  default?: unknown;
  description?: string;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  propertyNames?: JsonSchema;
  $defs?: Record<string, JsonSchema>;
}

/** What the reference says of each field a condition can name (detector/rules/fields.ts). */
export type FieldFacts = Record<string, { array: boolean; name?: boolean }>;

const cell = (s: string) => s.replaceAll('|', '\\|').replaceAll('\n', ' ');
const code = (v: unknown) => `\`${typeof v === 'string' && v !== '' ? v : JSON.stringify(v)}\``;

/** A readable type: `list of string (1-4)`, a link for a definition, the values of an enum. */
export function typeText(s: JsonSchema): string {
  if (s.$ref) {
    const name = s.$ref.replace('#/$defs/', '');
    return `[${name}](#${name})`;
  }
  if (s.const !== undefined) return code(s.const);
  if (s.enum) return s.enum.length > 8 ? 'a [field](#fields) name' : `one of ${s.enum.map(code).join(', ')}`;
  if (s.anyOf) return s.anyOf.map(typeText).join(' or ');
  if (s.type === 'array') return `list of ${s.items ? typeText(s.items) : 'values'}${sizeBounds(s.minItems, s.maxItems, ' items')}`;
  if (Array.isArray(s.type)) return s.type.join(' or ');
  if (s.type === 'string') return `string${s.pattern ? ` matching ${code(s.pattern)}` : sizeBounds(s.minLength, s.maxLength, ' characters')}`;
  if (s.type === 'integer' || s.type === 'number') return `${s.type}${valueBounds(s.minimum, s.maximum)}`;
  return s.type ?? 'any';
}

// zod writes Number.MAX_SAFE_INTEGER as the maximum of every integer: no bound a person needs.
const bounded = (max: number | undefined): max is number => max !== undefined && max < Number.MAX_SAFE_INTEGER;

function valueBounds(min: number | undefined, max: number | undefined): string {
  if (min !== undefined && bounded(max)) return ` (${min}-${max})`;
  if (bounded(max)) return ` (at most ${max})`;
  return min !== undefined ? ` (at least ${min})` : '';
}

function sizeBounds(min: number | undefined, max: number | undefined, unit: string): string {
  if (bounded(max)) return min ? ` (${min}-${max}${unit})` : ` (at most ${max}${unit})`;
  if (min === 1) return ' (not empty)';
  return min ? ` (at least ${min}${unit})` : '';
}

/** One table row per property, required ones first as they are declared. */
function propertyTable(props: Record<string, JsonSchema>, required: readonly string[]): string {
  const rows = Object.entries(props).map(([name, p]) => {
    const need = required.includes(name) ? 'required' : p.default !== undefined ? `default ${code(p.default)}` : 'optional';
    return `| \`${name}\` | ${cell(typeText(p))} | ${cell(need)} | ${cell(p.description ?? '')} |`;
  });
  return ['| Field | Type | | Meaning |', '|---|---|---|---|', ...rows].join('\n');
}

/** A heading, the description, the table, then one sub-section per property that is an object. */
function objectSection(title: string, s: JsonSchema): string[] {
  const out = [title, '', ...(s.description ? [s.description, ''] : [])];
  if (s.properties) out.push(propertyTable(s.properties, s.required ?? []), '');
  return [...out, ...nestedSections(s)];
}

function nestedSections(s: JsonSchema): string[] {
  return Object.entries(s.properties ?? {}).flatMap(([name, p]) => {
    const item = p.type === 'array' ? p.items : p;
    return item?.properties ? objectSection(`#### \`${name}\``, { ...item, description: item.description ?? p.description }) : [];
  });
}

export function renderRuleReference(schema: JsonSchema, fields: FieldFacts, sources: { zod: string; json: string; generator: string }): string {
  const kinds = schema.oneOf ?? [];
  const same = (name: string) => kinds.every((k) => JSON.stringify(k.properties?.[name]) === JSON.stringify(kinds[0]?.properties?.[name]));
  const commonNames = Object.keys(kinds[0]?.properties ?? {}).filter((n) => n !== 'kind' && same(n));
  const pick = (props: Record<string, JsonSchema>, names: readonly string[]) => Object.fromEntries(names.map((n) => [n, props[n]!]));
  const defs = schema.$defs ?? {};
  const out = [
    '# Rule format',
    '',
    `<!-- Generated from ${sources.zod} by \`npm run schema:generate\` (${sources.generator}); do not edit. -->`,
    '',
    `${schema.description ?? ''} This page is generated from the zod schema that loads rules (\`${sources.zod}\`),`,
    `as is the JSON Schema \`${sources.json}\` that editors validate rule files with: the shipped rules`,
    'start with `# yaml-language-server: $schema=../rules/rule.schema.json`. How rules behave (the',
    'matching engine, risk-based alerting): `detector/rules/README.md`.',
    '',
    '## Fields of every rule',
    '',
    propertyTable(pick(kinds[0]?.properties ?? {}, commonNames), (kinds[0]?.required ?? []).filter((n) => commonNames.includes(n))),
    '',
    ...nestedSections({ properties: pick(kinds[0]?.properties ?? {}, commonNames) }),
    '## Kinds',
    '',
  ];
  for (const k of kinds) {
    const props = k.properties ?? {};
    const own = Object.keys(props).filter((n) => !commonNames.includes(n));
    out.push(...objectSection(`### ${code(props.kind?.const)}`, { ...k, properties: pick(props, own) }));
  }
  out.push('## Definitions', '');
  for (const [name, d] of Object.entries(defs)) {
    out.push(`### ${name}`, '', ...(d.description ? [d.description, ''] : []));
    if (d.properties) out.push(propertyTable(d.properties, d.required ?? []), '', ...nestedSections(d));
    const alternatives = d.anyOf ?? [];
    const plain = alternatives.filter((a) => !a.properties);
    if (plain.length > 0) out.push('One of:', '', ...plain.map((a) => `- ${typeText(a)}`), '');
    for (const alt of alternatives.filter((a) => a.properties)) {
      out.push('Or an object of these operators (all must hold):', '', propertyTable(alt.properties!, alt.required ?? []), '');
    }
  }
  out.push('## Fields', '', 'The event fields a `match` and `by` can name. A condition on a multi-valued field holds when any element satisfies it.', '');
  out.push('| Field | Values |', '|---|---|');
  for (const [name, f] of Object.entries(fields)) out.push(`| \`${name}\` | ${f.array ? 'many' : 'one'}${f.name ? '; a name: a glob without `/` also matches its last `/` segment' : ''} |`);
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}
