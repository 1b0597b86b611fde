import type { Outcome } from '../model/index.ts';

/**
 * The work the control plane queues. A job's `key` is its idempotency key: enqueueing the same key twice
 * (a webhook retried 100 times, 1,000 duplicate alerts for one incident) yields one job.
 */
export type ControlJob =
  | {
      kind: 'failover';
      key: string;
      group: string;
      /** The member to move to; omitted = the best healthy member other than the ones reported down. */
      to?: string;
      /** Members the trigger reports down; never chosen as target. */
      down?: string[];
      /** `failover` (move away from trouble), `switchover` (planned move), `reconcile` (re-assert). */
      action: 'failover' | 'switchover' | 'reconcile';
      reason: string;
      /** Where the trigger came from: `alertmanager`, `sns`, `manual`, `sweep`, ... */
      source: string;
      /**
       * Acceptance order within the group, given by the queue when the job is accepted. A job older than
       * the group's newest deciding commit is superseded: it never acts (a late retry never moves back).
       */
      seq?: number;
      /**
       * The group epoch the trigger's reading was taken under (sweeps): once a newer epoch has committed,
       * the reading is stale and the job is superseded.
       */
      basedOnEpoch?: number;
    }
  | { kind: 'sweep'; key: string; groups?: string[] };

export type FailoverJob = Extract<ControlJob, { kind: 'failover' }>;

export interface EnqueueResult {
  /** The queue's job id (derived from the key). */
  id: string;
  /** True when a job with this key already existed and nothing new was queued. */
  duplicate: boolean;
}

export type JobState = 'waiting' | 'active' | 'delayed' | 'completed' | 'failed';

/** A queued or finished job as operators see it: a failed one says why, a finished one what became of it. */
export interface JobSummary {
  id: string;
  state: JobState;
  job: ControlJob | null;
  attempts: number;
  failedReason: string | null;
  /** What a completed job returned (a failover: `committed`, `noop`, `superseded`, `duplicate`, ...). */
  result: unknown;
  createdAtMs: number;
  finishedAtMs: number | null;
}

/**
 * Puts jobs on the control plane's queue. `retry` means the queue store is unreachable (callers answer
 * 503 so the sender tries again); nothing is half-queued.
 *
 * @example
 *   const r = await queue.enqueue({ kind: 'sweep', key: 'sweep-1700000000' });
 *   if (r.kind === 'retry') return serviceUnavailable(r.retryAfterMs);
 */
export interface JobQueue {
  /** Queues `job` (a failover gets its acceptance `seq` here); a duplicate key queues nothing. */
  enqueue(job: ControlJob): Promise<Outcome<EnqueueResult>>;
  /** The newest jobs in one state (failed jobs are kept, with their reason). */
  list(state: JobState, limit: number): Promise<Outcome<JobSummary[]>>;
}
