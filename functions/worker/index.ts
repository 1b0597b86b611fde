import type { Worker } from 'bullmq';
import { drainQueue, startControlWorker } from '../../adapters/redis/index.ts';
import type { DrainReport } from '../../adapters/redis/index.ts';
import type { ControlPlane } from '../control-plane/shared.ts';
import { warmProviders } from '../shared/providers.ts';

/** The id of the BullMQ job scheduler that enqueues health sweeps. */
export const sweepSchedulerId = 'floatip-sweep';

/**
 * How long a stopping worker waits for the jobs it is running before it leaves them (ms). With the store
 * down they cannot finish anyway; a job left behind is redelivered after BullMQ's stalled interval and
 * does nothing twice (a settled job is never acted on again). Whole shutdown stays under 10 s.
 */
export const shutdownGraceMs = 6000;

const after = (ms: number): Promise<'timeout'> =>
  new Promise((resolve) => setTimeout(() => resolve('timeout'), ms).unref());

/** Closes a BullMQ worker within `graceMs`, then forces it (never hangs on an unreachable store). */
export async function closeWithin(
  worker: Worker,
  graceMs: number,
  log?: (msg: string) => void,
): Promise<void> {
  const graceful = worker.close().then(
    () => 'closed' as const,
    () => 'closed' as const,
  );
  if ((await Promise.race([graceful, after(graceMs)])) === 'closed') return;
  log?.('worker: jobs still running at shutdown; leaving them to be redelivered');
  await Promise.race([worker.close(true).catch(() => undefined), after(1000)]);
}

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
  options: { schedule?: boolean; lockDurationMs?: number; stalledIntervalMs?: number } = {},
): Promise<RunningWorker> {
  // A long-running worker loads its adapters at start, not inside its first job.
  await warmProviders(Object.values(cp.providers));
  if (options.schedule !== false)
    await (
      await cp.queue()
    ).upsertJobScheduler(
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
    lockDurationMs: options.lockDurationMs ?? Math.max(cp.config.worker.lockTtlMs, 5000),
    ...(options.stalledIntervalMs === undefined ? {} : { stalledIntervalMs: options.stalledIntervalMs }),
  });
  await worker.waitUntilReady();
  return {
    worker,
    close: () => closeWithin(worker, shutdownGraceMs, (m) => cp.worker.logger.warn(m)),
  };
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
