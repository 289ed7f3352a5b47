// `mcp-audit config`: the effective settings (secrets hidden), or the settings table for the README.
import { Option, type Command } from 'commander';
import { parseEnv, settings } from '../core/config.ts';

/** The README's settings table, generated from the schema so the two cannot drift apart. */
export function settingsMarkdown(): string {
  const rows = Object.entries(settings).map(([name, s]) => {
    const def = s.schema.safeParse(undefined);
    const shown = def.success ? (Array.isArray(def.data) ? def.data.join(',') : String(def.data)) : '(required)';
    return `| \`${name}\` | \`${shown === '' ? '(empty)' : shown}\` | ${s.doc} |`;
  });
  return ['| Variable | Default | Meaning |', '|---|---|---|', ...rows].join('\n');
}

export function registerConfig(program: Command): void {
  program
    .command('config')
    .description('Print the effective configuration from the environment (secrets hidden), or the settings table.')
    .option('--markdown', 'print every setting with its default and meaning as a Markdown table')
    // JSON is what it prints anyway; the flag is accepted so scripts can pass --json to every listing.
    .addOption(new Option('--json', 'print the effective settings as one JSON object (the default)').conflicts('markdown'))
    .action((opts: { markdown?: boolean; json?: boolean }) => {
      if (opts.markdown) {
        process.stdout.write(`${settingsMarkdown()}\n`);
        return;
      }
      const env = parseEnv();
      const shown = Object.fromEntries(
        Object.entries(env).map(([k, v]) => [k, 'secret' in settings[k as keyof typeof settings] && v ? '(hidden)' : v]),
      );
      process.stdout.write(`${JSON.stringify(shown, null, 2)}\n`);
    });
}
