// Not a test of the code: a unit test that reaches for the stack, by mistake. It runs only when
// test/unit/no.stack.test.ts runs it in the unit lane (UNIT_LANE_PROBE=1), to show that the lane's
// guard (test/support/no.stack.ts) fails such a test at once, saying why; everywhere else it is skipped.
import { describe, it } from 'vitest';
import { createClickHouse } from '../../core/clickhouse.ts';
import { loadConfig } from '../../core/config.ts';
import { createKafka } from '../../core/kafka.ts';
import { createLogger } from '../../core/logger.ts';

const config = loadConfig();

describe.runIf(process.env.UNIT_LANE_PROBE === '1')('a unit test that needs the stack', () => {
  it('queries ClickHouse, and even swallows the error', async () => {
    const ch = createClickHouse(config.clickhouse);
    await ch.query({ query: 'SELECT 1' }).catch(() => undefined);
    await ch.close();
  });

  it('connects to Kafka', async () => {
    // Without retries: the service default retries for a minute, which the lane's testTimeout ends.
    const admin = createKafka(config.kafka, createLogger('silent'), { retry: { retries: 0 } }).admin();
    await admin.connect();
    await admin.disconnect();
  });
});
