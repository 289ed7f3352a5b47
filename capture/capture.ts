// Capture's runtime from configuration: the producer library behind a spill buffer, and the
// options every capture path (SDK middleware, stdio proxy, HTTP proxy) builds events with.
import type { Kafka } from 'kafkajs';
import type { Config } from '../core/config.ts';
import type { Logger } from '../core/logger.ts';
import type { Registry } from '../core/metrics.ts';
import { AuditProducer } from '../producer/audit.producer.ts';
import type { AuditEventV2 } from '../schemas/event.v2.ts';
import type { BuildOptions, Identity } from './event.builder.ts';
import { resolveHashKey } from './hash.key.ts';
import { DEFAULT_DENY_KEYS, denyKeyMatcher } from './redact.ts';
import { SpillBuffer } from './spill.buffer.ts';

export interface Capture {
  /** Queues an event for Kafka; never throws, never waits. */
  push(event: AuditEventV2): void;
  build: BuildOptions;
  buffer: SpillBuffer;
  /** Delivers what it can within the configured stop timeout; the rest stays in the spill file. */
  stop(): Promise<void>;
}

export function createCapture(config: Config, deps: { kafka: Kafka; log: Logger; registry?: Registry }): Capture {
  const producer = new AuditProducer(deps.kafka, { topic: config.topics.events, maxBytes: config.event.maxBytes, lingerMs: 5 });
  const buffer = new SpillBuffer(
    {
      spillDir: config.capture.spillDir,
      maxMemoryEvents: config.capture.memoryEvents,
      maxSpillBytes: config.capture.spillMaxBytes,
      sendTimeoutMs: config.capture.sendTimeoutMs,
    },
    { producer, log: deps.log, ...(deps.registry ? { registry: deps.registry } : {}) },
  );
  buffer.start();
  return {
    push: (e) => buffer.push(e),
    build: buildOptionsFrom(config, deps.log),
    buffer,
    stop: () => buffer.stop(config.capture.stopTimeoutMs),
  };
}

/**
 * How every capture path builds events under this configuration (also `capture import`, which has no
 * spill buffer). Resolves the hash key once: `log` takes the warning when the local key stands in.
 */
export function buildOptionsFrom(config: Config, log: Logger): BuildOptions {
  const denyKeys = [...DEFAULT_DENY_KEYS, ...config.capture.denyKeys];
  return {
    isDeniedKey: denyKeyMatcher(denyKeys),
    denyKeys,
    previewChars: config.capture.previewChars,
    maxEventBytes: config.event.maxBytes,
    hashKey: resolveHashKey({ hashKey: config.capture.hashKey, hashKeyId: config.capture.hashKeyId, stackDir: config.stack.dir }, log),
    episodeIdleMs: config.capture.episodeIdleMs,
  };
}

/** The identity configured by environment, with flag values taking precedence. */
export function identityFrom(config: Config, flags: { tenant?: string; user?: string; agent?: string } = {}): Partial<Identity> {
  const userId = flags.user || config.capture.user;
  const agentId = flags.agent || config.capture.agent;
  return {
    tenantId: flags.tenant || config.capture.tenant,
    ...(userId ? { userId } : {}),
    ...(agentId ? { agentId } : {}),
  };
}
