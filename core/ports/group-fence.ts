import type { Epoch, Outcome } from '../model/index.ts';

/**
 * A per-group lock plus the group's fencing token. Taking the lock bumps the epoch in the same atomic
 * step, so every holder of the lock acts under an epoch newer than any before it.
 *
 * @example
 *   const got = await fence.acquire('web', 'worker-1', 30_000, clock.wallMs());
 *   if (got.kind !== 'ok') return got;               // conflict: someone else holds it
 *   await provider.acquire(resource, holder, got.value.epoch);
 *   await fence.release('web', 'worker-1', got.value.epoch);
 */
export interface GroupFence {
  /** Takes the lock (free or expired) and returns the new epoch; `conflict` when another owner holds it. */
  acquire(group: string, owner: string, ttlMs: number, nowMs: number): Promise<Outcome<{ epoch: Epoch }>>;
  /** `ok` while `epoch` is still the group's newest and `owner` holds the lock; `conflict` otherwise. */
  check(group: string, owner: string, epoch: Epoch): Promise<Outcome<undefined>>;
  /** Lets go of the lock if `owner` still holds it under `epoch`; never touches a newer holder's lock. */
  release(group: string, owner: string, epoch: Epoch): Promise<Outcome<undefined>>;
  /** The group's newest epoch (0 when it never had one). */
  current(group: string): Promise<Outcome<Epoch>>;
}
