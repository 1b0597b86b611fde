import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from '../../core/ports/index.ts';
import { controlQueueName } from './job-queue.ts';
import type { JobHandler } from './job-runner.ts';
import { runJob } from './job-runner.ts';
import { hashTagged } from './keys.ts';

export interface DrainReport {
  completed: number;
  failed: number;
  delayed: number;
  /** True when the time budget ran out before the queue was empty. */
  budgetExhausted: boolean;
}

/**
 * Bounded drain: takes jobs one at a time until the queue has none ready or `budgetMs` is spent, for a
 * function invocation (Lambda, Azure timer, GCP Pub/Sub) that must return in time. A job is only started
 * while the budget lasts; one that started finishes (its failover is never cut in half). BullMQ is loaded
 * here, on the first drain (./bullmq.ts).
 */
export async function drainQueue(o: {
  connection: Redis;
  prefix: string;
  handle: JobHandler;
  logger: Logger;
  budgetMs: number;
  nowMs?: () => number;
}): Promise<DrainReport> {
  const now = o.nowMs ?? (() => Date.now());
  const deadline = now() + o.budgetMs;
  const { UnrecoverableError, Worker } = await import('./bullmq.ts');
  const worker = new Worker(controlQueueName, null, {
    connection: o.connection,
    prefix: hashTagged(o.prefix),
    autorun: false,
  });
  const token = randomUUID();
  const report: DrainReport = { completed: 0, failed: 0, delayed: 0, budgetExhausted: false };
  try {
    for (;;) {
      if (now() >= deadline) {
        report.budgetExhausted = true;
        break;
      }
      const job = await worker.getNextJob(token, { block: false });
      if (!job) break;
      const v = await runJob(job, o.handle, now);
      if (v.kind === 'completed') {
        await job.moveToCompleted(v.value, token, false);
        report.completed++;
      } else if (v.kind === 'delayed') {
        await job.moveToDelayed(v.untilMs, token);
        report.delayed++;
      } else {
        await job.moveToFailed(
          v.final ? new UnrecoverableError(v.reason) : new Error(v.reason),
          token,
          false,
        );
        report.failed++;
        o.logger.warn('job failed', { job: job.id, reason: v.reason, final: v.final });
      }
    }
  } finally {
    await worker.close();
  }
  return report;
}
