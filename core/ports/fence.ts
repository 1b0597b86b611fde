import type { Epoch, Outcome } from '../model/index.ts';
import type { GroupLookup } from './group-state-store.ts';

/**
 * The right to act on one failover group, with its fencing epoch. Every authority floatip has is one of
 * these: the control plane's Redis group lock (adapters/redis), the agent's VRRP mastership, the lease
 * agent's Redis lease. The failover use case (core/app/failover.ts) takes the fence, checks it before
 * every provider write stage, and commits under it.
 *
 * @example
 *   const got = await fence.acquire('web');            // waits while another holder acts; never "busy"
 *   if (got.kind !== 'ok') return got;
 *   const lease = got.value;
 *   try {
 *     if ((await lease.check()).kind === 'ok') await provider.acquire(r, m, lease.epoch, { fence: lease.check });
 *   } finally { await lease.release(); }
 */
export interface Fence {
  /**
   * Takes the right to act on `group` under a new epoch, newer than any before it. While another holder
   * acts, waits for it (at most `waitMs`, default: the holder's remaining lock time) and then answers
   * `retry` with `retryAfterMs` (busy is never a failure). `conflict`: this process may not act at all
   * (the agent is not MASTER, the lease belongs to a preferred node).
   */
  acquire(group: string, options?: AcquireOptions): Promise<Outcome<FenceLease>>;
  /** The group's newest epoch (0 when it never had one); dry runs plan under `current + 1`. */
  current(group: string): Promise<Outcome<Epoch>>;
}

export interface AcquireOptions {
  /** How long to wait for a busy holder (default: its remaining lock time). */
  waitMs?: number;
  /**
   * A job key to look up with the fence: a fence kept in the same store as the group state may read the
   * group's state and that job's record in the step that takes it (`FenceLease.looked`), saving the
   * caller a round trip. Fences that cannot leave `looked` unset.
   */
  lookup?: string;
}

/** One held fence. Keep-alive (lock renewal, lease renewal) is the adapter's business while it is held. */
export interface FenceLease {
  readonly group: string;
  readonly epoch: Epoch;
  /**
   * With `acquire(…, { lookup })`, where the fence supports it: the group's state and the job's record as
   * they were when the fence was taken, read atomically with taking it.
   */
  readonly looked?: GroupLookup;
  /**
   * `ok` while this lease is still the group's newest and held; `conflict` once it was lost (expired, taken
   * over, VRRP left MASTER); `retry` when that cannot be told now (the store is unreachable). Callers
   * stop before their next write on anything but `ok`.
   */
  check(): Promise<Outcome<undefined>>;
  /** Gives the fence up (never touches a newer holder's). Safe to call twice. */
  release(): Promise<void>;
}
