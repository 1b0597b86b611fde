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
  health: Record<string, MemberHealth>;
  updatedAtMs: number;
  /** Idempotency key of the last committed job. */
  lastJob: string | null;
}

/**
 * Group state with fenced commits. `commit` writes the new holder and appends its audit entry in one
 * atomic step, only while `epoch` is the group's newest (`conflict` otherwise), and at most once per job
 * key (a retried job gets `duplicate: true` and the first entry's id).
 *
 * @example
 *   const c = await store.commit('web', epoch, { holder: 'b', job: key }, entry);
 */
export interface GroupStateStore {
  get(group: string): Promise<Outcome<GroupState | null>>;
  commit(
    group: string,
    epoch: Epoch,
    change: { holder: string | null; job: string },
    audit: AuditEntry,
  ): Promise<Outcome<{ auditId: string; duplicate: boolean }>>;
  setHealth(group: string, member: string, health: MemberHealth, nowMs: number): Promise<Outcome<undefined>>;
}
