// A TypeScript user of the installed package with the MCP SDK: type-checked by tsc against the
// shipped declarations, then run by Node 24. A real SDK server and client talk over the in-memory
// transport; the middleware turns the tool call into an event the schema accepts and the producer
// encodes. Prints one JSON line for the test.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { buildOptionsFrom, loadConfig, withAudit, type Identity } from 'mcp-audit/middleware';
import { AuditProducer, EventRejectedError, createKafka, createLogger, encodeEvent, type AuditEvent } from 'mcp-audit/producer';
import { auditEventV2, type AuditEventV2 } from 'mcp-audit/schema';

const log = createLogger('silent', 'consumer');
const config = loadConfig({ MCP_AUDIT_HASH_KEY: 'ab'.repeat(32) });
const identity: Identity = { tenantId: 'acme', userId: 'alice', agentId: 'bot' };
const events: AuditEventV2[] = [];

const server = withAudit(new McpServer({ name: 'notes', version: '1.0.0' }), {
  capture: { push: (e) => events.push(e), build: buildOptionsFrom(config, log) },
  identity,
});
server.registerTool('ping', { description: 'Answers pong.' }, async () => ({ content: [{ type: 'text', text: 'pong' }] }));
const [serverSide, clientSide] = InMemoryTransport.createLinkedPair();
await server.connect(serverSide);
const client = new Client({ name: 'consumer', version: '0.0.1' });
await client.connect(clientSide);
await client.callTool({ name: 'ping', arguments: {} });
await client.close();

const call = events.find((e) => e.kind === 'tool_call');
if (!call) throw new Error('the middleware reported no tool call');
const typed: AuditEvent = call;
// The declarations carry real types, not `any`: tsc must reject this line (Node runs it harmlessly).
// @ts-expect-error a tool name is a string
const notANumber: number = call.tool?.name;
const { message } = encodeEvent(typed);
new AuditProducer(createKafka(config.kafka, log), { topic: config.topics.events });
let rejected = false;
try {
  encodeEvent({ ...call, tool: undefined });
} catch (err) {
  rejected = err instanceof EventRejectedError;
}
process.stdout.write(
  `${JSON.stringify({ tool: call.tool?.name, status: call.result?.status, valid: auditEventV2.safeParse(call).success, key: String(message.key), rejected })}\n`,
);
