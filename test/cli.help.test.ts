// Every command and subcommand answers --help with a usage line, and a bad setting stops the
// program with exit code 2 and the variable's name.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../bin/mcp-audit.js', import.meta.url));
const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });

describe('mcp-audit CLI', () => {
  const commands = [[], ['run'], ['stack'], ['stack', 'up'], ['stack', 'down'], ['stack', 'status'], ['migrate'], ['ingest'], ['retention'], ['config']];
  it.each(commands.map((c) => [c.join(' ') || '(top)', c] as const))('%s --help', (_name, args) => {
    const out = execFileSync(process.execPath, [BIN, ...args, '--help'], { encoding: 'utf8' });
    expect(out).toMatch(/^Usage: mcp-audit/);
  });

  it('--version prints the package version', () => {
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    const r = run(['--version']);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(version);
  });

  it('config --json prints the effective settings as one JSON object, secrets hidden', () => {
    const r = run(['config', '--json'], { MCP_AUDIT_HASH_KEY: 'ab'.repeat(32) });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ MCP_AUDIT_RETENTION_DAYS: 90, MCP_AUDIT_HASH_KEY: '(hidden)' });
  });

  it('names the variable when a setting is invalid', () => {
    const r = run(['migrate'], { MCP_AUDIT_INGEST_FLUSH_MS: 'soon' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('MCP_AUDIT_INGEST_FLUSH_MS');
  });
});
