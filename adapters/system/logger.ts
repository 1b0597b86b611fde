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

const wrap = (p: pino.Logger): Logger => ({
  debug: (msg, fields) => p.debug(fields ?? {}, msg),
  info: (msg, fields) => p.info(fields ?? {}, msg),
  warn: (msg, fields) => p.warn(fields ?? {}, msg),
  error: (msg, fields) => p.error(fields ?? {}, msg),
  child: (bindings) => wrap(p.child(bindings)),
});

/** A pino logger writing JSON lines to stderr (stdout stays free for command output). */
export function createLogger(options: { level?: string; name?: string } = {}): Logger {
  const p = pino(
    {
      name: options.name ?? 'floatip',
      level: options.level ?? process.env.FLOATIP_LOG_LEVEL ?? 'info',
      redact: { paths: redactedKeys.flatMap((k) => [k, `*.${k}`]), censor: '[redacted]' },
    },
    pino.destination(2),
  );
  return wrap(p);
}
