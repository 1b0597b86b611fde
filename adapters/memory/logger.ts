import type { Logger } from '../../core/ports/index.ts';

/** A Logger that drops everything; for tests and embedding where the caller reports outcomes itself. */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};
