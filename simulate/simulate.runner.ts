// Produces simulated traffic to Kafka with the producer library: first the history (past
// timestamps, as fast as Kafka takes it), then live traffic at `rate` events/s for `durationMs`.
// Writes the ground-truth manifest of the injected chains at the end.
import { writeFile } from 'node:fs/promises';
import type { Kafka } from 'kafkajs';
import type { Logger } from '../core/logger.ts';
import { AuditProducer } from '../producer/audit.producer.ts';
import type { AuditEventV1 } from '../schemas/event.v1.ts';
import { createManifest, generateTraffic, LiveTraffic, type InjectSpec, type Manifest } from './simulate.ts';

export interface SimulationOptions {
  users: number;
  /** Days of history; 0 for none. */
  days: number;
  seed: number;
  tenants?: readonly string[];
  /** Chains go into the live part when there is one, else into the history. */
  inject?: readonly InjectSpec[];
  /** Live events per second; 0 or undefined for no live part. */
  rate?: number;
  /** Live duration (ms); undefined with a rate: until `signal` aborts. */
  durationMs?: number;
  endMs?: number;
  manifestPath?: string;
  signal?: AbortSignal;
}

export interface SimulationDeps {
  /** Where the events go: Kafka through the producer library... */
  kafka?: Kafka;
  topic?: string;
  /** ...or any sink (NDJSON files, tests). */
  sink?: (events: AuditEventV1[]) => Promise<void>;
  log?: Logger;
  /** Progress lines; `final` on the last one of a phase. */
  progress?: (line: string, final: boolean) => void;
}

const HISTORY_BATCH = 2_000;
const TICK_MS = 100;
const fmt = (n: number) => n.toLocaleString('en-US');

export async function runSimulation(deps: SimulationDeps, opts: SimulationOptions): Promise<{ produced: number; manifest: Manifest }> {
  let producer: AuditProducer | null = null;
  let sink = deps.sink;
  if (!sink) {
    if (!deps.kafka || !deps.topic) throw new Error('runSimulation needs kafka and topic, or a sink');
    producer = new AuditProducer(deps.kafka, { topic: deps.topic, lingerMs: 5, maxBatch: 1_000 });
    await producer.connect();
    const p = producer;
    sink = (events) => p.sendMany(events);
  }
  const live = (opts.rate ?? 0) > 0;
  let produced = 0;
  let manifest: Manifest | null = null;
  try {
    if (opts.days > 0) {
      const started = Date.now();
      const { events, manifest: m } = generateTraffic({
        users: opts.users,
        days: opts.days,
        seed: opts.seed,
        ...(opts.endMs !== undefined ? { endMs: opts.endMs } : {}),
        ...(opts.tenants ? { tenants: opts.tenants } : {}),
        inject: live ? [] : (opts.inject ?? []),
      });
      manifest = m;
      for (let i = 0; i < events.length && !opts.signal?.aborted; i += HISTORY_BATCH) {
        const batch = events.slice(i, i + HISTORY_BATCH);
        await sink(batch);
        produced += batch.length;
        const s = (Date.now() - started) / 1000;
        deps.progress?.(`simulate: history ${fmt(produced)}/${fmt(events.length)} events (${Math.round((100 * produced) / events.length)}%), ${fmt(Math.round(produced / Math.max(s, 0.001)))} ev/s, ${m.chains.length} chains`, produced === events.length);
      }
    }
    if (live && !opts.signal?.aborted) {
      const startMs = Date.now();
      const traffic = new LiveTraffic({
        users: opts.users,
        seed: opts.seed,
        rate: opts.rate!,
        startMs,
        ...(opts.durationMs !== undefined ? { durationMs: opts.durationMs } : {}),
        ...(opts.tenants ? { tenants: opts.tenants } : {}),
        inject: opts.inject ?? [],
      });
      let lastShown = 0;
      for (;;) {
        const now = Date.now();
        const over = opts.signal?.aborted || (opts.durationMs !== undefined && now - startMs >= opts.durationMs);
        // At the end, let chains already started finish their remaining steps.
        if (over && (opts.signal?.aborted || traffic.pendingCount === 0)) break;
        const events = traffic.due(now, !over);
        if (events.length) {
          await sink(events);
          produced += events.length;
        }
        if (now - lastShown >= 500) {
          lastShown = now;
          const s = (now - startMs) / 1000;
          deps.progress?.(
            `simulate: live ${fmt(produced)} events, ${fmt(Math.round(traffic.manifest.counts.events / Math.max(s, 0.001)))} ev/s, chains ${traffic.manifest.chains.length}/${traffic.manifest.chains.length + traffic.chainsLeft}, ${s.toFixed(0)}s${opts.durationMs !== undefined ? `/${(opts.durationMs / 1000).toFixed(0)}s` : ''}`,
            false,
          );
        }
        await new Promise((r) => setTimeout(r, Math.max(0, TICK_MS - (Date.now() - now))));
      }
      deps.progress?.(`simulate: live done, ${fmt(traffic.manifest.counts.events)} events, ${traffic.manifest.chains.length} chains`, true);
      manifest = manifest ? merge(manifest, traffic.manifest) : traffic.manifest;
    }
    await producer?.flush();
  } finally {
    await producer?.disconnect();
  }
  manifest ??= createManifest(opts.seed, 'history', [], Date.now(), Date.now());
  if (opts.manifestPath) await writeFile(opts.manifestPath, JSON.stringify(manifest, null, 2) + '\n');
  deps.log?.info({ produced, chains: manifest.chains.length, manifest: opts.manifestPath ?? null }, 'simulation done');
  return { produced, manifest };
}

function merge(history: Manifest, live: Manifest): Manifest {
  const byKind = { ...history.counts.by_kind };
  for (const [k, n] of Object.entries(live.counts.by_kind)) byKind[k] = (byKind[k] ?? 0) + n;
  const injected = new Set(live.users.filter((u) => u.injected).map((u) => `${u.tenant_id}:${u.user_id}`));
  return {
    ...history,
    mode: 'history+live',
    window: { from: history.window.from, to: live.window.to },
    users: history.users.map((u) => ({ ...u, injected: u.injected || injected.has(`${u.tenant_id}:${u.user_id}`) })),
    chains: [...history.chains, ...live.chains],
    counts: {
      events: history.counts.events + live.counts.events,
      chain_events: history.counts.chain_events + live.counts.chain_events,
      by_kind: byKind,
    },
  };
}
