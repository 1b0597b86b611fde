/**
 * The AH Sequence Number as keepalived 2.2.7 keeps it (vrrp.c: vrrp_update_pkt, vrrp_in_chk_ipsecah,
 * vrrp_state_master_rx, vrrp_state_goto_master). One counter per instance serves both directions:
 *
 * - sending: the counter goes up by one before each advert round (every unicast peer gets the same
 *   number); past 0xFFFFFFFD it stops and is marked cycled;
 * - receiving: an advert whose ICV and SPI are good must carry a number above the counter, which then
 *   takes that number; anything else is an authentication failure (replay protection, rfc2402 §3.4.3).
 *   So a backup tracks the master's numbers and, on taking over, continues above them;
 * - a master that hears a lower-priority advert sets the counter to that advert's number + 1;
 * - becoming master with a cycled counter restarts it at 0.
 *
 * A sender that restarts from 1 is therefore ignored by a peer that saw higher numbers, until that peer
 * itself sends (as master) or syncs (as master hearing a lower priority): keepalived behaves the same.
 */
import type { AhCounter } from './state.ts';
import type { Tx } from './tx.ts';

/** The last number a sender may use before the counter is marked cycled. */
const AH_SEQ_LIMIT = 0xfffffffd;

const counterOf = (tx: Tx): AhCounter => tx.s.ahCounter ?? { seq: 0, cycled: false };

/** Advance the counter for one advert round; returns the number to send. */
export function nextAhSeq(tx: Tx): number {
  const c = counterOf(tx);
  const next = c.seq > AH_SEQ_LIMIT ? { seq: c.seq, cycled: true } : { seq: c.seq + 1, cycled: c.cycled };
  tx.s = { ...tx.s, ahCounter: next };
  return next.seq;
}

/** Replay check of a received number; true (and the counter moved up to it) when it is new. */
export function acceptAhSeq(tx: Tx, seq: number): boolean {
  const c = counterOf(tx);
  if (seq <= c.seq) return false;
  tx.s = { ...tx.s, ahCounter: { seq, cycled: tx.s.state === 'BACKUP' ? false : c.cycled } };
  return true;
}

/** A master heard a lower priority: continue above the other sender's numbers. */
export function syncAhSeq(tx: Tx, seq: number): void {
  tx.s = { ...tx.s, ahCounter: { seq: Math.min(seq + 1, 0xffffffff), cycled: false } };
}

/** Entering MASTER: a cycled counter starts again from 0. */
export function resetCycledAhSeq(tx: Tx): void {
  if (tx.s.ahCounter?.cycled) tx.s = { ...tx.s, ahCounter: { seq: 0, cycled: false } };
}
