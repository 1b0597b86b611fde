/** Handlers shared by several states: start, trackers, shutdown, rejects, sync orders. */
import { rejectStat } from '../codec/reject-reason.ts';
import { enterBackup, enterFault, enterMaster, enterStop, isEagerOwner, leaveFault } from './enter.ts';
import type { InstanceEvent } from './events.ts';
import { evaluatePriority, initialTrackerStatus, type TrackerStatus } from './priority.ts';
import { ownerCapped } from './duplicate-owner.ts';
import { count, notify, reportOnce, set, type Tx } from './tx.ts';

type Ev<K extends InstanceEvent['kind']> = Extract<InstanceEvent, { kind: K }>;

/** INIT -> BACKUP (VIPs removed "just in case", master-down armed) or FAULT. */
export function onStart(tx: Tx): void {
  const spec = tx.s.spec;
  tx.fx.push({ kind: 'remove-vips', instance: spec.name, addresses: [...spec.vips, ...spec.excludedVips] });
  if (tx.s.faults.length > 0 || tx.s.syncFault) {
    enterFault(tx, faultReason(tx));
    return;
  }
  // preempt_delay counts from start-up too ("after startup or seeing a lower priority master").
  if (spec.preemptDelayMs > 0) set(tx, { preemptAtMs: tx.now + spec.preemptDelayMs });
  enterBackup(tx, { ...(isEagerOwner(tx.s) ? { downAtMs: tx.now } : {}), reason: 'init' });
}

const faultReason = (tx: Tx): string =>
  tx.s.faults.length > 0 ? `tracked ${tx.s.faults.join(', ')} failed` : 'sync group member in fault';

/** Record a tracker's status, recompute priority and fault, and move between FAULT and BACKUP/MASTER. */
export function onTracker(tx: Tx, e: Ev<'tracker'>): void {
  if (!tx.s.spec.trackers.some((t) => t.id === e.id)) return;
  const trackers = { ...tx.s.trackers, [e.id]: e.status };
  const verdict = evaluatePriority(tx.s.spec.priority, tx.s.spec.trackers, trackers);
  const before = tx.s.effectivePriority;
  set(tx, { trackers, effectivePriority: ownerCapped(tx, verdict.effective), faults: verdict.faults });
  const state = tx.s.state;
  if (state === 'INIT' || state === 'STOP') return;
  if (state === 'FAULT') {
    if (verdict.faults.length === 0 && !tx.s.syncFault) leaveFault(tx);
    return;
  }
  if (verdict.faults.length > 0) {
    enterFault(tx, faultReason(tx));
    return;
  }
  if (tx.s.effectivePriority !== before && tx.s.spec.notifyPriorityChanges)
    notify(tx, state === 'MASTER' ? 'MASTER_PRIORITY' : 'BACKUP_PRIORITY');
}

export function onShutdown(tx: Tx): void {
  enterStop(tx);
}

export function onRemove(tx: Tx): void {
  enterStop(tx, 'DELETED');
}

/** New settings, same identity: keep the state, recompute priority and faults, apply VIP changes. */
export function onReconfigure(tx: Tx, e: Ev<'reconfigure'>): void {
  const old = tx.s.spec;
  const trackers: Record<string, TrackerStatus> = {};
  for (const t of e.spec.trackers) trackers[t.id] = tx.s.trackers[t.id] ?? initialTrackerStatus(t);
  const verdict = evaluatePriority(e.spec.priority, e.spec.trackers, trackers);
  set(tx, {
    spec: e.spec,
    inSyncGroup: e.inSyncGroup,
    trackers,
    effectivePriority: ownerCapped(tx, verdict.effective),
    faults: verdict.faults,
    ...(tx.s.state === 'MASTER' ? { masterAdverIntervalMs: e.spec.advertIntervalMs } : {}),
  });
  const state = tx.s.state;
  if (state === 'MASTER') {
    const before = [...old.vips, ...old.excludedVips];
    const after = [...e.spec.vips, ...e.spec.excludedVips];
    const gone = before.filter((a) => !after.includes(a));
    const added = after.filter((a) => !before.includes(a));
    if (gone.length > 0) tx.fx.push({ kind: 'remove-vips', instance: e.spec.name, addresses: gone });
    if (added.length > 0) {
      tx.fx.push({ kind: 'add-vips', instance: e.spec.name, addresses: added });
      if (e.spec.garp.masterRepeat > 0)
        tx.fx.push({
          kind: 'send-garp',
          instance: e.spec.name,
          addresses: added,
          repeat: e.spec.garp.masterRepeat,
          intervalMs: e.spec.garp.intervalMs,
          reason: 'become-master',
        });
    }
  }
  if ((state === 'MASTER' || state === 'BACKUP') && verdict.faults.length > 0)
    enterFault(tx, faultReason(tx));
  else if (state === 'FAULT' && verdict.faults.length === 0 && !tx.s.syncFault) leaveFault(tx);
}

export function onRejected(tx: Tx, e: Ev<'rejected'>): void {
  count(tx, rejectStat[e.reason]);
  if (e.from !== undefined)
    reportOnce(tx, `rejected:${e.reason}:${e.from}`, { kind: 'rejected', from: e.from, reason: e.reason });
}

/** Sync orders that apply whatever the state: fault imposed or lifted by another member. */
export function onSyncFault(tx: Tx, e: Ev<'sync'>): boolean {
  if (e.action === 'fault') {
    set(tx, { syncFault: true });
    if (tx.s.state === 'BACKUP' || tx.s.state === 'MASTER') enterFault(tx, 'sync group member in fault');
    return true;
  }
  if (e.action === 'clear-fault') {
    set(tx, { syncFault: false });
    if (tx.s.state === 'FAULT' && tx.s.faults.length === 0) leaveFault(tx);
    return true;
  }
  return false;
}

export function onSyncInBackup(tx: Tx, e: Ev<'sync'>): void {
  if (onSyncFault(tx, e)) return;
  if (e.action === 'master' && tx.s.wantMaster) enterMaster(tx, 'sync group');
}

export function onSyncInMaster(tx: Tx, e: Ev<'sync'>): void {
  if (onSyncFault(tx, e)) return;
  if (e.action === 'backup') enterBackup(tx, { reason: 'sync group member went backup' });
}
