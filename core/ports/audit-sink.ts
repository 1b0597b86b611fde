import type { Outcome } from '../model/index.ts';
import type { ApiCall, Observation } from './vip-provider.ts';

/** One decision or action of the control plane, with the provider state before and after it. */
export interface AuditEntry {
  atMs: number;
  group: string;
  /** `failover`, `switchover`, `reconcile`, `refused`, `health`, ... */
  action: string;
  epoch: number;
  /** The idempotency key of the job that acted. */
  job: string;
  source: string;
  from: string | null;
  to: string | null;
  /** `ok`, `noop`, `superseded`, `partial`, `conflict`, `give-up`, ... */
  outcome: string;
  reason: string;
  /** Resources that could not be moved, with why (a `partial` outcome). */
  failed?: Array<{ resource: string; reason: string }>;
  /** How long the decision took, from taking the fence to the commit (ms). */
  durationMs?: number;
  before: Observation[];
  after: Observation[];
  calls: ApiCall[];
}

export interface AuditRecord extends AuditEntry {
  /** The store's id of the entry (a Redis stream id), ordered by time. */
  id: string;
}

/**
 * The append-only audit log of every decision and action.
 *
 * @example
 *   await audit.append({ atMs: clock.wallMs(), group: 'web', action: 'refused', ... });
 *   const last = await audit.list({ group: 'web', limit: 20 });
 */
export interface AuditSink {
  append(entry: AuditEntry): Promise<Outcome<{ id: string }>>;
  /** Newest first. */
  list(query: { group?: string; limit: number }): Promise<Outcome<AuditRecord[]>>;
}
