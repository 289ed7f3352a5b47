// `mcp-audit redact` as a real child process: stdin in, what capture would store out, for JSON
// arguments, plain text and a JSON-RPC request, in text and --json form, with the configured
// deny-list. TEST DATA: the secrets are fakes.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../bin/mcp-audit.js', import.meta.url));
const run = (args: string[], input: string, env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [BIN, 'redact', ...args], { input, encoding: 'utf8', env: { ...process.env, ...env } });

const PW = 'Zq7xV9' + 'kP2wL5';
const GHP = ['gh', 'p_', 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8'].join('');

describe('mcp-audit redact', () => {
  it('prints the preview, resources and secret kinds of JSON arguments as --json', () => {
    const args = { path: '/etc/app/.env', db_password: PW, command: `curl -u admin:${PW} https://ci.example.com/api`, note: `token ${GHP}` };
    const r = run(['--json'], JSON.stringify(args));
    expect(r.status).toBe(0);
    expect(r.stdout).not.toContain(PW);
    expect(r.stdout).not.toContain(GHP);
    const out = JSON.parse(r.stdout);
    expect(JSON.parse(out.preview)).toEqual({
      command: 'curl -u admin:[redacted:password] https://ci.example.com/api',
      db_password: '[redacted:password]',
      note: 'token [redacted:github_token]',
      path: '/etc/app/.env',
    });
    expect(out.resource).toEqual({ paths: ['/etc/app/.env'], urls: ['https://ci.example.com/api'], hosts: ['ci.example.com'] });
    expect(out.secrets.sort()).toEqual(['github_token', 'password']);
  });

  it('takes text as one argument and prints a readable report', () => {
    const r = run([], `postgres://app:${PW}@db.internal:5432/prod\n`);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('preview    "postgres://app:[redacted:url_credentials]@db.internal:5432/prod"');
    expect(r.stdout).toMatch(/secrets {4}url_credentials/);
    expect(r.stdout).not.toContain(PW);
  });

  it('takes a JSON-RPC request as it is and applies the configured deny-list', () => {
    const req = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'lookup', arguments: { ssn: '123-45-6789', city: 'Berlin' } } };
    const r = run(['--json'], JSON.stringify(req), { MCP_AUDIT_CAPTURE_DENY_KEYS: 'ssn' });
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.preview).toBe('{"city":"Berlin","ssn":"[redacted:denied_key]"}');
    expect(out.secrets).toEqual(['denied_key']);
  });

  it('reports nothing for ordinary arguments', () => {
    const r = run(['--json'], JSON.stringify({ path: '/srv/notes.md', max_tokens: 100 }));
    expect(JSON.parse(r.stdout)).toEqual({ preview: '{"max_tokens":100,"path":"/srv/notes.md"}', resource: { paths: ['/srv/notes.md'] }, secrets: [] });
  });

  it('answers --help', () => {
    const r = spawnSync(process.execPath, [BIN, 'redact', '--help'], { encoding: 'utf8' });
    expect(r.stdout).toMatch(/^Usage: mcp-audit redact/);
    expect(r.stdout).toContain('--json');
  });
});
