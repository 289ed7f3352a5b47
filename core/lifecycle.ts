// Runs a long-lived service until SIGTERM or SIGINT, then stops it in its own fixed order (stop
// intake, drain, flush, close clients) under a hard deadline: a stop that hangs must not keep a
// container from being replaced, and whatever was not committed is delivered again after restart.
import type { Logger } from './logger.ts';

export interface Service {
  start(): Promise<void>;
  stop(): Promise<void>;
}

// npm forwards to its child the SIGINT or SIGTERM it gets, and a Ctrl-C or a supervisor stopping a
// process group sends it to the child as well: one stop request can arrive twice within
// milliseconds. Only a repeat after this long means "exit now, without a clean stop".
const REPEAT_MS = 2_000;
// How often to look whether the process that started this one is gone (see watchParent).
const PARENT_CHECK_MS = 500;

export async function runUntilSignal(service: Service, log: Logger, deadlineMs = 30_000): Promise<void> {
  let first: { signal: string; at: number } | null = null;
  const stop = (signal: string) => {
    if (first) {
      if (signal === first.signal && Date.now() - first.at < REPEAT_MS) return;
      log.warn({ signal }, 'second signal, exiting now');
      process.exit(1);
    }
    first = { signal, at: Date.now() };
    log.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      log.error({ deadlineMs }, 'shutdown deadline passed, exiting without a clean stop');
      process.exit(1);
    }, deadlineMs);
    timer.unref();
    service.stop().then(
      () => {
        log.info('stopped cleanly');
        process.exit(0);
      },
      (err: unknown) => {
        log.error({ err }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  // A parent that leaves while this process is already stopping is no second request.
  watchParent(() => {
    if (!first) stop('parent exited');
  });
  await service.start();
}

/**
 * npm runs a command through `sh -c`, and Debian's sh (dash) forks the command instead of becoming
 * it. A SIGTERM sent to npm alone is forwarded to that shell, which dies of it and leaves this
 * process running with nobody to stop it. So when npm started this process, losing the parent is a
 * stop request too. (Elsewhere a parent may leave on purpose, as `nohup` or a daemonizing shell do.)
 */
function watchParent(onExit: () => void): void {
  if (process.env.npm_lifecycle_event === undefined) return;
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    onExit();
  }, PARENT_CHECK_MS);
  timer.unref();
}

export const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    }, { once: true });
  });
