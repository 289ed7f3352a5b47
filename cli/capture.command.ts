// `mcp-audit capture import`: recorded MCP exchanges (NDJSON, one exchange per line, optionally
// gzipped) become the audit events the proxy would have made, with the recorded times, sent to the
// events topic through the producer library or printed as NDJSON. Logs go to stderr so that
// `--ndjson` output on stdout stays pure.
import type { Command } from 'commander';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { pino } from 'pino';
import { buildOptionsFrom } from '../capture/capture.ts';
import { importExchanges, type ImportSummary } from '../capture/exchange.import.ts';
import { loadConfig } from '../core/config.ts';
import { createKafka } from '../core/kafka.ts';
import { createLogger } from '../core/logger.ts';
import { AuditProducer, EventRejectedError } from '../producer/audit.producer.ts';

interface ImportFlags {
  ndjson?: boolean;
  json?: boolean;
  topic?: string;
}

// Sends awaiting their acknowledgement at once: enough to fill the producer's batches, bounded so a
// large backfill never holds the whole file in memory.
const MAX_IN_FLIGHT = 5_000;

function openInput(file: string): Readable {
  const raw = file === '-' ? process.stdin : createReadStream(file);
  // Gzip is told by the name (.gz), as rotated gateway logs and the bench exports are named.
  return file.endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
}

function printSummary(s: ImportSummary & { rejected: number }, target: string, json: boolean, out: NodeJS.WritableStream): void {
  if (json) {
    out.write(JSON.stringify({ lines: s.lines, events: s.events - s.rejected, rejected: s.rejected, not_audited: s.notAudited, bad_lines: s.bad, target }) + '\n');
    return;
  }
  out.write(
    `capture import: ${(s.events - s.rejected).toLocaleString('en-US')} events ${target} from ${s.lines.toLocaleString('en-US')} lines` +
      `${s.bad.length ? `, ${s.bad.length} bad lines skipped` : ''}${s.rejected ? `, ${s.rejected} events rejected by the producer` : ''}` +
      `${s.notAudited ? `, ${s.notAudited} exchanges of unaudited methods` : ''}\n`,
  );
}

export function registerCapture(program: Command): void {
  const cmd = program.command('capture').description('Capture tools that work on recorded traffic.');

  cmd
    .command('import')
    .description(
      'Turn recorded MCP exchanges into audit events exactly as the proxy makes them (redaction, hashes, resources, tool-list fingerprints), with the recorded times. ' +
        'Input: NDJSON (gzipped if the name ends in .gz), one exchange per line: {"ts", "tenant_id", "user_id", "agent_id"?, "client"?: {"name","version"}, "session_id"?, ' +
        '"server": {"name","transport"}, "request": <JSON-RPC request>, "response": <JSON-RPC response or error, or null>, "duration_ms"?}. ' +
        'Bad lines are reported with their number and skipped.',
    )
    .argument('[file]', 'the NDJSON file; - or nothing for stdin', '-')
    .option('--ndjson', 'print the events as NDJSON on stdout instead of sending them to Kafka')
    .option('--json', 'print the summary as one JSON object')
    .option('--topic <name>', 'topic to produce to (default MCP_AUDIT_TOPIC_EVENTS)')
    .action(async (file: string, flags: ImportFlags) => {
      const config = loadConfig();
      const log = createLogger(config.logLevel, 'capture-import', pino.destination(2));
      const build = buildOptionsFrom(config, log);
      // readline starts reading at once and lines nobody listens to yet are lost: open the input
      // only where the loop that consumes it starts (after the producer has connected).
      const lines = () => createInterface({ input: openInput(file), crlfDelay: Infinity });
      const topic = flags.topic ?? config.topics.events;
      let rejected = 0;
      const reject = (line: number, err: unknown) => {
        if (!(err instanceof EventRejectedError)) throw err;
        rejected++;
        process.stderr.write(`line ${line}: event rejected by the producer: ${err.message}\n`);
      };

      let summary: ImportSummary;
      if (flags.ndjson) {
        summary = await importExchanges(lines(), build, (event) => {
          if (!process.stdout.write(JSON.stringify(event) + '\n')) return new Promise<void>((r) => process.stdout.once('drain', () => r()));
        });
      } else {
        const producer = new AuditProducer(createKafka(config.kafka, log), { topic, maxBytes: config.event.maxBytes });
        await producer.connect();
        const inFlight = new Set<Promise<void>>();
        let failure: unknown = null;
        try {
          summary = await importExchanges(lines(), build, async (event, line) => {
            if (failure) throw failure;
            let sent: Promise<void>;
            try {
              sent = producer.send(event);
            } catch (err) {
              reject(line, err);
              return;
            }
            const tracked = sent.catch((err: unknown) => void (failure ??= err)).finally(() => inFlight.delete(tracked));
            inFlight.add(tracked);
            if (inFlight.size >= MAX_IN_FLIGHT) await Promise.race(inFlight);
          });
          await Promise.all(inFlight);
          if (failure) throw failure;
        } finally {
          await producer.disconnect();
        }
      }
      for (const b of summary.bad) process.stderr.write(`line ${b.line}: skipped: ${b.reason}\n`);
      // With --ndjson stdout carries the events, so the summary goes to stderr.
      printSummary({ ...summary, rejected }, flags.ndjson ? 'printed' : `produced to ${topic}`, !!flags.json, flags.ndjson ? process.stderr : process.stdout);
    });
}
