import type { Redis } from 'ioredis';
import { retry } from '../../core/model/index.ts';
import type { JobQueue } from '../../core/ports/index.ts';
import { storeDown } from './scripts.ts';

/**
 * A JobQueue whose enqueue answers ok only once `replicas` replicas hold the job (Redis WAIT). Redis
 * replication is asynchronous: without this, a webhook accepted by a primary that dies a moment later
 * can vanish with it when Sentinel promotes a replica. When the replicas do not confirm within
 * `timeoutMs`, the caller gets `retry` (the API answers 503 + Retry-After and the sender tries again;
 * the job's idempotency key makes a surviving copy count as the same job). WAIT covers every earlier
 * write of this connection too. test/e2e/redis-ha/sentinel.test.ts kills the primary while webhooks
 * arrive and finds every accepted one afterwards.
 */
export function replicatedQueue(inner: JobQueue, redis: Redis, replicas: number, timeoutMs = 500): JobQueue {
  if (replicas <= 0) return inner;
  return {
    ...inner,
    async enqueue(job) {
      const r = await inner.enqueue(job);
      if (r.kind !== 'ok') return r;
      try {
        const acked = await redis.wait(replicas, timeoutMs);
        return acked >= replicas
          ? r
          : retry(`redis: the job reached ${acked} of ${replicas} replicas within ${timeoutMs} ms`, 1000);
      } catch (err) {
        return storeDown(err);
      }
    },
  };
}
