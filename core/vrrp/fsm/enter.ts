/**
 * Entering each state, with keepalived's order of actions (reference §1.5): e.g. on becoming master the
 * advert goes out first, then the VIPs, then the GARPs, then the notifies.
 */
import { resetCycledAhSeq } from './ah-sequence.ts';
import { restoreOwnerPriority } from './duplicate-owner.ts';
import { masterDownMs, skewMs } from './timing.ts';
import { allAddresses, sendAdvert, sendGarp } from './advertise.ts';
import type { InstanceState } from './state.ts';
import { arm, cancel, count, notify, set, type Tx } from './tx.ts';

/** Master_Down_Interval for the state as it is (effective priority, learned interval). */
export const masterDownOf = (s: InstanceState): number =>
  masterDownMs(s.spec.version, s.effectivePriority, s.masterAdverIntervalMs, s.spec.downTimerAdverts);

export const skewOf = (s: InstanceState): number =>
  skewMs(s.spec.version, s.effectivePriority, s.masterAdverIntervalMs);

/** The owner wishing MASTER starts at once (keepalived ms_down_timer = 1 µs). */
export const isEagerOwner = (s: InstanceState): boolean =>
  s.spec.priority === 255 && s.spec.initialState === 'MASTER';

function leaveMaster(tx: Tx): void {
  if (tx.s.state !== 'MASTER') return;
  cancel(tx, 'advert', 'garp-delayed', 'garp-refresh', 'garp-extra-if');
  set(tx, { pendingGarp: undefined, lastConflictMs: undefined, rogue: undefined });
  tx.fx.push({ kind: 'remove-vips', instance: tx.s.spec.name, addresses: allAddresses(tx.s.spec) });
  count(tx, 'release_master');
}

export function enterBackup(tx: Tx, options: { downAtMs?: number; reason?: string } = {}): void {
  leaveMaster(tx);
  set(tx, { state: 'BACKUP', wantMaster: false, sinceMs: tx.now });
  arm(tx, 'master-down', options.downAtMs ?? tx.now + masterDownOf(tx.s));
  notify(tx, 'BACKUP', options.reason);
}

export function enterMaster(tx: Tx, reason?: string): void {
  const spec = tx.s.spec;
  cancel(tx, 'master-down');
  set(tx, {
    state: 'MASTER',
    wantMaster: false,
    sinceMs: tx.now,
    masterAdverIntervalMs: spec.advertIntervalMs,
    master: { address: spec.sourceIp, priority: tx.s.effectivePriority, lastAdvertMs: tx.now },
    preemptAtMs: undefined,
    lastConflictMs: undefined,
  });
  resetCycledAhSeq(tx);
  sendAdvert(tx);
  // keepalived vrrp_state_become_master: the other owner is gone (the first advert still went out at 254).
  restoreOwnerPriority(tx);
  tx.fx.push({ kind: 'add-vips', instance: spec.name, addresses: allAddresses(spec) });
  sendGarp(tx, spec.garp.masterRepeat, 'become-master');
  if (spec.garp.masterDelayMs > 0 && spec.garp.masterRepeat > 0) {
    set(tx, { pendingGarp: { repeat: spec.garp.masterRepeat, reason: 'master-delayed' } });
    arm(tx, 'garp-delayed', tx.now + spec.garp.masterDelayMs);
  }
  if (spec.garp.masterRefreshMs > 0) arm(tx, 'garp-refresh', tx.now + spec.garp.masterRefreshMs);
  const extraIf = spec.garp.extraIfMs ?? 0;
  if (extraIf > 0 && (spec.garp.extraIfAddresses?.length ?? 0) > 0)
    arm(tx, 'garp-extra-if', tx.now + extraIf);
  arm(tx, 'advert', tx.now + spec.advertIntervalMs);
  count(tx, 'become_master');
  notify(tx, 'MASTER', reason);
}

/** Any state -> FAULT. A master first tells the others with a priority-0 advert. */
export function enterFault(tx: Tx, reason: string): void {
  if (tx.s.state === 'MASTER') sendAdvert(tx, 0);
  leaveMaster(tx);
  cancel(tx, 'master-down');
  set(tx, { state: 'FAULT', wantMaster: false, sinceMs: tx.now });
  notify(tx, 'FAULT', reason);
}

/** FAULT -> BACKUP once every fault is gone (the owner wishing MASTER: advert_int + skew). */
export function leaveFault(tx: Tx): void {
  const s = tx.s;
  const downAtMs = isEagerOwner(s) ? tx.now + s.spec.advertIntervalMs + skewOf(s) : undefined;
  enterBackup(tx, { ...(downAtMs === undefined ? {} : { downAtMs }), reason: 'fault cleared' });
  // Unicast: announce our own source address so the master re-learns where we are (keepalived).
  if (s.spec.unicastPeers.length > 0)
    tx.fx.push({
      kind: 'send-garp',
      instance: s.spec.name,
      addresses: [s.spec.sourceIp],
      repeat: 1,
      intervalMs: 0,
      reason: 'unicast-source',
    });
}

/** Daemon stop (notify STOP), or instance removed on reload (notify DELETED). */
export function enterStop(tx: Tx, what: 'STOP' | 'DELETED' = 'STOP'): void {
  if (tx.s.state === 'MASTER') sendAdvert(tx, 0);
  leaveMaster(tx);
  cancel(tx, 'master-down', 'advert', 'garp-delayed', 'garp-refresh', 'garp-extra-if');
  set(tx, { state: 'STOP', wantMaster: false, sinceMs: tx.now });
  notify(tx, what);
}
