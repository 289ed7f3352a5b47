// The demo's prompt-injection story. Every so often one simulated employee's agent reads a mail or
// web page that carries hidden instructions and an attacker's value (an address, an IBAN), and then
// acts on that value: forwards contracts, pays an invoice to the new account. The calls go through
// capture's own path (the exchange importer: redaction, keyed fingerprints, instruction markers),
// exactly what a proxy would produce, so the alert shows a value that came from injected text.
import { randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildOptionsFrom } from '../capture/capture.ts';
import { ExchangeImporter } from '../capture/exchange.import.ts';
import type { Config } from '../core/config.ts';
import { kafkaFor } from '../core/context.ts';
import type { Logger } from '../core/logger.ts';
import type { NamedService } from '../core/service.group.ts';
import { AuditProducer } from '../producer/audit.producer.ts';
import { createRng, type Rng } from '../simulate/rng.ts';
import { AttackBuilder } from '../simulate/exchanges/attack.kit.ts';
import { fits } from '../simulate/exchanges/attacks.ts';
import { INJECTED } from '../simulate/exchanges/attacks.injected.ts';
import { makePopulation, type PopUser } from '../simulate/exchanges/population.ts';
import { DEMO_TENANT, INJECTED_EVERY_S, INJECTED_FIRST_S } from './demo.config.ts';

/** The stories told, in turn: each reuses a value from the injected text in its harmful call. */
const STORIES = ['invoice-mail-changed-bank-details', 'mail-injection-forwards-contracts', 'web-page-payment-instructions'];
/** Pause between the calls of a story (wall time): the events carry the time they are sent. */
const CALL_GAP_MS = 300;

export function demoInjected(config: Config, log: Logger): NamedService {
  const abort = new AbortController();
  let running: Promise<void> | null = null;
  return {
    name: 'injected stories',
    async start() {
      const producer = new AuditProducer(kafkaFor(config, log), { topic: config.topics.events, maxBytes: config.event.maxBytes });
      await producer.connect();
      const importer = new ExchangeImporter(buildOptionsFrom(config, log));
      const rng = createRng(randomInt(1, 2 ** 31));
      running = (async () => {
        let n = 0;
        try {
          for (let wait = INJECTED_FIRST_S; ; wait = INJECTED_EVERY_S) {
            await sleep(wait * 1000, undefined, { signal: abort.signal });
            await tellStory(STORIES[n++ % STORIES.length]!, rng, importer, producer, abort.signal);
          }
        } catch (err) {
          if (!abort.signal.aborted) log.error({ err }, 'demo injected stories stopped with an error');
        } finally {
          await producer.disconnect();
        }
      })();
    },
    async stop() {
      abort.abort();
      await running;
    },
  };
}

/** Builds one story for a fitting employee and sends its calls as events, one every CALL_GAP_MS. */
async function tellStory(name: string, rng: Rng, importer: ExchangeImporter, producer: AuditProducer, signal: AbortSignal): Promise<void> {
  const scenario = INJECTED.find((s) => s.name === name)!;
  const victim = demoUser(rng, (u) => fits(u, scenario));
  const b = new AttackBuilder(victim, rng, Date.now(), `demo.${name}`);
  scenario.build(b);
  for (const x of b.runs.flatMap((r) => r.exchanges)) {
    const built = importer.importExchange({ ...x, ts: new Date().toISOString(), tenant_id: DEMO_TENANT, user_id: victim.user_id });
    if ('reason' in built) throw new Error(`demo story ${name}: ${built.reason}`);
    for (const event of built.events) await producer.send(event);
    await sleep(CALL_GAP_MS, undefined, { signal });
  }
}

/** An employee of the simulated population who fits, renamed into the demo's tenant. */
function demoUser(rng: Rng, fits: (u: PopUser) => boolean): PopUser {
  for (;;) {
    const u = makePopulation(rng, 8).find(fits);
    if (u) return { ...u, user_id: `${u.user_id.split('@')[0]}@${DEMO_TENANT}.example` };
  }
}
