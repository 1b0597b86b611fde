import type { Epoch, Outcome } from '../../core/model/index.ts';
import { conflict, ok } from '../../core/model/index.ts';
import type { Fence, FenceLease, LeaseTransport } from '../../core/ports/index.ts';

export interface LeaseFenceOptions {
  transport: LeaseTransport;
  /** What must hold first (the agent's VRRP mastership); the lease only arbitrates between MASTERs. */
  gate: Fence;
  node: string;
  /** VRRP priority: a higher one may take the lease from a lower one, as on the wire. */
  priority: number;
  /** The VRRP tie-break between equal priorities (the higher address wins). */
  address: string;
  ttlMs: number;
  /**
   * The store could not be reached to claim the lease. The decision then goes ahead under the gate alone
   * (VRRP, with the agent's hold-down against flapping): Redis down must never stop a failover.
   */
  onUnreachable?: (group: string, why: string) => void;
}

export interface LeaseFence extends Fence {
  /** Lets the lease go (the agent left MASTER or stops). */
  stepDown(): Promise<void>;
  /** The newest epoch this node claimed (0: none). */
  readonly epoch: Epoch;
}

/**
 * A split-brain arbiter for agents: two agents that both believe they are MASTER claim the group's lease
 * in the control plane's Redis (leaseClaim: free, ours, or held by a node we may preempt), and only the
 * holder acts. Every claim is a new epoch from the group's epoch counter; the lease is renewed every
 * third of its lifetime while held, and every check renews it (a round trip), so a node that lost it
 * stops before its next write. When the store cannot be reached at all, the gate alone decides (see
 * `onUnreachable`). Proof: test/adapters/redis/lease-fence.test.ts.
 */
export function leaseFence(o: LeaseFenceOptions): LeaseFence {
  let epoch: Epoch = 0;
  let scope: string | null = null;
  let beat: ReturnType<typeof setInterval> | undefined;
  const stopBeat = (): void => {
    if (beat) clearInterval(beat);
    beat = undefined;
  };
  const renew = (mine: Epoch): Promise<Outcome<undefined>> =>
    scope === null ? Promise.resolve(conflict('no lease')) : o.transport.renew(scope, o.node, mine, o.ttlMs);
  return {
    get epoch() {
      return epoch;
    },
    async acquire(group, options) {
      const gate = await o.gate.acquire(group, options);
      if (gate.kind !== 'ok') return gate;
      const claim = await o.transport.claim(group, o.node, o.priority, o.address, o.ttlMs);
      if (claim.kind === 'retry') {
        o.onUnreachable?.(group, claim.reason);
        return gate;
      }
      if (claim.kind !== 'ok') {
        await gate.value.release();
        return claim.kind === 'conflict'
          ? conflict(`arbiter: the lease of '${group}' is held by a node this one may not preempt`)
          : claim;
      }
      const mine = claim.value.epoch;
      epoch = mine;
      scope = group;
      stopBeat();
      beat = setInterval(() => void renew(mine), Math.max(50, Math.floor(o.ttlMs / 3)));
      beat.unref();
      const lease: FenceLease = {
        group,
        epoch: mine,
        async check() {
          const g = await gate.value.check();
          if (g.kind !== 'ok') return g;
          if (epoch !== mine) return conflict(`arbiter: epoch ${mine} was replaced by ${epoch}`);
          const r = await renew(mine);
          // Lost to another node: stop. Store unreachable: the gate (VRRP) alone decides, as in acquire.
          return r.kind === 'retry' ? ok(undefined) : r;
        },
        release: () => gate.value.release(),
      };
      return ok(lease);
    },
    current: (group) => (scope === group ? Promise.resolve(ok(epoch)) : o.gate.current(group)),
    async stepDown() {
      stopBeat();
      if (scope !== null && epoch > 0) await o.transport.release(scope, o.node, epoch);
    },
  };
}
