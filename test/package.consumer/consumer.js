// A plain JavaScript user of the installed package, run before @modelcontextprotocol/sdk is
// installed: the producer, the middleware and the schema load without it (it is only an optional
// peer for the middleware's types). Prints one JSON line for the test.
import { readFileSync } from 'node:fs';
import { buildOptionsFrom, createCapture, loadConfig, withAudit } from 'mcp-audit/middleware';
import { AuditProducer, EventRejectedError, createKafka, createLogger, encodeEvent } from 'mcp-audit/producer';
import { auditEvent } from 'mcp-audit/schema';
import schema from 'mcp-audit/schema/event.v2.schema.json' with { type: 'json' };

const event = JSON.parse(readFileSync(new URL('./event.json', import.meta.url), 'utf8'));
const log = createLogger('silent', 'consumer');
// Constructing a producer does not connect: no broker is needed here.
new AuditProducer(createKafka({ brokers: ['127.0.0.1:9'], clientId: 'consumer' }, log), { topic: 'mcp.audit.events' });
const { message } = encodeEvent(event);
let rejected = false;
try {
  encodeEvent({ schema_version: 2 });
} catch (err) {
  rejected = err instanceof EventRejectedError;
}
const build = buildOptionsFrom(loadConfig({ MCP_AUDIT_HASH_KEY: 'ab'.repeat(32) }), log);
process.stdout.write(
  `${JSON.stringify({
    key: String(message.key),
    rejected,
    valid: auditEvent.safeParse(event).success,
    schema: schema.$schema,
    middleware: [typeof withAudit, typeof createCapture],
    previewChars: build.previewChars,
  })}\n`,
);
