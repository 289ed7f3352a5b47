// The producer library MCP components use to report audit events.
//
// - validates every event against its own contract version (v1 or v2, schemas/event.ts) before it
//   leaves the process (a bad event is a clear error to the caller, never a dead letter later),
//   each on its own: one bad event of a batch never holds back the others;
// - keys each message `tenant_id:user_id`, so one user's events stay ordered in one partition;
// - idempotent kafkajs producer with acks from all in-sync replicas, so broker retries never write
//   a message twice;
// - batches: sends issued within `lingerMs` of each other go to Kafka in one request.
import type { Kafka, Message, Producer } from 'kafkajs';
import { idempotentProducerConfig, sendAll } from '../core/kafka.ts';
import { auditEvent, type AuditEvent } from '../schemas/event.ts';
import { DEFAULT_EVENT_MAX_BYTES, eventKey } from '../schemas/event.v1.ts';

export class EventRejectedError extends Error {
  readonly issues: string[];
  /** Of a batch: which events were rejected (the others were sent). */
  readonly rejected: Rejection[];
  constructor(issues: string[], rejected: Rejection[] = []) {
    super(`audit event rejected: ${issues.join('; ')}`);
    this.issues = issues;
    this.rejected = rejected;
  }
}

/** An event of a batch that was not sent, and why (never retried: sending it again fails again). */
export interface Rejection {
  index: number;
  event: unknown;
  reason: string;
}

// Broker answers that concern one message, not the broker's health: the other messages of the
// batch are fine, so they are sent one by one to find the culprit.
const MESSAGE_ERRORS = new Set(['MESSAGE_TOO_LARGE', 'INVALID_RECORD', 'CORRUPT_MESSAGE', 'INVALID_TIMESTAMP', 'RECORD_LIST_TOO_LARGE']);
const messageError = (err: unknown): string | null => {
  for (let e = err as { type?: unknown; cause?: unknown } | undefined, i = 0; e && i < 4; e = e.cause as typeof e, i++) {
    if (typeof e.type === 'string' && MESSAGE_ERRORS.has(e.type)) return e.type;
  }
  return null;
};

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

const reasonOf = (err: unknown) => (err instanceof EventRejectedError ? err.issues.join('; ') : String((err as Error)?.message ?? err));

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

  /**
   * Sends every valid event of `inputs` and resolves once Kafka acknowledged them, with the events
   * that were not sent and why (invalid, too large, refused by the broker); rejects only when Kafka
   * could not be reached, and then nothing is lost: the caller may send the whole batch again.
   */
  async sendEach(inputs: unknown[]): Promise<Rejection[]> {
    const rejected: Rejection[] = [];
    const acked: Promise<void>[] = [];
    const indexOf: number[] = [];
    inputs.forEach((input, index) => {
      let message: Message;
      try {
        message = encodeEvent(input, this.opts.maxBytes).message;
      } catch (err) {
        rejected.push({ index, event: input, reason: reasonOf(err) });
        return;
      }
      indexOf.push(index);
      acked.push(new Promise<void>((resolve, reject) => this.queue.push({ message, resolve, reject })));
    });
    this.kick();
    const settled = await Promise.allSettled(acked);
    let outage: unknown = null;
    settled.forEach((r, i) => {
      if (r.status === 'fulfilled') return;
      if (r.reason instanceof EventRejectedError) rejected.push({ index: indexOf[i]!, event: inputs[indexOf[i]!], reason: reasonOf(r.reason) });
      else outage ??= r.reason;
    });
    if (outage) throw outage;
    return rejected.sort((a, b) => a.index - b.index);
  }

  /** Sends many events; the valid ones are sent even when some are not, which then throw here. */
  async sendMany(inputs: unknown[]): Promise<void> {
    const rejected = await this.sendEach(inputs);
    if (rejected.length) throw new EventRejectedError(rejected.map((r) => `event ${r.index}: ${r.reason}`), rejected);
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
        await sendAll(this.producer, { acks: -1, topicMessages: [{ topic: this.opts.topic, messages: batch.map((p) => p.message) }] });
        batch.forEach((p) => p.resolve());
      } catch (err) {
        if (messageError(err) && batch.length > 1) await this.sendOneByOne(batch);
        else batch.forEach((p) => p.reject(messageError(err) ? new EventRejectedError([`refused by Kafka: ${messageError(err)}`]) : err));
      }
    }
  }

  /** A batch the broker refused for one message's sake: each message alone, so only that one fails. */
  private async sendOneByOne(batch: Pending[]): Promise<void> {
    for (const p of batch) {
      try {
        await sendAll(this.producer, { acks: -1, topicMessages: [{ topic: this.opts.topic, messages: [p.message] }] });
        p.resolve();
      } catch (err) {
        const type = messageError(err);
        p.reject(type ? new EventRejectedError([`refused by Kafka: ${type}`]) : err);
      }
    }
  }
}
