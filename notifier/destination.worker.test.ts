// One destination's worker against a real local HTTP receiver (no Kafka): how it treats an OTLP
// batch that the receiver accepts with 200 but reports as partly rejected.
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../core/logger.ts';
import { createRegistry } from '../core/metrics.ts';
import { makeAlerts } from '../test/support/alerts.factory.ts';
import { loadDestinations } from './destinations.config.ts';
import { createDestinationWorker, PARTIALLY_REJECTED, type Outcome, type WorkItem } from './destination.worker.ts';
import { createNotifierMetrics } from './notifier.metrics.ts';
import { startTestReceiver, type TestReceiver } from '../test/support/siem.receiver.ts';

const receivers: TestReceiver[] = [];
afterAll(async () => {
  for (const r of receivers) await r.close();
});

describe('destination worker, OTLP partial success', () => {
  it('re-sends a partly rejected batch alert by alert: the rejected one is dead-lettered, the others delivered', async () => {
    const [a, b, c] = makeAlerts(3, 77);
    const rejected = b!.alert_id;
    const rx = await startTestReceiver(({ body }) =>
      body.includes(rejected) ? { status: 200, body: JSON.stringify({ partialSuccess: { rejectedLogRecords: '1', errorMessage: 'no' } }) } : { status: 200, body: '{}' },
    );
    receivers.push(rx);
    const [dest] = loadDestinations({
      destinationsFile: '',
      destinationsJson: JSON.stringify([{ name: 'otel', type: 'otlp', url: rx.url, batch_max: 3, concurrency: 1, allow_networks: ['loopback'], otlp: { encoding: 'json' } }]),
    });
    const outcomes: { ids: string[]; outcome: Outcome }[] = [];
    const worker = createDestinationWorker<WorkItem>(dest!, {
      log: createLogger('error', 'test'),
      metrics: createNotifierMetrics(createRegistry('notifier')),
      signal: new AbortController().signal,
      isCurrent: () => true,
      onOutcome: async (items, outcome) => void outcomes.push({ ids: items.map((i) => i.alert.alert_id), outcome }),
      onDisabled: () => {},
      onProgress: () => {},
    });
    // With one request in flight, `a` goes alone and `b` and `c` wait to travel together.
    for (const alert of [a!, b!, c!]) worker.push({ alert });
    await worker.idle();
    worker.close();
    const sent = rx.requests.map((r) => (JSON.parse(r.body).resourceLogs[0].scopeLogs[0].logRecords as unknown[]).length);
    expect(sent).toEqual([1, 2, 1, 1]);
    const byId = Object.fromEntries(outcomes.map((o) => [o.ids.join(), o.outcome]));
    expect(byId[a!.alert_id]).toMatchObject({ kind: 'delivered' });
    expect(byId[rejected]).toMatchObject({ kind: 'dead_letter', reason: PARTIALLY_REJECTED, detail: '1 log record(s) rejected: no', attempts: 1 });
    expect(byId[c!.alert_id]).toMatchObject({ kind: 'delivered' });
    expect(outcomes).toHaveLength(3);
  });
});
