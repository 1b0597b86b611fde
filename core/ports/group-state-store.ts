import type { Epoch, Outcome } from '../model/index.ts';
import type { AuditEntry } from './audit-sink.ts';

export type MemberHealth = 'up' | 'down' | 'unknown';

/** What the control plane remembers about a group between jobs (the provider stays the truth). */
export interface GroupState {
  group: string;
  /** The member the last committed action moved the group to. */
  holder: string | null;
  /** The epoch of that action. */
  epoch: Epoch;
  /** Acceptance order (`seq`) of the newest deciding job; older jobs are superseded. 0: none. */
  seq: number;
  health: Record<string, MemberHealth>;
  updatedAtMs: number;
  /** Idempotency key of the last committed job. */
  lastJob: string | null;
}

/**
 * What became of one job, kept for as long as the queue may redeliver it.
 * - `committed` / `noop`: it moved the group (or found it in place) and recorded the holder;
 * - `superseded`: a newer decision had committed first; it did nothing;
 * - `partial`: some resources moved, some did not; not final (the job is retried).
 */
export type JobOutcome = 'committed' | 'noop' | 'superseded' | 'partial';

export interface JobRecord {
  outcome: JobOutcome;
  epoch: Epoch;
  auditId: string;
}

/** A group's state and what became of one job (null: not settled), read together. */
export interface GroupLookup {
  state: GroupState | null;
  job: JobRecord | null;
}

/** How a job ends, as `settle` records it. */
export interface Settlement {
  job: string;
  outcome: JobOutcome;
  /** The holder to record (ignored for `superseded`). */
  holder: string | null;
  /** The job's acceptance order; recorded as the group's `seq` when `decides`. */
  seq: number;
  /** True when this job counts as a decision newer jobs must not undo (it moved, or named its target). */
  decides: boolean;
}

/**
 * Group state with fenced, once-per-job settlement. `settle` writes the outcome, the audit entry and (not
 * for `superseded`) the new holder in one atomic step, only while `epoch` is the group's newest
 * (`conflict` otherwise), and at most once per job key: a redelivered job gets `duplicate: true` and the
 * first entry's id. A `partial` settlement records the holder but not the job, so its retry can finish.
 *
 * @example
 *   const seen = await store.lookup('web', job.key);   // settled already? superseded?
 *   const c = await store.settle('web', epoch, { job: key, outcome: 'committed', holder: 'b', seq, decides: true }, entry);
 */
export interface GroupStateStore {
  get(group: string): Promise<Outcome<GroupState | null>>;
  /** The group's state and what became of `jobKey` (null: not settled), read together. */
  lookup(group: string, jobKey: string): Promise<Outcome<GroupLookup>>;
  settle(
    group: string,
    epoch: Epoch,
    settlement: Settlement,
    audit: AuditEntry,
  ): Promise<Outcome<{ auditId: string; duplicate: boolean }>>;
  setHealth(group: string, member: string, health: MemberHealth, nowMs: number): Promise<Outcome<undefined>>;
}
