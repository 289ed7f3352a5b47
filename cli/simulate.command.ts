import type { Command } from 'commander';
import { createWriteStream } from 'node:fs';
import { chainTypes, parseInject } from '../simulate/chains.ts';
import type { InjectSpec } from '../simulate/simulate.ts';
import { runSimulation } from '../simulate/simulate.runner.ts';
import { context, kafkaFor } from '../core/context.ts';

const count = (name: string, min: number, max: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > max) throw new Error(`${name}: expected ${min}..${max}, got ${v}`);
  return n;
};

/** `90`, `90s`, `5m`, `2h`, `1500ms` -> milliseconds. */
export function parseDuration(v: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(v.trim());
  if (!m) throw new Error(`bad duration ${JSON.stringify(v)} (e.g. 90s, 5m, 1h)`);
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  return Math.round(Number(m[1]) * unit);
}

interface SimulateFlags {
  users: number;
  days?: number;
  rate?: number;
  duration?: number;
  seed: number;
  inject: InjectSpec[];
  manifest?: string;
  tenants?: string;
  topic?: string;
  ndjson?: string;
}

export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description(
      'Produce realistic MCP traffic (roles, daily rhythms, errors, tool listings) to the events topic, optionally with injected attack chains and a ground-truth manifest. ' +
        'History (--days) has past timestamps; live (--rate) runs in real time.',
    )
    .option('--users <n>', 'simulated users', count('--users', 1, 1_000_000), 20)
    .option('--days <d>', 'days of history before now (default 1 without --rate, 0 with it)', count('--days', 0, 366))
    .option('--rate <r>', 'live events per second', count('--rate', 0, 1_000_000))
    .option('--duration <time>', 'how long the live part runs, e.g. 60s, 5m (default: until Ctrl-C)', parseDuration)
    .option('--seed <n>', 'random seed: the same seed and options give the same traffic', count('--seed', 0, 2 ** 32 - 1), 1)
    .option(
      '--inject <chain[:count]>',
      `inject attack chains (repeatable): ${chainTypes.join(', ')}`,
      (v: string, acc: InjectSpec[]) => [...acc, parseInject(v)],
      [] as InjectSpec[],
    )
    .option('--manifest <path>', 'write the ground truth (injected chains with their event ids) as JSON here')
    .option('--tenants <list>', 'comma-separated tenant ids (default acme,globex,initech)')
    .option('--topic <name>', 'topic to produce to (default MCP_AUDIT_TOPIC_EVENTS)')
    .option('--ndjson <path>', 'write the events to this NDJSON file instead of Kafka')
    .action(async (flags: SimulateFlags) => {
      const { config, log } = context('simulate');
      const live = (flags.rate ?? 0) > 0;
      const days = flags.days ?? (live ? 0 : 1);
      if (days === 0 && !live) throw new Error('nothing to do: give --days > 0 or --rate > 0');
      const abort = new AbortController();
      const onSignal = () => abort.abort();
      // `on`, not `once`: the same stop can arrive twice (npm forwards what its process group got),
      // and a second signal without a listener would kill the process before it finishes writing.
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      const tty = process.stderr.isTTY;
      let lastLine = 0;
      const progress = (line: string, final: boolean) => {
        // On a terminal one line updates in place; in a log, a line every 5 s and the final ones.
        if (tty) process.stderr.write(`\r${line}\x1b[K${final ? '\n' : ''}`);
        else if (final || Date.now() - lastLine >= 5_000) {
          lastLine = Date.now();
          process.stderr.write(line + '\n');
        }
      };
      const out = flags.ndjson ? createWriteStream(flags.ndjson) : null;
      const sink = out
        ? (events: unknown[]) =>
            new Promise<void>((resolve, reject) => out.write(events.map((e) => JSON.stringify(e)).join('\n') + '\n', (err) => (err ? reject(err) : resolve())))
        : undefined;
      try {
        const { produced, manifest } = await runSimulation(
          { ...(sink ? { sink } : { kafka: kafkaFor(config, log), topic: flags.topic ?? config.topics.events }), log, progress },
          {
            users: flags.users,
            days,
            seed: flags.seed,
            inject: flags.inject,
            signal: abort.signal,
            ...(flags.rate ? { rate: flags.rate } : {}),
            ...(flags.duration !== undefined ? { durationMs: flags.duration } : {}),
            ...(flags.tenants ? { tenants: flags.tenants.split(',').map((t) => t.trim()).filter(Boolean) } : {}),
            ...(flags.manifest ? { manifestPath: flags.manifest } : {}),
          },
        );
        process.stderr.write(
          `simulate: ${produced.toLocaleString('en-US')} events ${out ? `written to ${flags.ndjson}` : `produced to ${flags.topic ?? config.topics.events}`}, ` +
            `${manifest.chains.length} injected chains${flags.manifest ? `, manifest ${flags.manifest}` : ''}\n`,
        );
      } finally {
        await new Promise<void>((r) => (out ? out.end(r) : r()));
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}
