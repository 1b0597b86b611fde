/**
 * The agent's fence: VRRP mastership. While the watched instance is MASTER this agent may act on its
 * cloud group; every time it becomes MASTER anew the epoch grows, and a decision taken under an older
 * mastership fails its check (so a MASTER → BACKUP → MASTER flap never lets the first decision write
 * again). The epoch only orders this agent's own decisions; agents that may both be MASTER (a split
 * brain) arbitrate through the control plane's lease instead (adapters/redis/lease-fence.ts).
 */
import { conflict, ok, type Outcome } from '../model/index.ts';
import type { Fence, FenceLease } from '../ports/index.ts';

export interface VrrpFence extends Fence {
  /** The instance became MASTER (a new epoch) or left it. */
  setMaster(master: boolean): void;
  readonly master: boolean;
  readonly epoch: number;
}

export function createVrrpFence(): VrrpFence {
  let epoch = 0;
  let master = false;
  const lease = (group: string, mine: number): FenceLease => ({
    group,
    epoch: mine,
    check: () =>
      Promise.resolve<Outcome<undefined>>(
        master && epoch === mine ? ok(undefined) : conflict(`no longer MASTER under epoch ${mine}`),
      ),
    release: () => Promise.resolve(),
  });
  return {
    get master() {
      return master;
    },
    get epoch() {
      return epoch;
    },
    setMaster(m) {
      if (m && !master) epoch++;
      master = m;
    },
    acquire(group) {
      return Promise.resolve(master ? ok(lease(group, epoch)) : conflict('this agent is not MASTER'));
    },
    current: () => Promise.resolve(ok(epoch)),
  };
}
