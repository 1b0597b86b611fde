/** BACKUP state (rfc5798 §6.4.2, keepalived vrrp.c vrrp_state_backup). */
import { advertIntervalMs, type ReceivedAdvert } from '../codec/advert.ts';
import { VRRP_PRIORITY_OWNER, VRRP_PRIORITY_STOP } from '../codec/constants.ts';
import { restoreOwnerPriority } from './duplicate-owner.ts';
import { enterMaster, masterDownOf, skewOf } from './enter.ts';
import { arm, count, set, type Tx } from './tx.ts';

/**
 * - priority 0: Master_Down_Timer = Skew_Time (fast takeover after a clean stop).
 * - priority >= ours, or nopreempt, or within preempt_delay: accept; v3 adopts Master_Adver_Interval;
 *   Master_Down_Timer reset.
 * - lower priority while preempting: discard; the timer keeps running and we take over when it expires.
 */
export function backupRxAdvert(tx: Tx, packet: ReceivedAdvert): void {
  const { advert, ip } = packet;
  // keepalived 2.3.3: an owner at 254 takes 255 back once the other owner is no longer what it hears.
  if (tx.s.ownerReduced && (advert.priority !== VRRP_PRIORITY_OWNER || tx.s.master?.address !== ip.src))
    restoreOwnerPriority(tx);
  const s = tx.s;
  if (advert.priority === VRRP_PRIORITY_STOP) {
    count(tx, 'pri_zero_rcvd');
    arm(tx, 'master-down', tx.now + skewOf(tx.s));
    return;
  }
  const ours = s.effectivePriority;
  const delay = s.spec.preemptDelayMs;
  let preemptAtMs = s.preemptAtMs;
  if (delay > 0) {
    // keepalived: the delay runs from start-up, from the last higher-priority advert, or else from the
    // first lower one.
    if (advert.priority > ours) preemptAtMs = tx.now + delay;
    else if (advert.priority < ours && preemptAtMs === undefined) preemptAtMs = tx.now + delay;
  }
  const inPreemptDelay = delay > 0 && preemptAtMs !== undefined && tx.now < preemptAtMs;
  set(tx, { preemptAtMs });
  if (!s.spec.preempt || advert.priority >= ours || inPreemptDelay) {
    set(tx, {
      masterAdverIntervalMs: advert.version === 3 ? advertIntervalMs(advert) : s.spec.advertIntervalMs,
      master: { address: ip.src, priority: advert.priority, lastAdvertMs: tx.now },
      wantMaster: false,
    });
    arm(tx, 'master-down', tx.now + masterDownOf(tx.s));
  }
}

/** Master_Down_Timer expired: become master, or (sync group) say so and wait for the other members. */
export function backupMasterDown(tx: Tx): void {
  if (tx.s.inSyncGroup) {
    set(tx, { wantMaster: true });
    arm(tx, 'master-down', tx.now + masterDownOf(tx.s));
    return;
  }
  enterMaster(tx);
}
