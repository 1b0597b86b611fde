/**
 * Two address owners (priority 255) on one VRID: a configuration error, resolved as keepalived 2.3.3+ does
 * (vrrp.c vrrp_state_master_rx, vrrp_state_master_tx, vrrp_rogue_timer_thread, RFC 9568 work):
 *
 * ```
 *  MASTER at 255 hears another owner
 *   ├─ its address is higher ─────────────► we yield (the usual equal-priority rule)
 *   ├─ rogue window open ─────────────────► effective priority 254, so we yield to it
 *   └─ otherwise: we stay; after 2 more adverts of ours a window of 1.2 x max(its interval, ours) opens.
 *      A rogue that honours the same rule has gone BACKUP by then and stays silent: we keep 255.
 *
 *  254 is given back when the other owner is gone: on becoming MASTER again, or as BACKUP on hearing an
 *  advert below 255 or from another master.
 * ```
 *
 * (keepalived 2.2.7 instead dropped any master to 254 on the first equal owner advert, whatever the
 * addresses, which could leave both owners at 254; an owner with `owner_ignore_adverts` never hears the
 * other and keeps 255, so the other owner is the one that yields.)
 */
import { VRRP_PRIORITY_OWNER } from '../codec/constants.ts';
import { set, type Tx } from './tx.ts';

/** A master at 255 heard another owner whose address is lower than ours (we would win the tie-break). */
export function rogueOwnerHeard(tx: Tx, rogueIntervalMs: number): void {
  const r = tx.s.rogue;
  if (r?.windowUntilMs !== undefined && tx.now < r.windowUntilMs) {
    set(tx, { effectivePriority: VRRP_PRIORITY_OWNER - 1, ownerReduced: true, rogue: undefined });
    return;
  }
  const counter = r && r.counter > 0 ? r.counter : 2;
  set(tx, { rogue: { counter, adverIntMs: rogueIntervalMs } });
}

/** After each periodic advert of an owner master: count down, then open the window. */
export function rogueAfterAdvert(tx: Tx): void {
  const r = tx.s.rogue;
  if (!r || r.counter === 0 || tx.s.spec.priority !== VRRP_PRIORITY_OWNER) return;
  const counter = r.counter - 1;
  const windowMs = (Math.max(r.adverIntMs, tx.s.spec.advertIntervalMs) * 12) / 10;
  set(tx, { rogue: { ...r, counter, ...(counter === 0 ? { windowUntilMs: tx.now + windowMs } : {}) } });
}

/** Give 255 back once the other owner is gone. */
export function restoreOwnerPriority(tx: Tx): void {
  if (!tx.s.ownerReduced) return;
  set(tx, {
    ownerReduced: false,
    ...(tx.s.effectivePriority === VRRP_PRIORITY_OWNER - 1 ? { effectivePriority: VRRP_PRIORITY_OWNER } : {}),
  });
}

/** An owner's effective priority as trackers compute it, kept at 254 while reduced. */
export const ownerCapped = (tx: Tx, effective: number): number =>
  tx.s.ownerReduced && effective === VRRP_PRIORITY_OWNER ? VRRP_PRIORITY_OWNER - 1 : effective;
