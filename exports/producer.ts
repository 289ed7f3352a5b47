// `mcp-audit/producer`: what an MCP component needs to report audit events to Kafka itself. Every
// event is checked against its contract version before it leaves the process and keyed
// `tenant_id:user_id` (see producer/audit.producer.ts).
//
//   const log = createLogger('info', 'my-gateway');
//   const producer = new AuditProducer(createKafka({ brokers: ['127.0.0.1:9092'], clientId: 'my-gateway' }, log), { topic: 'mcp.audit.events' });
//   await producer.connect();
//   await producer.send(event); // throws EventRejectedError if the event breaks the contract
export { AuditProducer, EventRejectedError, encodeEvent, type AuditProducerOptions, type Rejection } from '../producer/audit.producer.ts';
export { loadConfig, type Config } from '../core/config.ts';
export { createKafka } from '../core/kafka.ts';
export { createLogger, type Logger } from '../core/logger.ts';
export type { AuditEvent } from '../schemas/event.ts';
