import type { Worker } from 'bullmq';
import { drainQueue, startControlWorker } from '../../adapters/redis/index.ts';
import type { DrainReport } from '../../adapters/redis/index.ts';
import type { ControlPlane } from '../control-plane/shared.ts';

/** The id of the BullMQ job scheduler that enqueues health sweeps. */
export const sweepSchedulerId = 'floatip-sweep';

export interface RunningWorker {
  worker: Worker;
  close(): Promise<void>;
}

/**
 * `floatip worker`: a long-lived BullMQ worker plus a job scheduler that enqueues a sweep every
 * `sweep.everyMs` (upserted, so many workers share one schedule).
 */
export async function startWorker(
  cp: ControlPlane,
  options: { schedule?: boolean } = {},
): Promise<RunningWorker> {
  if (options.schedule !== false)
    await cp.queue.upsertJobScheduler(
      sweepSchedulerId,
      { every: cp.config.sweep.everyMs },
      {
        name: 'sweep',
        data: { kind: 'sweep', key: 'scheduled-sweep' },
        opts: { removeOnComplete: 100, removeOnFail: 100 },
      },
    );
  const worker = startControlWorker({
    connection: cp.workerRedis,
    prefix: cp.config.redis.prefix,
    concurrency: cp.config.worker.concurrency,
    handle: cp.handle,
    logger: cp.worker.logger,
    lockDurationMs: Math.max(cp.config.worker.lockTtlMs, 5000),
  });
  await worker.waitUntilReady();
  return { worker, close: () => worker.close() };
}

/** Bounded drain: run queued jobs inside one function invocation, within `budgetMs`. */
export function drain(cp: ControlPlane, budgetMs: number): Promise<DrainReport> {
  return drainQueue({
    connection: cp.workerRedis,
    prefix: cp.config.redis.prefix,
    handle: cp.handle,
    logger: cp.worker.logger,
    budgetMs,
  });
}
