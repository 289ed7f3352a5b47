// Several services run as one: started in list order, stopped in reverse, so whatever feeds another
// service stops first (intake before processing, processing before storage). A stop that comes
// while the group is still starting stops only what has started, and no further service starts.
import type { Service } from './lifecycle.ts';
import type { Logger } from './logger.ts';

export interface NamedService extends Service {
  name: string;
}

export function serviceGroup(services: readonly NamedService[], log: Logger): Service {
  const started: NamedService[] = [];
  let starting: Promise<void> | null = null;
  let stopping: Promise<void> | null = null;

  async function stopAll(): Promise<void> {
    // The service being started finishes starting first, then stops with the others.
    await starting?.catch(() => {});
    const errors: unknown[] = [];
    for (const s of [...started].reverse()) {
      // Each service logs its own "stopped"; this line shows the order, and which stop hangs if one does.
      log.info({ component: s.name }, `stopping ${s.name}`);
      try {
        await s.stop();
      } catch (err) {
        // One failing stop must not keep the others (and the data they hold) from stopping.
        errors.push(err);
        log.error({ err, component: s.name }, `${s.name} did not stop cleanly`);
      }
    }
    if (errors.length) throw new Error(`${errors.length} service(s) did not stop cleanly`);
  }

  const stop = () => {
    stopping ??= stopAll();
    return stopping;
  };

  return {
    async start() {
      try {
        for (const s of services) {
          if (stopping) return;
          log.debug({ component: s.name }, `starting ${s.name}`);
          starting = s.start();
          // Counted as started even if its start fails half-way: its stop releases what it opened.
          started.push(s);
          await starting;
        }
      } catch (err) {
        // A service that cannot start takes the others down with it instead of leaving them running.
        log.error({ err }, 'a service failed to start; stopping the others');
        await stop().catch(() => {});
        throw err;
      } finally {
        starting = null;
      }
    },
    stop,
  };
}
