import { DelayedError, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../../core/ports/index.ts';
import { controlQueueName } from './job-queue.ts';
import type { JobHandler } from './job-runner.ts';
import { runJob } from './job-runner.ts';
import { outageLog } from './outage-log.ts';
import { hashTagged } from './keys.ts';

export interface WorkerOptions {
  connection: Redis;
  prefix: string;
  concurrency: number;
  handle: JobHandler;
  logger: Logger;
  /** How long a job's BullMQ lock lasts before another worker may take it over as stalled. */
  lockDurationMs?: number;
  /** How often stalled jobs (their worker died or lost its lock) are looked for; BullMQ's 30 s default. */
  stalledIntervalMs?: number;
}

/** A long-lived BullMQ worker that runs control jobs through `handle`. */
export function startControlWorker(o: WorkerOptions): Worker {
  const worker = new Worker(
    controlQueueName,
    async (job, token) => {
      const v = await runJob(job, o.handle, () => Date.now());
      if (v.kind === 'completed') return v.value;
      if (v.kind === 'delayed') {
        await job.moveToDelayed(v.untilMs, token);
        throw new DelayedError(v.reason);
      }
      throw v.final ? new UnrecoverableError(v.reason) : new Error(v.reason);
    },
    {
      connection: o.connection,
      prefix: hashTagged(o.prefix),
      concurrency: o.concurrency,
      lockDuration: o.lockDurationMs ?? 30_000,
      ...(o.stalledIntervalMs === undefined ? {} : { stalledInterval: o.stalledIntervalMs }),
      drainDelay: 1,
    },
  );
  worker.on('failed', (job, err) =>
    o.logger.warn('job failed', {
      job: job?.id,
      name: job?.name,
      attempt: job?.attemptsMade,
      reason: err.message,
    }),
  );
  const outage = outageLog(o.logger, 'worker');
  worker.on('error', (err) => outage.error(err));
  o.connection.on('ready', () => outage.ready());
  return worker;
}
