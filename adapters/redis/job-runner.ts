import type { Job } from 'bullmq';
import type { Outcome } from '../../core/model/index.ts';
import type { ControlJob } from '../../core/ports/index.ts';
import { decodeJob } from './job-codec.ts';

/** What runs a decoded job: a core use case, through the composition root. */
export type JobHandler = (
  job: ControlJob,
  meta: { id: string; attempt: number },
) => Promise<Outcome<unknown>>;

/**
 * How many times a job may be put back for "try again later" (throttled, store away) without failing.
 * A busy group (another decision holds its lock) is not counted: such a job waits as long as it takes.
 */
export const maxDelays = 50;

/**
 * The outcome of one job run, as BullMQ needs it (Outcome → BullMQ, 1:1):
 * ok → completed; give-up → failed for good (UnrecoverableError); conflict and plain retry → failed
 * with backoff (attempts count); retry with `retryAfterMs` → delayed without using an attempt.
 */
export type RunVerdict =
  | { kind: 'completed'; value: unknown }
  | { kind: 'failed'; reason: string; final: boolean }
  | { kind: 'delayed'; untilMs: number; reason: string };

export async function runJob(job: Job, handle: JobHandler, nowMs: () => number): Promise<RunVerdict> {
  const decoded = decodeJob(job.data);
  if (!decoded.ok) return { kind: 'failed', reason: decoded.error, final: true };
  let r: Outcome<unknown>;
  try {
    r = await handle(decoded.job, { id: job.id ?? '', attempt: job.attemptsMade + 1 });
  } catch (err) {
    return {
      kind: 'failed',
      reason: `unexpected: ${err instanceof Error ? err.message : String(err)}`,
      final: false,
    };
  }
  switch (r.kind) {
    case 'ok':
      return { kind: 'completed', value: r.value };
    case 'give-up':
      return { kind: 'failed', reason: r.reason, final: true };
    case 'conflict':
      return { kind: 'failed', reason: `conflict: ${r.reason}`, final: false };
    case 'retry':
      if (r.busy) return { kind: 'delayed', untilMs: nowMs() + (r.retryAfterMs ?? 100), reason: r.reason };
      if (r.retryAfterMs !== undefined && (job.attemptsStarted ?? 0) < maxDelays)
        return { kind: 'delayed', untilMs: nowMs() + r.retryAfterMs, reason: r.reason };
      return { kind: 'failed', reason: r.reason, final: false };
    default: {
      const never: never = r;
      return never;
    }
  }
}
