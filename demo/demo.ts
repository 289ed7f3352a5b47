// The parts `mcp-audit run --demo` adds to the pipeline: the webhook receiver as the notifier's only
// destination, a generated API key, simulated traffic with attack chains, and prompt-injection stories.
import type { Config } from '../core/config.ts';
import type { Logger } from '../core/logger.ts';
import { loadDestinations, type Destination } from '../notifier/destinations.config.ts';
import { alertLine } from './alert.line.ts';
import { demoInjected } from './demo.injected.ts';
import { demoKey } from './demo.key.ts';
import { demoTraffic } from './demo.traffic.ts';
import { startWebhookReceiver, type WebhookReceiver } from './webhook.receiver.ts';

const SECRET_ENV = 'MCP_AUDIT_DEMO_WEBHOOK_SECRET';

/** The receiver as a Standard Webhooks destination, through the same validation as a configured one. */
function receiverDestination(receiver: WebhookReceiver): Destination[] {
  const spec = {
    name: 'demo-receiver',
    type: 'standard-webhooks',
    url: receiver.url,
    secret_env: SECRET_ENV,
    // The receiver listens on loopback, which the SSRF guard refuses unless allowed per destination.
    allow_networks: ['loopback'],
    // A local receiver answers at once; a slow retry schedule would only delay the demo's output.
    backoff_initial_ms: 200,
    backoff_max_ms: 5_000,
  };
  return loadDestinations({ destinationsFile: '', destinationsJson: JSON.stringify([spec]) }, { [SECRET_ENV]: receiver.secret });
}

export async function createDemo(config: Config, log: Logger, startedAtMs: number) {
  // Alert lines go to stdout as they are: they are the demo's output, not log records.
  const receiver = await startWebhookReceiver((alert) => process.stdout.write(alertLine(alert, startedAtMs) + '\n'), log.child({ component: 'receiver' }));
  return {
    receiver,
    destinations: receiverDestination(receiver),
    key: demoKey(config, log.child({ component: 'demo key' })),
    traffic: demoTraffic(config, log.child({ component: 'traffic' })),
    injected: demoInjected(config, log.child({ component: 'injected' })),
  };
}
