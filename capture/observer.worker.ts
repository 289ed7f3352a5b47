// The observer thread of one stdio connection (started by observer.thread.ts): it receives copies
// of the relayed bytes with the time each passed, and turns them into audit events here, so parsing,
// redaction, hashing and fingerprints never hold up the relay's event loop. Events go back to the
// relay's thread, which owns the Kafka producer and the spill buffer.
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { uuidv7 } from '../core/ids.ts';
import { denyKeyMatcher } from './redact.ts';
import { StdioObserver } from './stdio.observer.ts';
import type { ObserverSettings, ToObserver } from './observer.thread.ts';

/** Nice value of this thread: audit work yields the CPU to the relay, the client and the server. */
const AUDIT_NICENESS = 10;
// On Linux a thread's id is its /proc/thread-self entry, and setpriority on it lowers only this
// thread. Elsewhere, or without the right, the thread keeps the process's priority.
try {
  setPriority(Number(readlinkSync('/proc/thread-self').split('/').pop()), AUDIT_NICENESS);
} catch {
  // not Linux: no per-thread priority
}

const settings = workerData as ObserverSettings;
const port = parentPort!;

// Skimmed messages are reported at most every 10 s, with how many and how far behind.
const SKIM_REPORT_MS = 10_000;
let skims = { messages: 0, bytes: 0, maxLagMs: 0 };
let lastReport = -Infinity;
const reportSkims = (force: boolean) => {
  if (!skims.messages || (!force && performance.now() - lastReport < SKIM_REPORT_MS)) return;
  port.postMessage({ skimmed: skims });
  skims = { messages: 0, bytes: 0, maxLagMs: 0 };
  lastReport = performance.now();
};

const observer = new StdioObserver({
  session: settings.session,
  identity: settings.identity,
  build: { ...settings.build, isDeniedKey: denyKeyMatcher(settings.build.denyKeys), hashKey: { id: settings.build.hashKey.id, bytes: Buffer.from(settings.build.hashKey.bytes) } },
  newSessionId: uuidv7,
  emit: (event) => port.postMessage({ event }),
  onError: (err) => port.postMessage({ error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
  onSkim: (bytes, lagMs) => {
    skims.messages++;
    skims.bytes += bytes;
    skims.maxLagMs = Math.max(skims.maxLagMs, Math.round(lagMs));
    reportSkims(false);
  },
});

port.on('message', (m: ToObserver) => {
  const at = { wallMs: m.wallMs, monoMs: m.monoMs };
  if (m.kind === 'close') {
    observer.close(at);
    reportSkims(true);
    port.postMessage({ closed: true });
    return;
  }
  const chunk = Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength);
  if (m.kind === 'client') observer.fromClient(chunk, at);
  else observer.fromServer(chunk, at);
});
