import { Redis } from 'ioredis';

/**
 * How a process talks to Redis:
 * - `api`: fail fast. No offline queue, one try per command, so a request answers 503 at once while
 *   Redis is down instead of hanging (the sender retries; nothing is lost).
 * - `worker`: wait it out. Commands queue while Redis is away and run when it is back, so a failover that
 *   was mid-flight when Redis stopped completes once it returns (BullMQ requires this for workers).
 */
export function connectRedis(
  url: string,
  role: 'api' | 'worker',
  onError?: (err: Error) => void,
  name = `floatip-${role}`,
): Redis {
  const common = {
    connectionName: name,
    lazyConnect: false,
    connectTimeout: 2000,
    retryStrategy: (times: number) => Math.min(50 * 2 ** times, 1000),
  };
  const redis =
    role === 'api'
      ? new Redis(url, {
          ...common,
          enableOfflineQueue: false,
          maxRetriesPerRequest: 1,
          commandTimeout: 2000,
        })
      : new Redis(url, { ...common, enableOfflineQueue: true, maxRetriesPerRequest: null });
  // Connection errors surface as `status` and as failed commands (→ 503 / retry); no unhandled events.
  redis.on('error', (err: Error) => onError?.(err));
  return redis;
}

/** Resolves when the connection is ready, or rejects after `timeoutMs` with a clear message. */
export async function waitReady(redis: Redis, timeoutMs = 5000): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => {
      cleanup();
      reject(
        new Error(
          `Redis at ${redis.options.host}:${redis.options.port} did not answer within ${timeoutMs} ms`,
        ),
      );
    }, timeoutMs);
    const onReady = (): void => {
      cleanup();
      resolve();
    };
    const cleanup = (): void => {
      clearTimeout(t);
      redis.off('ready', onReady);
    };
    redis.on('ready', onReady);
  });
}
