import type { Context, MiddlewareHandler } from 'hono';
import { HttpError } from './errors.ts';

export interface RateLimitOptions {
  perMinute: number;
  nowMs: () => number;
  /** The bucket of a request (see {@link clientKey}); never derived from what the client may invent. */
  key: (c: Context) => string;
  /** Buckets kept at most; the least recently used goes first. */
  maxKeys?: number;
  /** Called for each request answered 429, with its bucket key. */
  limited?: (key: string) => void;
}

/**
 * A per-client fixed-window rate limit (per process). Buckets live in a Map kept in use order, so when
 * more than `maxKeys` clients show up the one idle longest is dropped: a client being limited keeps its
 * bucket as long as it keeps sending, however many new clients appear.
 */
export function rateLimit(o: RateLimitOptions): MiddlewareHandler {
  const max = o.maxKeys ?? 10_000;
  const windows = new Map<string, { start: number; count: number }>();
  return async (c, next) => {
    const key = o.key(c);
    const now = o.nowMs();
    let w = windows.get(key);
    if (w) windows.delete(key);
    if (!w || now - w.start >= 60_000) w = { start: now, count: 0 };
    windows.set(key, w);
    if (windows.size > max) {
      const oldest = windows.keys().next().value;
      if (oldest !== undefined) windows.delete(oldest);
    }
    w.count++;
    if (w.count > o.perMinute) {
      o.limited?.(key);
      const retry = Math.max(1, Math.ceil((w.start + 60_000 - now) / 1000));
      throw new HttpError(
        429,
        'rate_limited',
        null,
        `more than ${o.perMinute} requests per minute from this client`,
        retry,
      );
    }
    await next();
  };
}

/**
 * The client a request counts against: the address the connection came from; when that is one of the
 * `trusted` proxies, the address that proxy reports (the right-most `X-Forwarded-For` entry that is not
 * itself a trusted proxy). Forwarded headers from anyone else are ignored, so a client cannot pick a fresh
 * bucket by inventing one, nor by sending a random bearer token.
 */
export function clientAddress(
  peer: string | undefined,
  forwardedFor: string | undefined,
  trusted: (address: string) => boolean,
): string {
  const direct = peer ?? 'unknown';
  if (!trusted(direct) || forwardedFor === undefined) return direct;
  const hops = forwardedFor
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i] as string;
    if (!trusted(hop)) return hop;
  }
  return hops[0] ?? direct;
}
