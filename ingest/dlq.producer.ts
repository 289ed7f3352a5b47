// Parks a message that cannot be ingested in the dead-letter topic: the original bytes and key,
// unchanged, plus headers saying why, at which step, when, and where it came from, so an operator
// can fix the cause and replay it. The detail never quotes the payload (it may hold secrets).
import type { Producer } from 'kafkajs';
import { sendAll } from '../core/kafka.ts';

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

export function dlqMessage(d: DeadLetter, now = new Date()) {
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
const MAX_REQUEST_BYTES = 512 * 1024;

/** Resolves once the broker acknowledged every message (acks from all in-sync replicas). */
export async function sendDeadLetters(producer: Producer, topic: string, letters: DeadLetter[]): Promise<void> {
  let chunk: ReturnType<typeof dlqMessage>[] = [];
  let bytes = 0;
  for (const d of letters) {
    const size = (d.value?.length ?? 0) + (d.key?.length ?? 0) + 512;
    if (chunk.length > 0 && bytes + size > MAX_REQUEST_BYTES) {
      await sendAll(producer, { acks: -1, topicMessages: [{ topic, messages: chunk }] });
      chunk = [];
      bytes = 0;
    }
    chunk.push(dlqMessage(d));
    bytes += size;
  }
  if (chunk.length > 0) await sendAll(producer, { acks: -1, topicMessages: [{ topic, messages: chunk }] });
}
