/*
 * The agent's cloud mode as a use case. Where there is no ARP to announce a VIP, becoming MASTER means
 * moving the group's cloud resources to this member, and staying MASTER means re-asserting them: every
 * reconcile re-reads the providers and takes back whatever another member holds, which fixes the
 * keepalived #1884 failure (a split brain heals, the survivor never re-runs notify_master, the cloud keeps
 * pointing at the loser).
 *
 *   BACKUP ──became MASTER──► onMaster(): runFailover(to: self) under the fence (VRRP mastership, or the
 *                             control plane's lease when an arbiter is configured)
 *   MASTER ──tick────────────► reconcile(): runFailover(to: self); writes only what drifted
 *                              within `holdDownMs` of a takeover it only looks, and says once that the
 *                              group is held elsewhere (and once when that ends): two MASTERs in a split
 *                              brain without an arbiter must not flap the cloud every second
 *   MASTER ──stopping────────► onStop(): release what this member holds when `releaseOnStop`
 *
 * Everything goes through core/app/failover.ts; nothing here talks to a provider except through it.
 * Proof: test/core/app/cloud-agent.test.ts (in-memory ports), test/netns/cloud/agent-aws.test.ts.
 */
import type { GroupConfig } from '../config/failover-group.ts';
import { mapLimited, planRelease } from '../failover/index.ts';
import type { Outcome } from '../model/index.ts';
import type { Logger } from '../ports/index.ts';
import { runFailover, type FailoverDeps, type FailoverReport } from './failover.ts';
import { observeGroup } from './inspect.ts';

export interface CloudAgentOptions {
  deps: FailoverDeps;
  group: GroupConfig;
  /** This member's id in the group. */
  self: string;
  /** After a reconcile took something back, do not take it back again for this long. */
  holdDownMs: number;
  releaseOnStop: boolean;
  log: Logger;
}

export interface CloudAgent {
  onMaster(): Promise<Outcome<FailoverReport>>;
  /** Null when skipped (a run is still going, or inside the hold-down). */
  reconcile(): Promise<Outcome<FailoverReport> | null>;
  onStop(): Promise<void>;
  /** Resolves when no failover or reconcile is running. */
  idle(): Promise<void>;
}

export function createCloudAgent(o: CloudAgentOptions): CloudAgent {
  const { deps, group, self, log } = o;
  if (!group.members.some((m) => m.id === self))
    throw new Error(`cloud: self ${self} is not a member (${group.members.map((m) => m.id).join(', ')})`);
  let n = 0;
  let busy: Promise<unknown> | null = null;
  let lastTakeoverAt = Number.NEGATIVE_INFINITY;
  let heldElsewhere: string[] = [];

  const run = async (action: 'failover' | 'reconcile', reason: string): Promise<Outcome<FailoverReport>> => {
    n++;
    const out = await runFailover(deps, {
      group,
      job: {
        kind: 'failover',
        key: `agent|${self}|${n}`,
        group: group.id,
        to: self,
        action,
        reason,
        source: 'vrrp',
        seq: n,
      },
    });
    if (out.kind === 'ok' && out.value.changed && action === 'reconcile')
      lastTakeoverAt = deps.clock.monotonicMs();
    if (out.kind === 'ok' && out.value.changed)
      log.info('cloud: moved to this member', {
        reason,
        epoch: out.value.epoch,
        changed: out.value.resources.filter((r) => r.changed).map((r) => r.resource),
      });
    if (out.kind !== 'ok')
      log.warn('cloud: failover did not run', { reason, outcome: out.kind, why: out.reason });
    return out;
  };

  const exclusive = <T>(work: () => Promise<T>): Promise<T> => {
    const p = work().finally(() => {
      if (busy === p) busy = null;
    });
    busy = p;
    return p;
  };

  /** Inside the hold-down: look only, and say so once when it starts and once when it ends. */
  const look = async (): Promise<void> => {
    const views = await observeGroup(deps, group);
    const elsewhere = views.flatMap((v) =>
      v.outcome.kind === 'ok' && v.outcome.value.holder !== null && v.outcome.value.holder !== self
        ? [v.resource.id]
        : [],
    );
    if (elsewhere.length > 0 && heldElsewhere.length === 0)
      log.warn('cloud: held elsewhere during hold-down; not taking it back until the hold-down ends', {
        resources: elsewhere,
        holdDownMs: o.holdDownMs,
      });
    else if (elsewhere.length === 0 && heldElsewhere.length > 0)
      log.info('cloud: no longer held elsewhere', { resources: heldElsewhere });
    heldElsewhere = elsewhere;
  };

  return {
    async idle() {
      while (busy) await busy.catch(() => undefined);
    },
    async onMaster() {
      if (busy) await busy.catch(() => undefined);
      return exclusive(() => run('failover', 'became MASTER'));
    },
    async reconcile() {
      if (busy) return null;
      if (deps.clock.monotonicMs() - lastTakeoverAt < o.holdDownMs) {
        await exclusive(look);
        return null;
      }
      if (heldElsewhere.length > 0) {
        log.info('cloud: hold-down over; re-asserting', { resources: heldElsewhere });
        heldElsewhere = [];
      }
      return exclusive(() => run('reconcile', 'reconcile'));
    },
    async onStop() {
      if (busy) await busy.catch(() => undefined);
      if (!o.releaseOnStop) return;
      await releaseAll(deps, group, self, log);
    },
  };
}

/** Releases every resource `self` holds (graceful stop); what others hold is left alone. */
async function releaseAll(deps: FailoverDeps, group: GroupConfig, self: string, log: Logger): Promise<void> {
  const views = await observeGroup(deps, group);
  const observed = views.flatMap((v) => (v.outcome.kind === 'ok' ? [v.outcome.value] : []));
  const cur = await deps.fence.current(group.id);
  const epoch = cur.kind === 'ok' ? cur.value : 0;
  const member = group.members.find((m) => m.id === self);
  await mapLimited(planRelease(observed, self, epoch), deps.policy.concurrency, async (a) => {
    const r = group.resources.find((x) => x.id === a.resource);
    const p = r ? deps.providers(r.provider) : undefined;
    if (!r || !p) return;
    const out = await p.release(r, { id: self, spec: member?.settings[r.provider] ?? {} }, epoch);
    if (out.kind !== 'ok')
      log.warn('cloud: release failed', { resource: r.id, outcome: out.kind, why: out.reason });
  });
}
