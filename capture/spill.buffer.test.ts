// Unit tests of the buffer's ordering, spilling and overflow rules, with a stand-in sender that
// behaves like kafkajs towards a dead broker (a send just waits). The real outage, with a real
// broker stopped and restarted, is test/capture.kafka-outage.test.ts.
import { mkdtempSync, readdirSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../core/logger.ts';
import { uuidv7 } from '../core/ids.ts';
import type { AuditEvent } from '../schemas/event.ts';
import { SpillBuffer, type EventSender } from './spill.buffer.ts';

const log = createLogger('silent');

class GateSender implements EventSender {
  received: string[] = [];
  up = true;
  private waiters: (() => void)[] = [];
  async connect(): Promise<void> {}
  async disconnect(): Promise<void> {}
  async sendMany(events: unknown[]): Promise<void> {
    while (!this.up) await new Promise<void>((r) => this.waiters.push(r));
    this.received.push(...(events as AuditEvent[]).map((e) => e.event_id));
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
    expect(buf.stats()).toMatchObject({ sent: 255, dropped: 0, spillBytes: 0 });
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
    const { dropped, spilled } = buf.stats();
    expect(dropped).toBeGreaterThan(0);
    sender.setUp(true);
    expect(await buf.drain(5_000)).toBe(true);
    expect(sender.received.length).toBe(100 - dropped);
    expect(sender.received).toEqual(pushed.map((e) => e.event_id).filter((id) => sender.received.includes(id)));
    expect(spilled + dropped).toBeLessThanOrEqual(100);
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
    await second.stop();
  });

  it('drops (and counts) an invalid event instead of throwing', () => {
    const buf = new SpillBuffer(opts(mkdtempSync(join(tmpdir(), 'spill-'))), { producer: new GateSender(), log });
    expect(() => buf.push({ ...event(1), tenant_id: 'a:b' })).not.toThrow();
    expect(buf.stats().invalid).toBe(1);
  });
});
