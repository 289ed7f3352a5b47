// What the demo prints once everything runs: what is running, where to look, how to stop. The API
// key appears here and nowhere else (it is a demo secret; printing it once is the point).
import type { Config } from '../core/config.ts';
import { CHAIN_EVERY_S, DEMO_RATE, DEMO_TENANT, DEMO_USERS, INJECTED_EVERY_S, INJECTED_FIRST_S } from './demo.config.ts';

export interface BannerInfo {
  config: Config;
  rules: number;
  apiUrl: string;
  key: string;
  receiverUrl: string;
  metrics: { ingest: number; detector: number; notifier: number };
  keepStack: boolean;
  startupSeconds: number;
}

export function demoBanner(b: BannerInfo): string {
  const { config } = b;
  const metrics = (port: number) => `http://${config.healthHost}:${port}/metrics`;
  const lines = [
    '',
    `mcp-audit demo is running (started in ${b.startupSeconds.toFixed(0)} s)`,
    `  stack      Kafka ${config.kafka.brokers.join(',')}, ClickHouse ${config.clickhouse.url} database ${config.clickhouse.database}`,
    `  topics     ${config.topics.events}, ${config.topics.alerts} (and their .dlq)`,
    `  services   ingest, detector (${b.rules} rules), notifier, api, baseline scheduler`,
    `  traffic    ${DEMO_USERS} simulated users of tenant ${DEMO_TENANT}, ${DEMO_RATE} events/s; an attack chain ${CHAIN_EVERY_S} s after start, then every ${CHAIN_EVERY_S} s`,
    `  injection  ${INJECTED_FIRST_S} s after start, then every ${INJECTED_EVERY_S} s: an agent reads a mail or page with hidden instructions and acts on the attacker's value in it`,
    `  alerts     notifier -> ${b.receiverUrl} (Standard Webhooks, signature checked); each one is printed below`,
    `  API        ${b.apiUrl}  docs ${b.apiUrl}/docs`,
    `  API key    ${b.key}  (tenant ${DEMO_TENANT}, incidents:read; revoked when the demo stops)`,
    `  try        curl -H "Authorization: Bearer ${b.key}" ${b.apiUrl}/v1/incidents`,
    `  metrics    ingest ${metrics(b.metrics.ingest)}  detector ${metrics(b.metrics.detector)}  notifier ${metrics(b.metrics.notifier)}`,
    `  stop       Ctrl-C stops the services${b.keepStack ? ' (Kafka and ClickHouse keep running: --keep-stack)' : ', then Kafka and ClickHouse'}`,
    '',
  ];
  return lines.join('\n') + '\n';
}
