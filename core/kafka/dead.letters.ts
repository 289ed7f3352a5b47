// Parks a message that cannot be processed in a dead-letter topic: the original bytes and key,
// unchanged, plus headers saying why, at which step, when, and where it came from, so an operator
// can fix the cause and replay it. The detail never quotes the payload (it may hold secrets).
// Every consuming service dead-letters through here, in requests the broker accepts, with one
// retry policy.
import { sleep } from '../lifecycle.ts';
import type { Logger } from '../logger.ts';
import type { InboundMessage, OutboundMessage, RecordProducer } from './kafka.clients.ts';

export interface DeadLetter {
  key: Buffer | null;
  value: Buffer | null;
  reason: string;
  step: string;
  detail: string;
  source: { topic: string; partition: number; offset: string };
  /** More headers, e.g. the notifier's destination. */
  headers?: Record<string, string>;
}

/** Why one message is dead-lettered; the runtime adds the bytes and the source. */
export interface DeadLetterReason {
  reason: string;
  step: string;
  detail: string;
  headers?: Record<string, string>;
}

export function deadLetterOf(message: InboundMessage, source: { topic: string; partition: number }, why: DeadLetterReason): DeadLetter {
  return { key: message.key, value: message.value, ...why, source: { ...source, offset: message.offset } };
}

export function dlqMessage(d: DeadLetter, now = new Date()): OutboundMessage {
  return {
    key: d.key,
    value: d.value,
    headers: {
      'mcp-audit-reason': d.reason,
      'mcp-audit-step': d.step,
      'mcp-audit-detail': d.detail.slice(0, 1024),
      'mcp-audit-time': now.toISOString(),
      'mcp-audit-source-topic': d.source.topic,
      'mcp-audit-source-partition': String(d.source.partition),
      'mcp-audit-source-offset': d.source.offset,
      ...d.headers,
    },
  };
}

/**
 * Kafka refuses a produce request whose record batch exceeds the broker's `message.max.bytes`
 * (1 MiB by default), and dead letters are often the largest messages there are, so they are sent
 * in requests of at most this many bytes of payload.
 */
export const MAX_REQUEST_BYTES = 512 * 1024;

/** Room for the reason headers of one dead letter, counted with its key and value. */
const HEADER_ALLOWANCE = 512;

/** Splits dead letters into requests of at most MAX_REQUEST_BYTES (a single larger one goes alone). */
export function deadLetterRequests(letters: readonly DeadLetter[]): DeadLetter[][] {
  const requests: DeadLetter[][] = [];
  let chunk: DeadLetter[] = [];
  let bytes = 0;
  for (const d of letters) {
    const size = (d.value?.length ?? 0) + (d.key?.length ?? 0) + HEADER_ALLOWANCE;
    if (chunk.length > 0 && bytes + size > MAX_REQUEST_BYTES) {
      requests.push(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(d);
    bytes += size;
  }
  if (chunk.length > 0) requests.push(chunk);
  return requests;
}

/**
 * The wait before retry `attempt` of a dead-letter send: doubling from 400 ms up to 10 s. The only
 * thing a send waits for is Kafka itself, which the consumer needs too, so a longer wait would only
 * delay the recovery.
 */
export function deadLetterBackoffMs(attempt: number): number {
  return Math.min(10_000, 200 * 2 ** Math.min(attempt, 6));
}

export interface DeadLetterSender {
  /** Resolves once every letter is acknowledged; retries while Kafka fails; rejects only once `signal` aborted. */
  send(topic: string, letters: readonly DeadLetter[]): Promise<void>;
}

export function createDeadLetterSender(producer: RecordProducer, log: Logger, signal: AbortSignal): DeadLetterSender {
  return {
    async send(topic, letters) {
      // Requests already acknowledged are not sent again when a later one fails.
      for (const request of deadLetterRequests(letters)) {
        for (let attempt = 1; ; attempt++) {
          try {
            await producer.send(topic, request.map((d) => dlqMessage(d)));
            break;
          } catch (err) {
            if (signal.aborted) throw err;
            log.warn({ err, attempt, topic }, 'dead-letter produce failed, retrying');
            await sleep(deadLetterBackoffMs(attempt), signal);
          }
        }
      }
    },
  };
}
