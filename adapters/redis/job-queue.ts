import { hash } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { bullAdder } from './bull-add.ts';
import { ok } from '../../core/model/index.ts';
import type { ControlJob, JobQueue } from '../../core/ports/index.ts';
import { decodeJob, encodeJob, jobNames } from './job-codec.ts';
import type { ControlKeys } from './keys.ts';
import { hashTagged } from './keys.ts';
import { runScript, storeDown } from './scripts.ts';

/** The name of the control plane's one BullMQ queue (keys live under the config's prefix). */
export const controlQueueName = 'control';

export interface QueuePolicy {
  attempts: number;
  backoffMs: number;
}

/** A BullMQ job id from an idempotency key: BullMQ ids may not contain ':', so the key is hashed. */
export const jobIdOf = (job: ControlJob): string =>
  `${job.kind}-${hash('sha256', job.key, 'hex').slice(0, 40)}`;

/** How long finished jobs (and so their ids, the dedup window) are kept. */
export const keepCompleted = { age: 24 * 3600, count: 100_000 };
export const keepFailed = { age: 7 * 24 * 3600 };

/**
 * The control queue; its BullMQ keys share the control plane's hash tag (one Cluster slot). BullMQ is
 * loaded here, on first use (./bullmq.ts): a function's cold start adds its job without it (./bull-add.ts).
 */
export async function createControlQueue(connection: Redis, prefix: string): Promise<Queue> {
  const { Queue } = await import('./bullmq.ts');
  const queue = new Queue(controlQueueName, { connection, prefix: hashTagged(prefix) });
  // The connection's own state says whether the store is there (503s, retries); a queue error event
  // without a listener would only be printed raw on every reconnect attempt.
  queue.on('error', () => undefined);
  return queue;
}

/**
 * JobQueue on BullMQ. The job id is derived from the key, so BullMQ itself drops duplicates; a counter
 * under `job-seen:` tells the caller whether it was the first (informational: dedup does not depend on it).
 * A failover job gets its group's next acceptance number (`seq`) in the same round trip; a duplicate's
 * number is never used (BullMQ keeps the first job's data). Jobs are added as Queue.add adds them
 * (./bull-add.ts); `queue` (a BullMQ Queue on the same connection) is asked for only to list jobs.
 */
export function bullJobQueue(
  queue: () => Promise<Queue>,
  redis: Redis,
  keys: ControlKeys,
  policy: QueuePolicy,
): JobQueue {
  const add = bullAdder(redis, keys.prefix, controlQueueName);
  return {
    async enqueue(job) {
      const id = jobIdOf(job);
      try {
        const failover = job.kind === 'failover';
        const [count, seq] = (await runScript(
          redis,
          'jobAccept',
          [keys.jobSeen(id), failover ? keys.seq(job.group) : keys.jobSeen(id)],
          [keepCompleted.age, failover ? '1' : '0'],
        )) as [number, number];
        const data = failover ? { ...job, seq: Number(seq) } : job;
        await add(jobNames[job.kind], encodeJob(data), {
          jobId: id,
          attempts: policy.attempts,
          backoff: { type: 'exponential', delay: policy.backoffMs },
          removeOnComplete: keepCompleted,
          removeOnFail: keepFailed,
        });
        return ok({ id, duplicate: count > 1 });
      } catch (err) {
        return storeDown(err);
      }
    },
    async list(state, limit) {
      try {
        const jobs = await (await queue()).getJobs([state], 0, Math.max(0, limit - 1), false);
        return ok(
          jobs.map((j) => {
            const d = decodeJob(j.data);
            return {
              id: j.id ?? '',
              state,
              job: d.ok ? d.job : null,
              attempts: j.attemptsMade,
              failedReason: j.failedReason ? j.failedReason : null,
              result: (j.returnvalue as unknown) ?? null,
              createdAtMs: j.timestamp,
              finishedAtMs: j.finishedOn ?? null,
            };
          }),
        );
      } catch (err) {
        return storeDown(err);
      }
    },
  };
}
