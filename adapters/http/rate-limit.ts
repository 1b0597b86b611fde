import { createHash } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { HttpError } from './errors.ts';

/**
 * A per-client fixed-window rate limit (per process). The client key is a hash of the Authorization
 * header (the secret itself is never kept), else the forwarded address, else `anonymous`.
 */
export function rateLimit(perMinute: number, nowMs: () => number): MiddlewareHandler {
  const windows = new Map<string, { start: number; count: number }>();
  return async (c, next) => {
    const auth = c.req.header('authorization');
    const key =
      auth !== undefined
        ? `auth:${createHash('sha256').update(auth).digest('base64url').slice(0, 22)}`
        : (c.req.header('x-forwarded-for')?.split(',')[0]?.trim() ?? 'anonymous');
    const now = nowMs();
    let w = windows.get(key);
    if (!w || now - w.start >= 60_000) {
      if (windows.size > 10_000) windows.clear();
      w = { start: now, count: 0 };
      windows.set(key, w);
    }
    w.count++;
    if (w.count > perMinute) {
      const retry = Math.max(1, Math.ceil((w.start + 60_000 - now) / 1000));
      throw new HttpError(
        429,
        'rate_limited',
        null,
        `more than ${perMinute} requests per minute from this client`,
        retry,
      );
    }
    await next();
  };
}
