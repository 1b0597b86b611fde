/**
 * The VRRP instance reducer: `step(state, event, now) -> { state, effects }`.
 *
 * ```
 *              start, no fault                    Master_Down_Timer fires
 *  ┌──────┐  (VIPs removed, timer armed) ┌────────┐ (advert, VIPs, GARP, notify) ┌────────┐
 *  │ INIT │ ───────────────────────────► │ BACKUP │ ───────────────────────────► │ MASTER │
 *  └──────┘                              └────────┘ ◄─────────────────────────── └────────┘
 *     │                                   │     ▲    advert prio > ours, or        │    ↺ advert prio < ours (or
 *     │ start, fault        tracker/sync  │     │    equal from a higher address   │      equal, lower address):
 *     │                     fault         │     │    (VIPs removed, notify BACKUP) │      stay, re-advert, GARP,
 *     ▼                                   ▼     │ faults cleared                   │      re-announce
 *  ┌───────┐ ◄────────────────────────────┘     │                                  │
 *  │ FAULT │ ───────────────────────────────────┘                                  │
 *  └───────┘ ◄──────── tracker/sync fault (MASTER sends priority 0, VIPs removed) ─┘
 *
 *  BACKUP ↺ advert prio >= ours, or nopreempt, or within preempt_delay: reset Master_Down_Timer
 *         ↺ advert prio 0: Master_Down_Timer = Skew_Time;  lower prio while preempting: discard
 *  any state ── shutdown ──► STOP (a MASTER sends priority 0 and removes its VIPs; notify STOP)
 * ```
 *
 * Adverts pass `checkAdvertForInstance` first (VRID, version, auth, v2 interval); refused ones are only
 * counted. Address-list mismatches, foreign senders and interval differences are reported, not refused.
 */
import { acceptAhSeq } from './ah-sequence.ts';
import { enterBackup } from './enter.ts';
import { skewMs } from './timing.ts';
import { rejectStat } from '../codec/reject-reason.ts';
import type { InstanceEvent } from './events.ts';
import { checkAdvertForInstance } from './receive.ts';
import type { InstanceState } from './state.ts';
import { begin, commit, count, report, reportOnce, withoutTimer, type StepResult, type Tx } from './tx.ts';
import { transitions, type Handler } from './transitions.ts';

export type { StepResult } from './tx.ts';

function reportKey(r: { kind: string; from?: string }): string {
  return `${r.kind}:${r.from ?? ''}`;
}

/** Count the advert and apply the instance-level checks; false = refused (already counted). */
function admitAdvert(tx: Tx, event: Extract<InstanceEvent, { kind: 'advert' }>): boolean {
  const check = checkAdvertForInstance(tx.s.spec, event.packet);
  const from = event.packet.ip.src;
  if (!check.ok) {
    count(tx, rejectStat[check.reason]);
    reportOnce(tx, `rejected:${check.reason}:${from}`, { kind: 'rejected', from, reason: check.reason });
    return false;
  }
  // AH replay protection (keepalived counts it as an auth failure): the sequence number must be new.
  const ah = event.packet.ah;
  if (ah && !acceptAhSeq(tx, ah.seq)) {
    count(tx, 'auth_failure');
    reportOnce(tx, `rejected:auth-failure:${from}`, { kind: 'rejected', from, reason: 'auth-failure' });
    return false;
  }
  // keepalived 2.3.3 owner_ignore_adverts: an owner at 255 drops the advert before counting it.
  if (tx.s.spec.ownerIgnoreAdverts && tx.s.effectivePriority === 255) return false;
  count(tx, 'advert_rcvd');
  for (const a of check.advisories) {
    if (a.kind === 'address-mismatch' || a.kind === 'vrid-collision') count(tx, 'addr_list_err');
    reportOnce(tx, reportKey(a), a);
  }
  return true;
}

/**
 * keepalived 2.2.8+ timer_expired_backup (vrrp_thread_timeout_handler): a master whose last advert is older
 * than 3 advert intervals plus the Skew_Time of the highest other priority must assume that router took
 * over while we were not running, and goes BACKUP (VIPs removed, no priority-0 advert) rather than
 * fighting it with a stale claim. It is checked before the event that woke us is handled.
 */
function checkTimerExpiredBackup(tx: Tx): void {
  const spec = tx.s.spec;
  const last = tx.s.lastAdvertSentMs;
  if (spec.timerExpiredBackup === undefined || last === undefined) return;
  const takeoverMs =
    3 * spec.advertIntervalMs + skewMs(spec.version, spec.timerExpiredBackup, spec.advertIntervalMs);
  if (tx.now - last < takeoverMs) return;
  enterBackup(tx, { reason: `timer expired: no advert sent for ${tx.now - last} ms (timer_expired_backup)` });
}

export function step(state: InstanceState, event: InstanceEvent, now: number): StepResult {
  const tx = begin(state, now);
  if (state.state === 'STOP') return commit(tx);
  if (state.state === 'MASTER') checkTimerExpiredBackup(tx);
  if (event.kind === 'advert' && state.state !== 'INIT' && !admitAdvert(tx, event)) return commit(tx);
  if (event.kind === 'timer') {
    // Only a timer we armed counts; a stale fire after a cancel or re-arm is ignored.
    const due = tx.s.timers[event.timer];
    if (due === undefined) return commit(tx);
    if (now - due > tx.s.spec.advertIntervalMs / 2)
      report(tx, { kind: 'timer-late', timer: event.timer, lateMs: now - due });
    tx.s = { ...tx.s, timers: withoutTimer(tx.s.timers, event.timer) };
  }
  const handler = transitions[tx.s.state][event.kind] as Handler<typeof event.kind> | undefined;
  if (handler) (handler as (tx: Tx, e: InstanceEvent) => void)(tx, event);
  return commit(tx);
}
