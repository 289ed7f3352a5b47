// Turns a dashboard query into the SQL ClickHouse would receive from Grafana, in the same three
// steps and with the same semantics as the ClickHouse data source plugin (grafana-clickhouse-datasource):
//   1. frontend, before variables: $__conditionalAll(cond, $var) -> cond, or 1=1 when $var is All
//      ('$__all') or empty (src/data/CHDatasource.ts applyConditionalAll);
//   2. frontend: Grafana template variables ($var, ${var}, ${var:format}, [[var]]); without a format
//      the plugin's own formatter passes a single value unchanged and joins a multi value as 'a','b';
//   3. backend: the Go macros (pkg/macros/macros.go via sqlds, `\$__name\b(?:\((.*?)\))?`):
//      $__timeFilter(c) -> c >= toDateTime(from) AND c <= toDateTime(to) (Unix seconds),
//      $__fromTime / $__toTime -> toDateTime(s), $__interval_s -> max(interval seconds, 1).
// Anything else that looks like a macro is an error here, so a dashboard cannot rely on one this
// file does not model (notably $__timeInterval and the *_ms macros, which 18.16 cannot run).

export type VariableValue = string | readonly string[];

export interface QueryContext {
  from: Date;
  to: Date;
  /** Grafana's interval for the panel (range / max data points), in seconds. */
  intervalSeconds: number;
  /** Current values by variable name; '$__all' means All is selected. */
  variables: Readonly<Record<string, VariableValue>>;
}

export const ALL = '$__all';
export const FORBIDDEN_MACROS = /\$__(timeInterval\w*|\w+_ms)\b/;

export function expandQuery(rawSql: string, ctx: QueryContext): string {
  const forbidden = FORBIDDEN_MACROS.exec(rawSql);
  if (forbidden) throw new Error(`macro not supported on ClickHouse 18.16: ${forbidden[0]}`);
  return applyMacros(applyVariables(applyConditionalAll(rawSql, ctx.variables), ctx.variables), ctx);
}

/** Step 1. Like the plugin, it works from the last occurrence backwards and splits args at depth 1. */
export function applyConditionalAll(query: string, variables: QueryContext['variables']): string {
  const macro = '$__conditionalAll(';
  let at = query.lastIndexOf(macro);
  while (at !== -1) {
    const args = macroArgs(query, at + macro.length - 1);
    if (args.length !== 2) throw new Error(`$__conditionalAll needs 2 arguments: ${query.slice(at, at + 80)}`);
    const [cond, variable] = args as [string, string];
    const name = variable.trim().replace(/^\$/, '');
    if (!(name in variables)) throw new Error(`$__conditionalAll refers to an unknown variable: ${variable}`);
    const value = String(variables[name]);
    const phrase = value === '' || value === ALL ? '1=1' : cond;
    query = query.replace(`${macro}${cond},${variable})`, phrase);
    at = query.lastIndexOf(macro);
  }
  return query;
}

function macroArgs(query: string, open: number): string[] {
  const args: string[] = [];
  let depth = 0;
  let start = open + 1;
  for (let i = open; i < query.length; i++) {
    const c = query[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    if (c === ',' && depth === 1) {
      args.push(query.slice(start, i));
      start = i + 1;
    }
    if (depth === 0) {
      args.push(query.slice(start, i));
      return args;
    }
  }
  return [];
}

// Grafana's variable syntax (public/app/features/variables/utils.ts variableRegex).
const VARIABLE = /\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\$\{(\w+)(?:\.([^:^}]+))?(?::([^}]+))?\}/g;

/** Step 2. Unknown names (the $__ macros) are left for the backend, as Grafana does. */
export function applyVariables(query: string, variables: QueryContext['variables']): string {
  return query.replace(VARIABLE, (match, plain?: string, bracket?: string, bracketFormat?: string, braced?: string, _path?: string, bracedFormat?: string) => {
    const name = plain ?? bracket ?? braced!;
    if (!(name in variables)) return match;
    const value = variables[name]!;
    if (value === ALL) throw new Error(`variable $${name} is All here, so it may only appear inside $__conditionalAll`);
    return format(value, bracketFormat ?? bracedFormat);
  });
}

function format(value: VariableValue, fmt: string | undefined): string {
  const values = typeof value === 'string' ? [value] : value;
  switch (fmt) {
    case undefined: // the plugin's formatter
      return typeof value === 'string' ? value : `'${values.join("','")}'`;
    case 'singlequote':
      return values.map((v) => `'${v.replace(/'/g, "\\'")}'`).join(',');
    case 'raw':
      return values.join(',');
    default:
      throw new Error(`variable format not modelled here: ${fmt}`);
  }
}

/** Step 3. */
export function applyMacros(query: string, ctx: QueryContext): string {
  const from = Math.floor(ctx.from.getTime() / 1000);
  const to = Math.floor(ctx.to.getTime() / 1000);
  const macros: Record<string, (args: string[]) => string> = {
    timeFilter: (args) => {
      if (args.length !== 1) throw new Error('$__timeFilter expects 1 argument');
      return `${args[0]} >= toDateTime(${from}) AND ${args[0]} <= toDateTime(${to})`;
    },
    fromTime: () => `toDateTime(${from})`,
    toTime: () => `toDateTime(${to})`,
    interval_s: () => String(Math.max(Math.floor(ctx.intervalSeconds), 1)),
  };
  for (const [name, expand] of Object.entries(macros)) {
    query = query.replace(new RegExp(`\\$__${name}\\b(?:\\((.*?)\\))?`, 'g'), (_m, args?: string) =>
      expand(args === undefined ? [] : args.split(',').map((a) => a.trim())),
    );
  }
  const left = /\$__\w+|\$\{|\$\w+|\[\[/.exec(query);
  if (left) throw new Error(`not expanded: ${left[0]} in ${query.slice(Math.max(0, left.index - 40), left.index + 40)}`);
  return query;
}
