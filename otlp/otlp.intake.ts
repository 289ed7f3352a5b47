// Decoded spans and log records to audit events: each item is mapped to an exchange
// (span.exchange.ts, claude.exchange.ts) and built by capture's importer, with session state kept
// per tenant, user, agent, server and session as for recorded exchanges. Items that are not MCP are
// skipped and counted; an item that cannot become a valid event is refused with its reason, which
// the answer reports as a partial success.
import { ExchangeImporter, type ImportedEvent } from '../capture/exchange.import.ts';
import type { BuildOptions } from '../capture/event.builder.ts';
import { EventRejectedError, encodeEvent } from '../producer/audit.producer.ts';
import { claudeToExchange } from './claude.exchange.ts';
import { applyPatch, type Mapped, type SkipReason } from './mapped.ts';
import type { OtlpLogRecord, OtlpSpan } from './otlp.model.ts';
import { spanToExchange } from './span.exchange.ts';

export interface IntakeResult {
  events: ImportedEvent[];
  skipped: Record<SkipReason, number>;
  rejected: number;
  /** The first few reasons, for the partial-success error_message. */
  reasons: string[];
}

/** Sessions remembered at once (client, protocol version, tool-list fingerprint); the least recently used is forgotten. */
const MAX_SESSIONS = 10_000;
const MAX_REASONS = 5;

export class OtlpIntake {
  private readonly importer: ExchangeImporter;
  private readonly maxEventBytes: number;

  constructor(build: BuildOptions, maxEventBytes: number) {
    this.importer = new ExchangeImporter(build, { maxSessions: MAX_SESSIONS });
    this.maxEventBytes = maxEventBytes;
  }

  spans(spans: readonly OtlpSpan[], tenantId: string): IntakeResult {
    return this.run(spans, (s) => spanToExchange(s, tenantId), (s) => `span ${s.spanId || s.name.slice(0, 64)}`);
  }

  logs(records: readonly OtlpLogRecord[], tenantId: string): IntakeResult {
    return this.run(records, (r) => claudeToExchange(r, tenantId), (r, i) => `log record ${i}`);
  }

  private run<T>(items: readonly T[], map: (item: T) => Mapped, name: (item: T, index: number) => string): IntakeResult {
    const out: IntakeResult = { events: [], skipped: { not_mcp: 0, not_audited: 0 }, rejected: 0, reasons: [] };
    const refuse = (reason: string) => {
      out.rejected++;
      if (out.reasons.length < MAX_REASONS) out.reasons.push(reason.slice(0, 300));
    };
    items.forEach((item, index) => {
      const mapped = map(item);
      if ('skip' in mapped) {
        out.skipped[mapped.skip]++;
        return;
      }
      if ('reject' in mapped) return refuse(`${name(item, index)}: ${mapped.reject}`);
      const built = this.importer.importExchange(mapped.exchange);
      if ('reason' in built) return refuse(`${name(item, index)}: ${built.reason}`);
      if (built.events.length === 0) {
        out.skipped.not_audited++;
        return;
      }
      for (const e of built.events) {
        const event = applyPatch(e, mapped.patch);
        try {
          encodeEvent(event, this.maxEventBytes);
          out.events.push(event);
        } catch (err) {
          if (!(err instanceof EventRejectedError)) throw err;
          refuse(`${name(item, index)}: ${err.issues.slice(0, 3).join('; ')}`);
        }
      }
    });
    return out;
  }
}
