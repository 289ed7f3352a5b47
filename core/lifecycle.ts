// Runs a long-lived service until SIGTERM or SIGINT, then stops it in its own fixed order (stop
// intake, drain, flush, close clients) under a hard deadline: a stop that hangs must not keep a
// container from being replaced, and whatever was not committed is delivered again after restart.
import type { Logger } from './logger.ts';

export interface Service {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function runUntilSignal(service: Service, log: Logger, deadlineMs = 30_000): Promise<void> {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      log.warn({ signal }, 'second signal, exiting now');
      process.exit(1);
    }
    stopping = true;
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
  await service.start();
}

export const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    }, { once: true });
  });
