// Prepares a schemathesis run against a real API (test/schemathesis/schemathesis.sh): a migrated database and
// topics of its own, one incident with its evidence events, baselines computed over them, and an
// admin key; prints `KEY=...` and `INCIDENT=...` lines for the shell script. Never touches the
// default database or topics.
import { loadConfig } from '../../core/config.ts';
import { createClickHouse } from '../../core/clickhouse.ts';
import { createLogger } from '../../core/logger.ts';
import { computeBaselines } from '../../detector/baselines/baselines.compute.ts';
import { migrate } from '../../migrations/migrate.ts';
import { createTopics } from '../../stack/topics.ts';
import { KeyStore } from '../../api/auth/key.store.ts';
import { insertAlerts, insertEvents, makeChain } from '../support/api.factory.ts';

const config = loadConfig();
const log = createLogger('warn', 'schemathesis-setup');
await createTopics(config.kafka, [{ name: config.topics.events, partitions: 1 }], log);
const admin = createClickHouse({ ...config.clickhouse, database: null });
await migrate(admin, config.clickhouse.database, log);
await admin.close();
const ch = createClickHouse(config.clickhouse);
const chain = makeChain('schemathesis', 'alice@example.com', Date.now() - 3_600_000);
await insertEvents(ch, config.clickhouse.database, chain.events);
await insertAlerts(ch, config.clickhouse.database, [chain.alert]);
await computeBaselines(ch, config.clickhouse.database, { lookbackDays: config.baselines.lookbackDays });
const { key } = await new KeyStore(ch, config.clickhouse.database).create('schemathesis', ['admin'], 'schemathesis');
await ch.close();
process.stdout.write(`KEY=${key}\nINCIDENT=${chain.alert.incident_id}\n`);
