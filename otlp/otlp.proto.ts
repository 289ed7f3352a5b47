// The OTLP protobuf schema: the message types the OpenTelemetry project generated (pbjs, static
// module on the protobufjs runtime) from the official opentelemetry-proto definitions and ships in
// `@opentelemetry/otlp-transformer`. Installed under the alias `otlp-generated-root` at 0.214.0, the
// last release whose generated root still holds the trace and logs collector services (later
// releases encode with a hand-written writer and decode nothing; the notifier uses the current
// release beside it to send). The OTLP v1 wire format is stable, so this schema reads what current
// exporters send (tests run the Python 1.45 and Node 0.301 exporters against it). The only file
// that touches it: replacing it (protobufjs with the .proto files) changes nothing else.
// google.rpc.Status, the body of OTLP error answers, is declared here with protobufjs reflection.
import { createRequire } from 'node:module';
import protobuf from 'protobufjs';

/** A decoded message: the generated classes give plain own properties for the fields that were present. */
export type Decoded = Record<string, unknown>;

interface MessageType {
  decode(reader: Uint8Array): Decoded;
  encode(message: Record<string, unknown>): { finish(): Uint8Array };
  fromObject(object: Record<string, unknown>): Record<string, unknown>;
}

interface GeneratedRoot {
  opentelemetry: {
    proto: {
      collector: {
        trace: { v1: { ExportTraceServiceRequest: MessageType; ExportTraceServiceResponse: MessageType } };
        logs: { v1: { ExportLogsServiceRequest: MessageType; ExportLogsServiceResponse: MessageType } };
      };
    };
  };
}

const root = createRequire(import.meta.url)('otlp-generated-root/build/src/generated/root.js') as GeneratedRoot;
const collector = root.opentelemetry.proto.collector;

export const TraceRequest = collector.trace.v1.ExportTraceServiceRequest;
export const TraceResponse = collector.trace.v1.ExportTraceServiceResponse;
export const LogsRequest = collector.logs.v1.ExportLogsServiceRequest;
export const LogsResponse = collector.logs.v1.ExportLogsServiceResponse;

/** google.rpc.Status (code, message; no details), as OTLP/HTTP answers every 4xx and 5xx. */
export const RpcStatus = new protobuf.Type('Status').add(new protobuf.Field('code', 1, 'int32')).add(new protobuf.Field('message', 2, 'string'));
new protobuf.Root().define('google.rpc').add(RpcStatus);
