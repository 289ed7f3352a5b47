// Setup file of the unit lane (vitest.unit.config.ts): the unit lane starts no Kafka and no
// ClickHouse, so a test that reaches for them has been put in the wrong lane. Every connection to the
// stack's ports (the configured Kafka brokers and ClickHouse URL, and the local stack's ports) is
// refused at once with a message saying so, the test is failed with that message, and the clients'
// retries end on the refusal instead of waiting for a server that will never answer.
import net from 'node:net';
import { afterEach } from 'vitest';
import { loadConfig } from '../../core/config.ts';

const config = loadConfig();
const stackPorts = new Map<number, string>([
  ...config.kafka.brokers.map((b) => [Number(b.split(':').pop()), 'Kafka'] as const),
  [Number(new URL(config.clickhouse.url).port || 8123), 'ClickHouse'],
  [config.stack.kafkaPort, 'Kafka'],
  [config.stack.kafkaControllerPort, 'the Kafka controller'],
  [config.stack.clickhouseHttpPort, 'ClickHouse'],
  [config.stack.clickhouseTcpPort, 'ClickHouse'],
]);

// The unit lane runs files in shared workers (isolate: false), where this file runs again before
// each test file: the socket is patched once per worker, and the refusals are kept on globalThis.
const state = ((globalThis as { __unitLaneNoStack?: { refused: Error[] } }).__unitLaneNoStack ??= { refused: [] });
const PATCHED = Symbol.for('mcp-audit.unit-lane.no-stack');

/** The port of a Socket#connect call: (options), (port, host?, listener?) or (path) for IPC. */
function portOf(args: unknown[]): number | undefined {
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) return Number(first);
  if (first && typeof first === 'object' && 'port' in first) return Number((first as { port: unknown }).port);
  return undefined;
}

const proto = net.Socket.prototype as net.Socket & { [PATCHED]?: true };
if (!proto[PATCHED]) {
  const connect = proto.connect;
  proto.connect = function (this: net.Socket, ...args: unknown[]) {
    const port = portOf(args);
    const what = port === undefined ? undefined : stackPorts.get(port);
    if (what === undefined) return (connect as (...a: unknown[]) => net.Socket).apply(this, args);
    const err = new Error(
      `unit lane: this test connects to ${what} (port ${port}), but \`npm run test:unit\` starts no Kafka and no ClickHouse. ` +
        'Move it under test/ (an integration test, run by `npm test` with the stack), or take the stack out of it.',
    );
    state.refused.push(err);
    process.nextTick(() => this.destroy(err));
    return this;
  } as typeof proto.connect;
  proto[PATCHED] = true;
}

afterEach(() => {
  const first = state.refused[0];
  state.refused.length = 0;
  if (first) throw first;
});
