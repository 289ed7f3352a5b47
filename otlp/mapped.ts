// What a span or log record maps to before capture builds the event: an exchange in the format of
// `capture import` (capture/exchange.import.ts), so OTLP events come out of the very code the
// proxies use (redaction, keyed hashes, fingerprints, resources, episodes); plus the few touches
// only telemetry needs afterwards, applied by `applyPatch`.
import type { ImportedEvent } from '../capture/exchange.import.ts';

/** Why an item yields no event: not MCP or tool telemetry at all, or a method or event capture does not report. */
export type SkipReason = 'not_mcp' | 'not_audited';

export interface EventPatch {
  /** Deterministic, so a retried export is stored once. */
  eventId: string;
  /** The telemetry carried no arguments: the builder's stand-in for "no arguments" is dropped. */
  dropArguments: boolean;
  /** The telemetry carried no result: no size or hash is invented for it. */
  dropResultDigest: boolean;
  /** error.type as the instrumentation named it, when more telling than a JSON-RPC code. */
  errorType?: string;
  /** gen_ai.tool.call.id */
  toolCallId?: string;
}

/** An exchange and its patch; a skip; or a refusal (an MCP item that cannot be an event, with the reason). */
export type Mapped = { exchange: Record<string, unknown>; patch: EventPatch } | { skip: SkipReason } | { reject: string };

const trunc = (s: string, n: number) => (s.length <= n ? s : s.slice(0, n));

export function applyPatch(event: ImportedEvent, patch: EventPatch): ImportedEvent {
  event.event_id = patch.eventId;
  if (patch.dropArguments) delete event.arguments;
  if (patch.dropResultDigest && event.result) {
    delete event.result.size_bytes;
    delete event.result.hmac_sha256;
    delete event.result.truncated;
  }
  if (patch.errorType && event.result && event.result.status === 'error') event.result.error_type = trunc(patch.errorType, 256);
  if (patch.toolCallId && event.tool) event.tool.call_id = trunc(patch.toolCallId, 256);
  return event;
}

/** A JSON-RPC id from jsonrpc.request.id (a string attribute): an integer when it reads as one. */
export function requestIdOf(raw: string | undefined, fallback: string): string | number {
  if (raw === undefined || raw === '') return fallback;
  return /^-?\d{1,15}$/.test(raw) ? Number(raw) : raw;
}
