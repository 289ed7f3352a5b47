// Produces pre-serialized bench messages once, in batches with several sends in flight (ordering per
// key is not needed for a bench topic), reporting progress every 2 s.
import type { Producer } from 'kafkajs';
import type { BenchMessage } from '../bench.events.ts';

const BATCH = 4_000;
const IN_FLIGHT = 6;
const PROGRESS_MS = 2_000;

/** Sends every message with acks from all replicas; resolves with the seconds it took. */
export async function produceAll(producer: Producer, topic: string, messages: BenchMessage[], progress: (line: string) => void): Promise<number> {
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  const started = performance.now();
  let next = 0;
  let sent = 0;
  let lastReport = started;
  const worker = async () => {
    while (next < messages.length) {
      const from = next;
      const to = Math.min(messages.length, from + BATCH);
      next = to;
      await producer.send({ topic, acks: -1, messages: messages.slice(from, to) });
      // `next` has moved on while this send was awaited; count this send's own messages.
      sent += to - from;
      const now = performance.now();
      if (now - lastReport >= PROGRESS_MS) {
        lastReport = now;
        progress(`producing: ${fmt(sent)} / ${fmt(messages.length)} sent, ${fmt((sent * 1000) / (now - started))} msg/s`);
      }
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  return (performance.now() - started) / 1000;
}
