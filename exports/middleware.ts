// `mcp-audit/middleware`: audit for MCP servers built on @modelcontextprotocol/sdk 1.x (an optional
// peer dependency, used for its types only) or @modelcontextprotocol/server 2.x. `withAudit` hooks
// the server's transport (`auditTransport` hooks one transport); `createCapture`
// redacts, hashes and delivers the events through a spill buffer (see capture/sdk.middleware.ts).
//
//   const config = loadConfig();
//   const log = createLogger(config.logLevel, 'crm');
//   const capture = createCapture(config, { kafka: createKafka(config.kafka, log), log });
//   const server = withAudit(new McpServer({ name: 'crm', version: '1.0.0' }), { capture, identity: { tenantId: 'acme', userId: 'alice' } });
export { withAudit, auditTransport, type AuditOptions } from '../capture/sdk.middleware.ts';
export { createCapture, buildOptionsFrom, identityFrom, type Capture } from '../capture/capture.ts';
export type { BuildOptions, Identity } from '../capture/event.builder.ts';
export { loadConfig, type Config } from '../core/config.ts';
export { createKafka } from '../core/kafka.ts';
export { createLogger, type Logger } from '../core/logger.ts';
