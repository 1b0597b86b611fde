import pino from 'pino';
import type { Logger } from '../../core/ports/index.ts';

/** Keys whose values never reach a log line, wherever they appear in the fields. */
export const redactedKeys = [
  'password',
  'auth_pass',
  'authPass',
  'token',
  'secret',
  'authorization',
  'key',
  'hmacKey',
];

/** pino's levels by severity; a logger at level L writes the messages whose level ranks at least L's. */
const levelRank: Record<string, number> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
  silent: Number.POSITIVE_INFINITY,
};

/**
 * The port over a pino logger that is made by the first message at an enabled level: a cloud
 * function's cold start logs nothing on its way to the first answer and so never sets pino up (the
 * function artifacts also load the pino package on first use, scripts/functions/plugins.ts lazyPackages;
 * test/adapters/system/logger.test.ts).
 */
function lazyPort(make: () => pino.Logger, threshold: number): Logger {
  let p: pino.Logger | null = null;
  const at =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (msg: string, fields?: Record<string, unknown>): void => {
      if ((levelRank[level] ?? 0) >= threshold) (p ??= make())[level](fields ?? {}, msg);
    };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (bindings) => lazyPort(() => (p ??= make()).child(bindings), threshold),
  };
}

/**
 * A pino logger writing JSON lines to stderr (stdout stays free for command output). An unknown level
 * (option or FLOATIP_LOG_LEVEL) is refused here, naming the levels there are.
 */
export function createLogger(options: { level?: string; name?: string } = {}): Logger {
  const level = options.level ?? process.env.FLOATIP_LOG_LEVEL ?? 'info';
  const threshold = Object.hasOwn(levelRank, level) ? levelRank[level] : undefined;
  if (threshold === undefined)
    throw new Error(
      `log level '${level}' (FLOATIP_LOG_LEVEL) is not one of ${Object.keys(levelRank).join(', ')}`,
    );
  return lazyPort(
    () =>
      pino(
        {
          name: options.name ?? 'floatip',
          level,
          redact: { paths: redactedKeys.flatMap((k) => [k, `*.${k}`]), censor: '[redacted]' },
        },
        pino.destination(2),
      ),
    threshold,
  );
}
