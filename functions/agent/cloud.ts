/**
 * Cloud mode of the agent. Where there is no ARP to announce a VIP, becoming MASTER means moving the
 * cloud resources of the `cloud:` section to this member, and staying MASTER means re-asserting them:
 * every reconcile (called on each advert interval while MASTER) re-reads the provider and takes back
 * whatever another member holds, which fixes the keepalived #1884 failure (a split brain heals, the
 * survivor never re-runs notify_master, the cloud keeps pointing at the loser). No notify scripts.
 *
 *   BACKUP ──became MASTER──► onMaster(): epoch+1, observe all, take over from every other member
 *   MASTER ──advert tick────► reconcile(): observe all; writes only if something drifted; a takeover
 *                              found necessary again within `holdDownMs` is reported, not repeated
 *                              (two MASTERs in a split brain must not flap the cloud every second)
 *   MASTER ──stopping───────► onStop(): release nothing by default (the next MASTER takes over);
 *                              `releaseOnStop` releases what this member holds
 *
 * The epoch is local (VRRP has none); it only orders this agent's own actions. Every other member is
 * treated as fenced while VRRP says we are MASTER: the election is the fence.
 */
import type { FailoverResult } from '../../core/failover/index.ts';
import { executeActions, observeAll, planRelease, runFailover } from '../../core/failover/index.ts';
import type { Clock, Logger } from '../../core/ports/index.ts';
import type { CloudRuntime } from './cloud-setup.ts';

export interface CloudAgentOptions {
  runtime: CloudRuntime;
  /** This member's id in `cloud.members`. */
  self: string;
  clock: Clock;
  log?: Logger;
  /** After a reconcile took something back, do not take it back again for this long (default 30 s). */
  holdDownMs?: number;
  releaseOnStop?: boolean;
}

export interface CloudAgent {
  onMaster(): Promise<FailoverResult>;
  /** Null when skipped (a reconcile or failover is still running, or hold-down after a takeover). */
  reconcile(): Promise<FailoverResult | null>;
  onStop(): Promise<void>;
  /** Resolves when no failover or reconcile is running. */
  idle(): Promise<void>;
  readonly epoch: number;
}

export function createCloudAgent(o: CloudAgentOptions): CloudAgent {
  const { runtime, self, clock } = o;
  if (!runtime.members.includes(self))
    throw new Error(`cloud: self ${self} is not a member (${runtime.members.join(', ')})`);
  const others = runtime.members.filter((m) => m !== self);
  const ids = runtime.resources.map((r) => r.id);
  const holdDownMs = o.holdDownMs ?? 30_000;
  let epoch = 0;
  let busy: Promise<unknown> | null = null;
  let lastTakeoverAt = -Infinity;

  const run = async (reason: string): Promise<FailoverResult> => {
    const out = await runFailover({ resources: ids, desired: self, epoch, fenced: others }, runtime.deps);
    if (out.kind === 'unreadable')
      o.log?.warn('cloud: cannot read providers', { reason, failures: out.failures });
    else {
      if (out.report.changed.length > 0) {
        if (reason === 'reconcile') lastTakeoverAt = clock.monotonicMs();
        o.log?.info('cloud: moved to this member', { reason, epoch, changed: out.report.changed });
      }
      const failed = out.report.results.filter((r) => r.outcome?.kind !== 'ok');
      if (failed.length > 0)
        o.log?.warn('cloud: not everything moved', {
          reason,
          epoch,
          failed: failed.map((f) => ({ resource: f.action.resource, outcome: f.outcome ?? f.action })),
        });
    }
    return out;
  };

  const exclusive = <T>(work: () => Promise<T>): Promise<T> => {
    const p = work().finally(() => {
      if (busy === p) busy = null;
    });
    busy = p;
    return p;
  };

  return {
    get epoch() {
      return epoch;
    },
    async idle() {
      while (busy) await busy.catch(() => undefined);
    },
    async onMaster() {
      if (busy) await busy.catch(() => undefined);
      epoch++;
      return exclusive(() => run('became MASTER'));
    },
    async reconcile() {
      if (busy) return null;
      if (clock.monotonicMs() - lastTakeoverAt < holdDownMs) {
        // Inside the hold-down only look: report drift, do not fight for it.
        await exclusive(async () => {
          const seen = await observeAll(ids, runtime.deps);
          const drifted = seen.filter((s) => s.outcome.kind === 'ok' && s.outcome.value.holder !== self);
          if (drifted.length > 0)
            o.log?.warn('cloud: held elsewhere during hold-down', { resources: drifted.map((d) => d.id) });
        });
        return null;
      }
      return exclusive(() => run('reconcile'));
    },
    async onStop() {
      if (busy) await busy.catch(() => undefined);
      if (!o.releaseOnStop) return;
      const seen = await observeAll(ids, runtime.deps);
      const observed = seen.flatMap((s) => (s.outcome.kind === 'ok' ? [s.outcome.value] : []));
      await executeActions(epoch, planRelease(observed, self, epoch), runtime.deps);
    },
  };
}
