/**
 * Steady receives: a BACKUP hearing its master's advert again, unchanged, only counts it and re-arms its
 * Master_Down_Timer. A shell may then let the socket adapter swallow the identical copies (PacketIo.absorb,
 * without an event per advert) and tell the router afterwards how many came and when the last did:
 * afterSteadyReceive gives the state that stepping each of them would have left
 * (test/core/vrrp/router/steady-receive.test.ts steps both ways).
 */
import { bump } from '../codec/reject-reason.ts';
import type { InstanceState } from '../fsm/state.ts';
import { stepRouter, type RouterEvent, type RouterState } from './router.ts';

type PacketEvent = Extract<RouterEvent, { kind: 'packet' }>;

export interface SteadyReceive {
  /** The instance that takes the packet. */
  readonly instance: string;
  /** Its Master_Down_Timer after each copy: this long after the copy arrived. */
  readonly masterDownMs: number;
}

/**
 * Whether `packet`, the one `state` has just handled at `now`, would change nothing but the counter, the
 * master's last-heard time and the Master_Down_Timer if it came again unchanged: tried by stepping it once
 * more. Not where time alone changes the outcome (a running preempt_delay).
 */
export function steadyReceive(
  state: RouterState,
  packet: PacketEvent,
  now: number,
): SteadyReceive | undefined {
  const again = stepRouter(state, packet, now);
  const fx = again.effects;
  const arm = fx[0];
  if (fx.length !== 1 || arm?.kind !== 'arm-timer' || arm.timer !== 'master-down') return undefined;
  const name = arm.instance;
  const before = state.instances[name];
  const after = again.state.instances[name];
  if (!before || !after || before.state !== 'BACKUP' || before.preemptAtMs !== undefined) return undefined;
  const reported = (r: RouterState) => Object.keys(r.reported).length;
  if (again.state.stats !== state.stats || reported(again.state) !== reported(state)) return undefined;
  for (const [other, s] of Object.entries(state.instances))
    if (other !== name && again.state.instances[other] !== s) return undefined;
  if (!onlyHeardAgain(before, after)) return undefined;
  return { instance: name, masterDownMs: arm.atMs - now };
}

/** `after` is `before` heard from the same master once more: nothing else moved. */
function onlyHeardAgain(before: InstanceState, after: InstanceState): boolean {
  for (const key of Object.keys(after) as (keyof InstanceState)[]) {
    if (key === 'master' || key === 'timers' || key === 'stats') continue;
    if (after[key] !== before[key]) return false;
  }
  if (Object.keys(before).length !== Object.keys(after).length) return false;
  const m0 = before.master;
  const m1 = after.master;
  if (!m0 || !m1 || m0.address !== m1.address || m0.priority !== m1.priority) return false;
  const t0 = before.timers;
  const t1 = after.timers;
  const timerKeys = new Set([...Object.keys(t0), ...Object.keys(t1)]) as Set<keyof typeof t0>;
  for (const k of timerKeys) if (k !== 'master-down' && t0[k] !== t1[k]) return false;
  const s0 = before.stats;
  const s1 = after.stats;
  for (const k of Object.keys(s1) as (keyof typeof s1)[])
    if (s1[k] !== s0[k] + (k === 'advert_rcvd' ? 1 : 0)) return false;
  return true;
}

/**
 * The router after `count` more copies of `packet` (one steadyReceive accepted), the last at `lastAtMs`:
 * the last one stepped, the others counted. 0 copies changes nothing.
 */
export function afterSteadyReceive(
  state: RouterState,
  packet: PacketEvent,
  instance: string,
  count: number,
  lastAtMs: number,
): RouterState {
  if (count <= 0) return state;
  const next = stepRouter(state, packet, lastAtMs).state;
  const s = next.instances[instance];
  if (!s || count === 1) return next;
  return {
    ...next,
    instances: { ...next.instances, [instance]: { ...s, stats: bump(s.stats, 'advert_rcvd', count - 1) } },
  };
}
