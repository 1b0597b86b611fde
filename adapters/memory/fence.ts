import { conflict, ok, type Outcome } from '../../core/model/index.ts';
import type { Fence, FenceLease } from '../../core/ports/index.ts';

/**
 * A Fence in memory: one holder per group at a time, each acquisition a new epoch, waiters queue (a busy
 * group is waited for, never refused). `revoke` takes a group away from its holder, as an expired lock
 * or a lost lease would: the holder's checks answer conflict from then on. For tests and single-process
 * runs; the epoch doubles as the `newest` of a MemoryGroupStore.
 */
export class MemoryFence implements Fence {
  readonly #epochs = new Map<string, number>();
  readonly #held = new Map<string, number>();
  readonly #waiters = new Map<string, Array<() => void>>();

  newest(group: string): number {
    return this.#epochs.get(group) ?? 0;
  }

  /** The current holder loses the group (its epoch stays, a newer one comes with the next acquire). */
  revoke(group: string): void {
    this.#held.delete(group);
    this.#waiters.get(group)?.shift()?.();
  }

  async acquire(group: string): Promise<Outcome<FenceLease>> {
    while (this.#held.has(group)) {
      await new Promise<void>((resolve) => {
        const q = this.#waiters.get(group) ?? [];
        q.push(resolve);
        this.#waiters.set(group, q);
      });
    }
    const epoch = this.newest(group) + 1;
    this.#epochs.set(group, epoch);
    this.#held.set(group, epoch);
    let released = false;
    return ok({
      group,
      epoch,
      check: () =>
        Promise.resolve<Outcome<undefined>>(
          this.#held.get(group) === epoch && this.newest(group) === epoch
            ? ok(undefined)
            : conflict(`group '${group}' epoch ${epoch} was lost`),
        ),
      release: () => {
        if (released) return Promise.resolve();
        released = true;
        if (this.#held.get(group) === epoch) this.revoke(group);
        return Promise.resolve();
      },
    });
  }

  current(group: string): Promise<Outcome<number>> {
    return Promise.resolve(ok(this.newest(group)));
  }
}
