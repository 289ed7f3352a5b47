// The demo's API key: created at start for the demo tenant with incidents:read, shown once on the
// terminal (never logged), and revoked when the demo stops, so it lives exactly as long as the demo.
import type { Config } from '../core/config.ts';
import type { Logger } from '../core/logger.ts';
import { KeyStore } from '../api/auth/key.store.ts';
import { clickhouseFor } from '../core/context.ts';
import type { NamedService } from '../core/service.group.ts';
import { DEMO_TENANT } from './demo.config.ts';

export function demoKey(config: Config, log: Logger): NamedService & { key(): string } {
  const ch = clickhouseFor(config);
  const store = new KeyStore(ch, config.clickhouse.database);
  let key = '';
  let keyId = '';
  return {
    name: 'demo key',
    key: () => key,
    async start() {
      const created = await store.create(DEMO_TENANT, ['incidents:read'], 'mcp-audit run --demo');
      key = created.key;
      keyId = created.record.key_id;
      log.info({ keyId, tenant: DEMO_TENANT }, 'demo API key created');
    },
    async stop() {
      if (keyId) await store.revoke(keyId);
      await ch.close();
      log.info({ keyId }, 'demo API key revoked');
    },
  };
}
