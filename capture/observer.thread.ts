// Runs the observer of a stdio connection (stdio.observer.ts) in a worker thread, so that turning
// messages into events (parsing, redaction, keyed hashes, fingerprints: tens of milliseconds for a
// megabyte result) never delays the bytes the proxy relays. The relay's side only copies each chunk
// and posts it with the time it passed; events come back and are pushed to capture here.
// When the build options cannot cross to a thread (no deny-list to rebuild the matcher from), or
// the thread fails, observing goes on in the relay's own thread, with a log line saying so.
import { Worker } from 'node:worker_threads';
import { uuidv7 } from '../core/ids.ts';
import type { Logger } from '../core/logger.ts';
import { RUNS_FROM_SOURCE } from '../core/package.paths.ts';
import type { AuditEventV2 } from '../schemas/event.v2.ts';
import { stampNow } from './call.tracker.ts';
import type { BuildOptions, Identity, SessionInfo } from './event.builder.ts';
import { StdioObserver } from './stdio.observer.ts';

/** What the observer thread is started with: the build options less the deny-key matcher (a function), which it remakes. */
export interface ObserverSettings {
  session: SessionInfo;
  identity: Identity;
  build: Omit<BuildOptions, 'isDeniedKey' | 'denyKeys'> & { denyKeys: readonly string[] };
}

/** A message to the observer thread: a copy of relayed bytes, or the end of the connection, with when it happened. */
export type ToObserver = { kind: 'client' | 'server'; bytes: Uint8Array; wallMs: number; monoMs: number } | { kind: 'close'; wallMs: number; monoMs: number };

type FromObserver = { event: AuditEventV2 } | { error: string } | { skimmed: { messages: number; bytes: number; maxLagMs: number } } | { closed: true };

export interface ConnectionObserver {
  fromClient(chunk: Buffer): void;
  fromServer(chunk: Buffer): void;
  /** The connection ended; resolves once every event of it has been pushed. */
  close(): Promise<void>;
}

export interface ObserverDeps {
  push: (event: AuditEventV2) => void;
  log: Logger;
}

// The worker's file beside this one: the source, or what `npm run build` compiled into dist/.
const WORKER_URL = new URL(`./observer.worker.${RUNS_FROM_SOURCE ? 'ts' : 'js'}`, import.meta.url);

function inThread(settings: Omit<ObserverSettings, 'build'> & { build: BuildOptions }, deps: ObserverDeps): ConnectionObserver {
  const observer = new StdioObserver({
    ...settings,
    newSessionId: uuidv7,
    emit: deps.push,
    onError: (err) => deps.log.error({ err }, 'could not audit a message'),
  });
  return {
    fromClient: (chunk) => observer.fromClient(chunk, stampNow()),
    fromServer: (chunk) => observer.fromServer(chunk, stampNow()),
    close: async () => observer.close(stampNow()),
  };
}

export function startObserver(settings: { session: SessionInfo; identity: Identity; build: BuildOptions }, deps: ObserverDeps): ConnectionObserver {
  const { isDeniedKey: _matcher, denyKeys, ...build } = settings.build;
  if (!denyKeys) return inThread(settings, deps);
  const workerData: ObserverSettings = { session: settings.session, identity: settings.identity, build: { ...build, denyKeys } };
  const worker = new Worker(WORKER_URL, { workerData });
  let fallback: ConnectionObserver | null = null;
  let stopping = false;
  let closed: (() => void) | null = null;
  const done = new Promise<void>((resolve) => (closed = resolve));
  const fail = (err: unknown) => {
    if (fallback) return;
    deps.log.error({ err }, 'the capture observer thread failed: observing in the relay thread from now on; calls in flight may lack their event');
    fallback = inThread(settings, deps);
    closed?.();
  };
  worker.on('message', (m: FromObserver) => {
    if ('event' in m) deps.push(m.event);
    else if ('error' in m) deps.log.error({ err: m.error }, 'could not audit a message');
    else if ('skimmed' in m) deps.log.warn(m.skimmed, 'audit fell behind the relay: large messages recorded by keyed hash and size only, not inspected');
    else closed?.();
  });
  worker.on('error', fail);
  worker.on('exit', (code) => {
    if (!stopping) fail(new Error(`observer thread exited with code ${code}`));
  });
  const post = (kind: 'client' | 'server', chunk: Buffer) => {
    const { wallMs, monoMs } = stampNow();
    // A copy the thread owns (transferred, not cloned again): the relay may reuse the chunk's memory.
    const bytes = new Uint8Array(chunk);
    worker.postMessage({ kind, bytes, wallMs, monoMs } satisfies ToObserver, [bytes.buffer]);
  };
  let closing: Promise<void> | null = null;
  const close = async () => {
    if (!fallback) worker.postMessage({ kind: 'close', ...stampNow() } satisfies ToObserver);
    await done;
    if (fallback) await (fallback as ConnectionObserver).close();
    stopping = true;
    await worker.terminate();
  };
  return {
    fromClient: (chunk) => (fallback ? fallback.fromClient(chunk) : post('client', chunk)),
    fromServer: (chunk) => (fallback ? fallback.fromServer(chunk) : post('server', chunk)),
    close: () => (closing ??= close()),
  };
}
