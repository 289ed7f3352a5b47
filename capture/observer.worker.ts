// The observer thread of one stdio connection (started by observer.thread.ts): it receives copies
// of the relayed bytes with the time each passed, and turns them into audit events here, so parsing,
// redaction, hashing and fingerprints never hold up the relay's event loop. Events go back to the
// relay's thread, which owns the Kafka producer and the spill buffer.
import { parentPort, workerData } from 'node:worker_threads';
import { uuidv7 } from '../core/ids.ts';
import { denyKeyMatcher } from './redact.ts';
import { StdioObserver } from './stdio.observer.ts';
import type { ObserverSettings, ToObserver } from './observer.thread.ts';

const settings = workerData as ObserverSettings;
const port = parentPort!;
const observer = new StdioObserver({
  session: settings.session,
  identity: settings.identity,
  build: { ...settings.build, isDeniedKey: denyKeyMatcher(settings.build.denyKeys), hashKey: { id: settings.build.hashKey.id, bytes: Buffer.from(settings.build.hashKey.bytes) } },
  newSessionId: uuidv7,
  emit: (event) => port.postMessage({ event }),
  onError: (err) => port.postMessage({ error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
});

port.on('message', (m: ToObserver) => {
  const at = { wallMs: m.wallMs, monoMs: m.monoMs };
  if (m.kind === 'close') {
    observer.close(at);
    port.postMessage({ closed: true });
    return;
  }
  const chunk = Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength);
  if (m.kind === 'client') observer.fromClient(chunk, at);
  else observer.fromServer(chunk, at);
});
