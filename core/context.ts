// What every command needs, built once from the environment: configuration, logger and clients.
import { pino } from 'pino';
import { createClickHouse } from './clickhouse.ts';
import { loadConfig, type Config } from './config.ts';
import { createKafka } from './kafka.ts';
import { createLogger, type Logger } from './logger.ts';

export interface Context {
  config: Config;
  log: Logger;
}

/** `jsonOutput`: the command prints JSON on stdout, so its logs go to stderr and a script can parse stdout whole. */
export function context(name: string, opts: { jsonOutput?: boolean | undefined } = {}): Context {
  const config = loadConfig();
  return { config, log: createLogger(config.logLevel, name, opts.jsonOutput ? pino.destination(2) : undefined) };
}

export function clickhouseFor(config: Config, withDatabase = true) {
  return createClickHouse({ ...config.clickhouse, database: withDatabase ? config.clickhouse.database : null });
}

/** The API's client for reads: its read-only user when one is set, else the services' user. */
export function apiReaderFor(config: Config) {
  const reader = config.api.clickhouseReader;
  return reader ? createClickHouse({ ...config.clickhouse, ...reader }) : null;
}

export function kafkaFor(config: Config, log: Logger) {
  return createKafka(config.kafka, log);
}
