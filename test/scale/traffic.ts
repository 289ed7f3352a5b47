// Steady simulated traffic for the scale-out run: the simulator's live traffic (simulate/simulate.ts)
// at a fixed rate with its injected chains, produced through the producer library, and "split"
// chains the test places itself: first steps before a fault, the completing step after it, for
// users whose partition the test chooses. Every event id acknowledged by Kafka is remembered, so
// the test can check that each one is stored exactly once.
import type { AuditProducer } from '../../producer/audit.producer.ts';
import type { AuditEventV1 } from '../../schemas/event.v1.ts';
import { eventKey } from '../../schemas/event.v1.ts';
import { buildChain, type ChainType, type InjectedChain } from '../../simulate/chains.ts';
import { makePopulation, type SimUser } from '../../simulate/population.ts';
import { createRng, type Rng } from '../../simulate/rng.ts';
import { LiveTraffic, type InjectSpec } from '../../simulate/simulate.ts';
import { partitionOf } from './groups.ts';

const TICK_MS = 100;

export interface SplitChain {
  chain: InjectedChain;
  partition: number;
  /** The completing step, held back until `finish`. */
  last: AuditEventV1;
}

export class SteadyTraffic {
  readonly live: LiveTraffic;
  /** Ids of every event Kafka acknowledged. */
  readonly sent = new Set<string>();
  /** Longest time one send waited for Kafka (ms), e.g. while a broker was down. */
  slowestSendMs = 0;
  /** Sends that failed (Kafka unreachable) and were repeated. */
  resends = 0;
  private running = false;
  private loop: Promise<void> = Promise.resolve();
  private readonly producer: AuditProducer;
  private readonly splitRng: Rng;
  private readonly splitUsers: SimUser[];
  private splitIndex = 1_000;

  constructor(producer: AuditProducer, opts: { rate: number; users: number; seed: number; inject: readonly InjectSpec[] }) {
    this.producer = producer;
    this.live = new LiveTraffic({ rate: opts.rate, users: opts.users, seed: opts.seed, inject: opts.inject, startMs: Date.now() });
    // Split chains get users of their own tenant, so no live chain or benign flow shares their state.
    this.splitRng = createRng(opts.seed).fork('split');
    this.splitUsers = makePopulation(this.splitRng.fork('population'), 200, ['splitco']);
  }

  start(): void {
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        const now = Date.now();
        const events = this.live.due(now);
        if (events.length) await this.send(events);
        await new Promise((r) => setTimeout(r, Math.max(0, TICK_MS - (Date.now() - now))));
      }
      // Chains already started finish their remaining steps; no new benign traffic.
      while (this.live.pendingCount > 0) {
        const events = this.live.due(Date.now(), false);
        if (events.length) await this.send(events);
        await new Promise((r) => setTimeout(r, TICK_MS));
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /** Sends and remembers the ids; a send that failed because Kafka was unreachable is repeated. */
  async send(events: AuditEventV1[]): Promise<void> {
    const started = Date.now();
    for (;;) {
      try {
        await this.producer.sendMany(events);
        break;
      } catch (err) {
        if ((err as Error).name === 'EventRejectedError') throw err;
        this.resends++;
        await new Promise((r) => setTimeout(r, 1_000));
      }
    }
    this.slowestSendMs = Math.max(this.slowestSendMs, Date.now() - started);
    for (const e of events) this.sent.add(e.event_id);
  }

  /** Starts one chain of each type for users hashed to `partitions` and sends all but its last step. */
  async startSplitChains(types: readonly ChainType[], partitions: readonly number[], totalPartitions: number): Promise<SplitChain[]> {
    const out: SplitChain[] = [];
    for (const [i, type] of types.entries()) {
      const want = partitions[i % partitions.length]!;
      const user = this.splitUsers.find((u) => partitionOf(eventKey({ tenant_id: u.tenant_id, actor: { user_id: u.user_id } }), totalPartitions) === want);
      if (!user) throw new Error(`no split-chain user hashes to partition ${want}`);
      this.splitUsers.splice(this.splitUsers.indexOf(user), 1);
      const { chain, events } = buildChain(this.splitRng, type, user, Date.now(), () => 500, this.splitIndex++);
      await this.send(events.slice(0, -1));
      out.push({ chain, partition: want, last: events[events.length - 1]! });
    }
    return out;
  }

  /** Sends the completing steps, stamped with the time they are sent (as a real agent's call would be). */
  async finishSplitChains(chains: readonly SplitChain[]): Promise<void> {
    const now = Date.now();
    await this.send(chains.map((c) => ({ ...c.last, ts: new Date(now).toISOString() })));
    for (const c of chains) c.chain.end = new Date(now).toISOString();
  }

  /** Every chain that was started: the simulator's and the split ones. */
  chains(split: readonly SplitChain[]): InjectedChain[] {
    return [...this.live.manifest.chains, ...split.map((s) => s.chain)];
  }
}
