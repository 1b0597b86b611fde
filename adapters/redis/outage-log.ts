import type { Logger } from '../../core/ports/index.ts';

/**
 * Logs a store outage as people want to read it: one line when it starts (with the first error), one
 * when it ends (with how many errors were seen meanwhile), nothing for every reconnect attempt between.
 */
export function outageLog(logger: Logger, what: string): { error(err: Error): void; ready(): void } {
  let down = 0;
  return {
    error(err) {
      if (down++ === 0) logger.warn(`${what}: redis unreachable; retrying`, { reason: err.message });
    },
    ready() {
      if (down > 0) logger.info(`${what}: redis reachable again`, { errors: down });
      down = 0;
    },
  };
}
