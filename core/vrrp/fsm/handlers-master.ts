/** MASTER state (rfc5798 §6.4.3 as updated by rfc9568, keepalived vrrp.c vrrp_state_master_rx). */
import { advertIntervalMs, type ReceivedAdvert } from '../codec/advert.ts';
import { VRRP_PRIORITY_OWNER, VRRP_PRIORITY_STOP } from '../codec/constants.ts';
import { compareIp } from '../codec/ip-address.ts';
import { syncAhSeq } from './ah-sequence.ts';
import { rogueAfterAdvert, rogueOwnerHeard } from './duplicate-owner.ts';
import { sendAdvert, sendGarp } from './advertise.ts';
import { enterBackup, skewOf } from './enter.ts';
import type { TimerKind } from './effects.ts';
import { arm, notify, report, set, type Tx } from './tx.ts';

/**
 * - priority 0: send an advert now, reset the advert timer.
 * - higher priority, or equal with a higher source address: yield to BACKUP (first one advert of ours if
 *   higher_prio_send_advert), adopting the sender's interval.
 * - lower (or equal with a lower address): stay; re-advertise now unless lower_prio_no_advert; lower-prio
 *   GARP bursts; MASTER_RX_LOWER_PRI notify; floatip re-announces once per conflict episode.
 */
export function masterRxAdvert(tx: Tx, packet: ReceivedAdvert): void {
  const { advert, ip } = packet;
  const spec = tx.s.spec;
  if (advert.priority === VRRP_PRIORITY_STOP) {
    sendAdvert(tx);
    arm(tx, 'advert', tx.now + spec.advertIntervalMs);
    return;
  }
  const order = compareIp(ip.src, spec.sourceIp);
  if (order === 0) return; // our own advert, looped back
  if (advert.priority === VRRP_PRIORITY_OWNER && tx.s.effectivePriority === VRRP_PRIORITY_OWNER && order < 0)
    rogueOwnerHeard(tx, advertIntervalMs(advert));
  const ours = tx.s.effectivePriority;
  const theyWin = advert.priority > ours || (advert.priority === ours && order > 0);
  report(tx, {
    kind: 'competing-master',
    from: ip.src,
    theirPriority: advert.priority,
    ourPriority: ours,
    outcome: theyWin ? 'we-yield' : 'we-stay',
  });
  if (theyWin) {
    if (spec.higherPrioSendAdvert) sendAdvert(tx);
    set(tx, {
      masterAdverIntervalMs: advert.version === 3 ? advertIntervalMs(advert) : spec.advertIntervalMs,
      master: { address: ip.src, priority: advert.priority, lastAdvertMs: tx.now },
    });
    enterBackup(tx, { reason: `higher priority ${advert.priority} from ${ip.src}` });
    return;
  }
  // An episode ends when no competing master was heard for a whole master-down span.
  const quietMs = spec.downTimerAdverts * spec.advertIntervalMs;
  const newEpisode = tx.s.lastConflictMs === undefined || tx.now - tx.s.lastConflictMs > quietMs;
  set(tx, { lastConflictMs: tx.now });
  if (packet.ah) syncAhSeq(tx, packet.ah.seq);
  if (!spec.lowerPrioNoAdvert) {
    sendAdvert(tx);
    arm(tx, 'advert', tx.now + spec.advertIntervalMs);
  }
  const g = spec.garp;
  sendGarp(tx, g.lowerPrioRepeat, 'lower-prio');
  if (g.lowerPrioRepeat > 0 && g.lowerPrioDelayMs > 0) {
    set(tx, { pendingGarp: { repeat: g.lowerPrioRepeat, reason: 'lower-prio-delayed' } });
    arm(tx, 'garp-delayed', tx.now + g.lowerPrioDelayMs);
  }
  notify(tx, 'MASTER_RX_LOWER_PRI', `priority ${advert.priority} from ${ip.src}`);
  if (spec.reannounceOnConflict && newEpisode) {
    if (g.lowerPrioRepeat <= 0) sendGarp(tx, Math.max(1, g.masterRepeat), 'reannounce');
    notify(tx, 'MASTER', 'reannounce');
  }
}

export function masterTimer(tx: Tx, timer: TimerKind): void {
  const spec = tx.s.spec;
  if (timer === 'advert') {
    sendAdvert(tx);
    rogueAfterAdvert(tx);
    arm(tx, 'advert', tx.now + spec.advertIntervalMs);
  } else if (timer === 'garp-delayed') {
    const pending = tx.s.pendingGarp;
    set(tx, { pendingGarp: undefined });
    if (pending) sendGarp(tx, pending.repeat, pending.reason);
  } else if (timer === 'garp-refresh') {
    sendGarp(tx, spec.garp.masterRefreshRepeat, 'refresh');
    arm(tx, 'garp-refresh', tx.now + spec.garp.masterRefreshMs);
  } else if (timer === 'garp-extra-if') {
    sendGarp(tx, 1, 'extra-if', spec.garp.extraIfAddresses ?? []);
    arm(tx, 'garp-extra-if', tx.now + (spec.garp.extraIfMs ?? 0));
  }
}

/** A tracked virtual route or rule was deleted externally: BACKUP, master-down = skew (keepalived). */
export function masterLostVirtual(tx: Tx, what: string): void {
  enterBackup(tx, { downAtMs: tx.now + skewOf(tx.s), reason: `${what} was deleted` });
}
