// The producer library MCP components use to report audit events.
//
// - validates every event against the contract (v2, or v1 from older components) before it leaves
//   the process (a bad event is a clear error to the caller, never a dead letter later);
// - keys each message `tenant_id:user_id`, so one user's events stay ordered in one partition;
// - idempotent kafkajs producer with acks from all in-sync replicas, so broker retries never write
//   a message twice;
// - batches: sends issued within `lingerMs` of each other go to Kafka in one request.
import type { Kafka, Message, Producer } from 'kafkajs';
import { idempotentProducerConfig } from '../core/kafka.ts';
import { auditEvent, type AuditEvent } from '../schemas/event.ts';
import { DEFAULT_EVENT_MAX_BYTES, eventKey } from '../schemas/event.v1.ts';

export class EventRejectedError extends Error {
  readonly issues: string[];
  constructor(issues: string[]) {
    super(`audit event rejected: ${issues.join('; ')}`);
    this.issues = issues;
  }
}

export interface AuditProducerOptions {
  topic: string;
  maxBytes?: number;
  /** How long a send waits for others to join its batch (ms). */
  lingerMs?: number;
  /** Largest batch sent in one request. */
  maxBatch?: number;
}

interface Pending {
  message: Message;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/** Validates and encodes one event; throws EventRejectedError naming every problem. */
export function encodeEvent(input: unknown, maxBytes = DEFAULT_EVENT_MAX_BYTES): { event: AuditEvent; message: Message } {
  const parsed = auditEvent.safeParse(input);
  if (!parsed.success) {
    throw new EventRejectedError(parsed.error.issues.slice(0, 10).map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`));
  }
  const value = Buffer.from(JSON.stringify(parsed.data));
  if (value.length > maxBytes) throw new EventRejectedError([`event is ${value.length} bytes, limit ${maxBytes}`]);
  return { event: parsed.data, message: { key: eventKey(parsed.data), value } };
}

export class AuditProducer {
  private readonly producer: Producer;
  private readonly opts: Required<AuditProducerOptions>;
  private queue: Pending[] = [];
  private timer: NodeJS.Timeout | null = null;
  private sending: Promise<void> = Promise.resolve();

  constructor(kafka: Kafka, opts: AuditProducerOptions) {
    this.opts = { maxBytes: DEFAULT_EVENT_MAX_BYTES, lingerMs: 5, maxBatch: 1000, ...opts };
    // Idempotence makes the broker drop a retried duplicate; it requires one request in flight.
    this.producer = kafka.producer(idempotentProducerConfig);
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  /** Resolves when Kafka acknowledged the event; rejects with EventRejectedError if it is invalid. */
  send(input: unknown): Promise<void> {
    const { message } = encodeEvent(input, this.opts.maxBytes);
    return new Promise((resolve, reject) => {
      this.queue.push({ message, resolve, reject });
      if (this.queue.length >= this.opts.maxBatch) this.flushSoon(0);
      else this.flushSoon(this.opts.lingerMs);
    });
  }

  /** Sends many events; all are validated first, so an invalid one sends nothing. */
  async sendMany(inputs: unknown[]): Promise<void> {
    const messages = inputs.map((i) => encodeEvent(i, this.opts.maxBytes).message);
    const acked = messages.map((message) => new Promise<void>((resolve, reject) => this.queue.push({ message, resolve, reject })));
    this.kick();
    await Promise.all(acked);
  }

  /** Waits until everything queued so far is acknowledged. */
  async flush(): Promise<void> {
    this.kick();
    await this.sending;
  }

  async disconnect(): Promise<void> {
    await this.flush();
    await this.producer.disconnect();
  }

  private flushSoon(ms: number): void {
    if (ms === 0) {
      this.kick();
      return;
    }
    if (!this.timer) this.timer = setTimeout(() => this.kick(), ms);
  }

  private kick(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.sending = this.sending.then(() => this.drain());
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.opts.maxBatch);
      try {
        await this.producer.send({ topic: this.opts.topic, acks: -1, messages: batch.map((p) => p.message) });
        batch.forEach((p) => p.resolve());
      } catch (err) {
        batch.forEach((p) => p.reject(err));
      }
    }
  }
}
