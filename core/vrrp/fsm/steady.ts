/**
 * Steady adverts: a MASTER whose next advert-timer steps would each only send the same advert, count it
 * and re-arm the timer. A shell may then send them on its own (PacketIo.repeat, without an event per
 * advert) and afterwards tell the reducer how many went out: afterSteadyAdverts gives the state that
 * stepping each of those timers would have left (test/core/vrrp/fsm/steady.test.ts steps both ways).
 */
import type { VrrpAdvert } from '../codec/advert.ts';
import { bump } from '../codec/reject-reason.ts';
import { ownAdvert } from './advertise.ts';
import type { InstanceState } from './state.ts';

export interface SteadyAdverts {
  /** What each advert carries. */
  readonly advert: VrrpAdvert;
  readonly intervalMs: number;
  /** When the next one is due (the armed advert timer). */
  readonly nextAtMs: number;
}

/** The adverts `s` would send while nothing else happens, or undefined when each one changes more. */
export function steadyAdverts(s: InstanceState): SteadyAdverts | undefined {
  const spec = s.spec;
  const due = s.timers.advert;
  if (s.state !== 'MASTER' || due === undefined || s.effectivePriority <= 0) return undefined;
  // Where an advert changes more than counters: the AH sequence number, timer_expired_backup's clock
  // (lastAdvertSentMs), the duplicate-owner countdown.
  if (spec.auth.type === 'ah' || spec.timerExpiredBackup !== undefined || s.rogue !== undefined)
    return undefined;
  return { advert: ownAdvert(spec, s.effectivePriority), intervalMs: spec.advertIntervalMs, nextAtMs: due };
}

/**
 * The state after `sent` steady adverts, the last at `lastAtMs`: the advert timer re-armed one interval
 * after it, `advert_sent` counted. `s` must be a state steadyAdverts accepted; 0 sent changes nothing.
 * A timer that fired late is not reported (step reports it when it handles the timer itself).
 */
export function afterSteadyAdverts(s: InstanceState, sent: number, lastAtMs: number): InstanceState {
  if (sent <= 0) return s;
  return {
    ...s,
    timers: { ...s.timers, advert: lastAtMs + s.spec.advertIntervalMs },
    stats: bump(s.stats, 'advert_sent', sent),
  };
}
