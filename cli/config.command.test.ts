import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { settingsMarkdown } from './config.command.ts';

describe('mcp-audit config --markdown', () => {
  it('is the README settings table, setting for setting', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('<!-- settings:start -->'), readme.indexOf('<!-- settings:end -->'));
    expect(section.trim(), 'README settings table is stale: paste `npx mcp-audit config --markdown`').toBe(
      `<!-- settings:start -->\n${settingsMarkdown()}`,
    );
  });
});
