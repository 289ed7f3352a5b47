import type { Command } from 'commander';
import { KeyStore } from '../api/auth/key.store.ts';
import { isScope, scopes, type Scope } from '../api/auth/scopes.ts';
import { clickhouseFor, context } from '../core/context.ts';

const TENANT = /^[A-Za-z0-9._-]{1,128}$/;

function parseScopes(text: string): Scope[] {
  const list = text.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = list.filter((s) => !isScope(s));
  if (bad.length || list.length === 0) throw new Error(`unknown scope(s) ${bad.join(', ') || '(none given)'}; known: ${scopes.join(', ')}`);
  return list as Scope[];
}

async function withStore<T>(name: string, fn: (store: KeyStore) => Promise<T>): Promise<T> {
  const { config } = context(name);
  const ch = clickhouseFor(config);
  try {
    return await fn(new KeyStore(ch, config.clickhouse.database));
  } finally {
    await ch.close();
  }
}

export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('Manage API keys of the incident API (stored as sha256 in ClickHouse `api_keys`).');

  keys
    .command('create')
    .description('Create an API key bound to one tenant; the key is printed once and cannot be shown again.')
    .requiredOption('--tenant <tenant>', 'tenant the key reads and writes (its only tenant)')
    .requiredOption('--scopes <list>', `comma-separated scopes: ${scopes.join(', ')}`)
    .option('--name <name>', 'a label for people (e.g. who or what uses the key)', '')
    .option('--json', 'print {key_id, key, ...} as JSON')
    .action(async (opts: { tenant: string; scopes: string; name: string; json?: boolean }) => {
      let list: Scope[];
      try {
        if (!TENANT.test(opts.tenant)) throw new Error('--tenant: letters, digits, . _ - only (1-128)');
        list = parseScopes(opts.scopes);
      } catch (err) {
        process.stderr.write(`mcp-audit: ${(err as Error).message}\n`);
        process.exitCode = 2;
        return;
      }
      const { key, record } = await withStore('keys', (store) => store.create(opts.tenant, list, opts.name.slice(0, 256)));
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ key_id: record.key_id, key, tenant_id: record.tenant_id, scopes: record.scopes, name: record.name })}\n`);
      } else {
        process.stdout.write(`${key}\n`);
        process.stderr.write(`key ${record.key_id} for tenant ${record.tenant_id} with scopes ${record.scopes.join(',')}; store it now, it is not shown again\n`);
      }
    });

  keys
    .command('list')
    .description('List API keys (id, tenant, name, scopes, created, revoked); secrets are never shown.')
    .option('--tenant <tenant>', 'only the keys of this tenant')
    .option('--json', 'one JSON object per line')
    .action(async (opts: { tenant?: string; json?: boolean }) => {
      const list = await withStore('keys', (store) => store.list(opts.tenant));
      for (const k of list) {
        const row = { key_id: k.key_id, tenant_id: k.tenant_id, name: k.name, scopes: k.scopes, created_at: new Date(k.created_at * 1000).toISOString(), revoked_at: k.revoked_at === null ? null : new Date(k.revoked_at * 1000).toISOString() };
        process.stdout.write(opts.json ? `${JSON.stringify(row)}\n` : `${row.key_id}  ${row.tenant_id}  ${row.scopes.join(',')}  ${row.name || '-'}  created ${row.created_at}${row.revoked_at ? `  REVOKED ${row.revoked_at}` : ''}\n`);
      }
    });

  keys
    .command('revoke')
    .description('Revoke an API key; running APIs refuse it within MCP_AUDIT_API_KEY_CACHE_MS.')
    .argument('<key_id>', 'the key id (the 16 hex digits after mcpa_)')
    .action(async (keyId: string) => {
      const done = await withStore('keys', (store) => store.revoke(keyId));
      if (!done) {
        process.stderr.write(`mcp-audit: no key ${keyId}\n`);
        process.exitCode = 1;
        return;
      }
      process.stderr.write(`revoked ${keyId}\n`);
    });
}
