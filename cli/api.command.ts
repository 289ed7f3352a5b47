import type { Command } from 'commander';
import { runUntilSignal } from '../core/lifecycle.ts';
import { createRegistry } from '../core/metrics.ts';
import { buildApp } from '../api/app.ts';
import { KeyStore } from '../api/auth/key.store.ts';
import { AuditProducer } from '../producer/audit.producer.ts';
import { clickhouseFor, context, kafkaFor } from './context.ts';

export function registerApi(program: Command): void {
  program
    .command('api')
    .description(
      'Serve the incident API (incidents, alerts, events, POST /v1/events) with API keys, OpenAPI at /openapi.json and docs at /docs; /healthz, /readyz, /metrics on the same port.',
    )
    .action(async () => {
      const { config, log } = context('api');
      const clickhouse = clickhouseFor(config);
      const kafka = kafkaFor(config, log);
      const producer = new AuditProducer(kafka, { topic: config.topics.events, maxBytes: config.event.maxBytes });
      const admin = kafka.admin();
      let app: Awaited<ReturnType<typeof buildApp>> | null = null;
      await runUntilSignal(
        {
          start: async () => {
            await Promise.all([producer.connect(), admin.connect()]);
            app = await buildApp({
              config,
              clickhouse,
              events: producer,
              log,
              registry: createRegistry('api'),
              kafkaReady: async () => (await admin.describeCluster()).brokers.length > 0,
              keyStore: new KeyStore(clickhouse, config.clickhouse.database),
            });
            const address = await app.listen({ host: config.api.host, port: config.api.port });
            log.info({ address }, 'api listening');
          },
          // Stop taking requests (in-flight ones finish), then flush what was accepted, then close clients.
          stop: async () => {
            await app?.close();
            await producer.disconnect();
            await admin.disconnect();
            await clickhouse.close();
          },
        },
        log,
      );
    });
}
