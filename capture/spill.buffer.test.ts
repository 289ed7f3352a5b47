// Unit tests of the buffer's ordering, spilling and overflow rules, with a stand-in sender that
// behaves like kafkajs towards a dead broker (a send just waits). The real outage, with a real
// broker stopped and restarted, is test/capture.kafka-outage.test.ts.
import { mkdtempSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../core/logger.ts';
import { uuidv7 } from '../core/ids.ts';
import type { Rejection } from '../producer/audit.producer.ts';
import type { AuditEvent } from '../schemas/event.ts';
import { SpillBuffer, type EventSender } from './spill.buffer.ts';

const log = createLogger('silent');

class GateSender implements EventSender {
  received: string[] = [];
  up = true;
  private waiters: (() => void)[] = [];
  async connect(): Promise<void> {}
  async disconnect(): Promise<void> {}
  /** Like a broker that refuses one message: events of tool `poison` are rejected, the rest sent. */
  async sendEach(events: unknown[]): Promise<Rejection[]> {
    while (!this.up) await new Promise<void>((r) => this.waiters.push(r));
    const rejected: Rejection[] = [];
    (events as AuditEvent[]).forEach((e, index) => {
      if (e.tool?.name === 'poison') rejected.push({ index, event: e, reason: 'refused by Kafka: MESSAGE_TOO_LARGE' });
      else this.received.push(e.event_id);
    });
    return rejected;
  }
  setUp(up: boolean): void {
    this.up = up;
    if (up) this.waiters.splice(0).forEach((w) => w());
  }
}

const event = (i: number): AuditEvent => ({
  schema_version: 1,
  event_id: uuidv7(),
  ts: new Date(1_700_000_000_000 + i).toISOString(),
  tenant_id: 't',
  kind: 'tool_call',
  mcp: { method: 'tools/call', request_id: i },
  actor: { user_id: 'alice' },
  server: { name: 's', transport: 'stdio' },
  tool: { name: 'echo' },
  result: { status: 'ok' },
});

const opts = (dir: string) => ({ spillDir: dir, maxMemoryEvents: 10, maxSpillBytes: 10_000_000, sendTimeoutMs: 50, maxBatch: 7, retryMs: 20 });

describe('SpillBuffer', () => {
  it('delivers everything in push order across an outage, spilling to disk meanwhile', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spill-'));
    const sender = new GateSender();
    const buf = new SpillBuffer(opts(dir), { producer: sender, log });
    buf.start();
    const pushed: string[] = [];
    const push = (n: number) => {
      for (let i = 0; i < n; i++) {
        const e = event(pushed.length);
        pushed.push(e.event_id);
        buf.push(e);
      }
    };
    push(20);
    expect(await buf.drain(2_000)).toBe(true);
    sender.setUp(false);
    push(5);
    await new Promise((r) => setTimeout(r, 150)); // longer than sendTimeoutMs: spilling now
    push(200);
    await new Promise((r) => setTimeout(r, 50));
    expect(buf.stats().memory).toBe(0);
    expect(buf.stats().spillBytes).toBeGreaterThan(0);
    sender.setUp(true);
    push(30);
    expect(await buf.drain(5_000)).toBe(true);
    expect(sender.received).toEqual(pushed);
    expect(buf.stats()).toMatchObject({ seen: 255, sent: 255, spilled: 0, dropped: 0, pending: 0, spillBytes: 0 });
    expect(buf.stats().spooled).toBeGreaterThan(0);
    expect(readdirSync(dir)).toEqual([]);
    await buf.stop();
  });

  it('counts what it drops when the spill file is full, and still delivers the rest in order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spill-'));
    const sender = new GateSender();
    sender.setUp(false);
    const buf = new SpillBuffer({ ...opts(dir), maxMemoryEvents: 5, maxSpillBytes: 4_000 }, { producer: sender, log });
    buf.start();
    const pushed = Array.from({ length: 100 }, (_, i) => event(i));
    pushed.forEach((e) => buf.push(e));
    const { dropped, droppedBy } = buf.stats();
    expect(dropped).toBeGreaterThan(0);
    expect(droppedBy).toEqual({ spill_full: dropped });
    sender.setUp(true);
    expect(await buf.drain(5_000)).toBe(true);
    expect(sender.received.length).toBe(100 - dropped);
    expect(sender.received).toEqual(pushed.map((e) => e.event_id).filter((id) => sender.received.includes(id)));
    expect(buf.stats()).toMatchObject({ seen: 100, sent: 100 - dropped, spilled: 0, dropped, pending: 0 });
    await buf.stop();
  });

  it('leaves undelivered events on disk at stop, and a later process replays them first', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spill-'));
    const down = new GateSender();
    down.setUp(false);
    const first = new SpillBuffer(opts(dir), { producer: down, log });
    first.start();
    const early = Array.from({ length: 25 }, (_, i) => event(i));
    early.forEach((e) => first.push(e));
    await first.stop(200);
    // Make the files look like those of a process that has died.
    for (const f of readdirSync(dir)) renameSync(join(dir, f), join(dir, f.replace(`spill-${process.pid}-`, 'spill-999999999-')));

    const sender = new GateSender();
    const second = new SpillBuffer(opts(dir), { producer: sender, log });
    second.start();
    const late = [event(100), event(101)];
    late.forEach((e) => second.push(e));
    expect(await second.drain(5_000)).toBe(true);
    expect(sender.received).toEqual([...early, ...late].map((e) => e.event_id));
    expect(readdirSync(dir)).toEqual([]);
    expect(second.stats()).toMatchObject({ seen: 2, adopted: 25, sent: 27, pending: 0 });
    await second.stop();
  });

  it('keeps an invalid event in the rejects file with its reason instead of throwing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spill-'));
    const sender = new GateSender();
    const buf = new SpillBuffer(opts(dir), { producer: sender, log });
    buf.start();
    expect(() => buf.push({ ...event(1), tenant_id: 'a:b' })).not.toThrow();
    buf.push(event(2));
    expect(await buf.drain(2_000)).toBe(true);
    expect(buf.stats()).toMatchObject({ seen: 2, sent: 1, spilled: 1, spilledBy: { invalid: 1 }, dropped: 0, pending: 0 });
    const [file] = readdirSync(dir);
    const kept = JSON.parse(readFileSync(join(dir, file!), 'utf8'));
    expect(kept).toMatchObject({ reason: 'invalid', detail: expect.stringContaining('tenant_id'), event: { tenant_id: 'a:b' } });
    await buf.stop();
  });

  it('sends the rest of a batch the broker refused one event of, keeping that one with its reason', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spill-'));
    const sender = new GateSender();
    const buf = new SpillBuffer(opts(dir), { producer: sender, log });
    buf.start();
    const events = Array.from({ length: 6 }, (_, i) => (i === 3 ? { ...event(i), tool: { name: 'poison' } } : event(i)));
    events.forEach((e) => buf.push(e));
    expect(await buf.drain(2_000)).toBe(true);
    expect(sender.received).toEqual(events.filter((_, i) => i !== 3).map((e) => e.event_id));
    expect(buf.stats()).toMatchObject({ seen: 6, sent: 5, spilled: 1, spilledBy: { rejected: 1 }, dropped: 0, pending: 0 });
    expect(readFileSync(join(dir, readdirSync(dir)[0]!), 'utf8')).toContain('MESSAGE_TOO_LARGE');
    await buf.stop();
  });

  it('logs a drop episode once, at error level, and says when there is room again', async () => {
    const lines: { level: number; msg: string }[] = [];
    const capturing = createLogger('info', 'test', { write: (l: string) => void lines.push(JSON.parse(l)) });
    const dir = mkdtempSync(join(tmpdir(), 'spill-'));
    const sender = new GateSender();
    sender.setUp(false);
    const buf = new SpillBuffer({ ...opts(dir), maxMemoryEvents: 1, maxSpillBytes: 2_000 }, { producer: sender, log: capturing });
    buf.start();
    for (let i = 0; i < 50; i++) buf.push(event(i));
    const dropped = buf.stats().dropped;
    expect(dropped).toBeGreaterThan(10);
    expect(lines.filter((l) => l.level >= 50).map((l) => l.msg)).toEqual([expect.stringContaining('AUDIT EVENTS ARE BEING DROPPED')]);
    sender.setUp(true);
    expect(await buf.drain(5_000)).toBe(true);
    buf.push(event(99));
    expect(await buf.drain(5_000)).toBe(true);
    expect(lines.some((l) => l.msg.includes('room again'))).toBe(true);
    const s = buf.stats();
    expect(s.seen).toBe(s.sent + s.spilled + s.dropped + s.pending);
    await buf.stop();
  });
});
