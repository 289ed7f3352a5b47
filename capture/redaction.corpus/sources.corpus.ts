// TEST DATA: a vendor credential assigned in the syntax of many languages and config formats
// (INI, JSON, escaped JSON, XML, YAML blocks, C#, Go, Java, Kotlin, PHP, Python, CSV, Logstash,
// Makefile operators), the way secret scanners' test suites place keyword-only secrets. Values are
// fakes (fake.ts), some with the symbols database passwords carry.
import { ALNUM, B64URL, HEX, fill } from './fake.ts';
import type { SecretSample } from './secrets.corpus.ts';

/** {i}: identifier, {I}: upper-case identifier, {s}: the secret. */
const FORMS: Record<string, string> = {
  ini_quoted: '{i}Token="{s}"',
  ini_quoted_spaced: '{i}Token = "{s}"',
  ini_bare: '{i}Token={s}',
  ini_bare_spaced: '{i}Token = {s}',
  json: '{\n    "{i}_token": "{s}"\n}',
  json_escaped: '\\{\n    \\"{i}_token\\": \\"{s}\\"\n\\}',
  json_name_value: '{\n    "name": "{i}_token",\n    "value": "{s}"\n}',
  json_embedded_ini: '{"config.ini": "{I}_TOKEN={s}\\nBACKUP_ENABLED=true"}',
  xml_element: '<{i}Token>{s}</{i}Token>',
  xml_element_multiline: '<{i}Token>\n    {s}\n</{i}Token>',
  yaml_bare: '{i}_token: {s}',
  yaml_single_quoted: "{i}_token: '{s}'",
  yaml_double_quoted: '{i}_token: "{s}"',
  yaml_literal_block: '{i}_token: |\n  {s}',
  yaml_folded_block: '{i}_token: >\n  {s}',
  csharp: 'string {i}Token = "{s}";',
  go_var: 'var {i}Token string = "{s}"',
  go_short: '{i}Token := "{s}"',
  go_raw_string: '{i}Token := `{s}`',
  java: 'String {i}Token = "{s}";',
  kotlin_typed: 'var {i}Token: String = "{s}"',
  kotlin: 'var {i}Token = "{s}"',
  php_concat: '${i}Token .= "{s}"',
  php_null_coalesce: '${i}Token ??= "{s}"',
  python_single: "{i}Token = '{s}'",
  python_double: '{i}Token = "{s}"',
  csv: '{i}Token,{s},',
  logstash: '  "{i}Token" => "{s}"',
  make_recursive: '{I}_TOKEN = "{s}"',
  make_simple: '{I}_TOKEN := "{s}"',
  make_shell: '{I}_TOKEN ::= "{s}"',
  make_evaluated: '{I}_TOKEN :::= "{s}"',
  make_conditional: '{I}_TOKEN ?= "{s}"',
  make_append: '{I}_TOKEN += "{s}"',
  api_token_line: '{i}_api_token = "{s}"',
};

const IDS = ['heroku', 'algolia', 'okta', 'datadog', 'Snyk'];
const secretFor = (k: number) => [fill(ALNUM, 32, k), fill(HEX, 40, k), [fill(HEX, 8, k), fill(HEX, 4, k + 1), fill(HEX, 4, k + 2), fill(HEX, 4, k + 3), fill(HEX, 12, k + 4)].join('-'), fill(B64URL, 24, k), fill('abcdefghijklmnopqrstuvwxyz', 20, k), fill(ALNUM + ':;<@=},!$?^', 20, k)][k % 6]!;

export const sourceSamples: (SecretSample & { type: string })[] = Object.entries(FORMS).flatMap(([type, form], f) =>
  IDS.map((id, n) => {
    const secret = secretFor(7000 + f * 10 + n);
    const text = form.replaceAll('{i}', id).replaceAll('{I}', id.toUpperCase()).replaceAll('{s}', secret);
    return { type: `assignment_${type}`, name: `${type} (${id})`, text, secret };
  }),
);
