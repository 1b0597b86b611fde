/**
 * A transaction over one step: the state so far and the effects so far. Handlers build a new state by
 * replacing `tx.s` (never mutating a state object) and append effects in the order the shell must run them.
 */
import { bump, type VrrpStats } from '../codec/reject-reason.ts';
import type { NotifyWhat, TimerKind, VrrpEffect, VrrpReport } from './effects.ts';
import { timerId } from './effects.ts';
import type { InstanceState } from './state.ts';

export interface Tx {
  s: InstanceState;
  readonly fx: VrrpEffect[];
  readonly now: number;
}

export interface StepResult {
  readonly state: InstanceState;
  readonly effects: readonly VrrpEffect[];
}

export const begin = (s: InstanceState, now: number): Tx => ({ s, fx: [], now });
export const commit = (tx: Tx): StepResult => ({ state: tx.s, effects: tx.fx });

export function set(tx: Tx, patch: Partial<InstanceState>): void {
  tx.s = { ...tx.s, ...patch };
}

export function count(tx: Tx, key: keyof VrrpStats): void {
  tx.s = { ...tx.s, stats: bump(tx.s.stats, key) };
}

export function arm(tx: Tx, timer: TimerKind, atMs: number): void {
  const instance = tx.s.spec.name;
  tx.s = { ...tx.s, timers: { ...tx.s.timers, [timer]: atMs } };
  tx.fx.push({ kind: 'arm-timer', id: timerId(instance, timer), instance, timer, atMs });
}

export function cancel(tx: Tx, ...timers: TimerKind[]): void {
  for (const timer of timers) {
    if (tx.s.timers[timer] === undefined) continue;
    tx.s = { ...tx.s, timers: withoutTimer(tx.s.timers, timer) };
    tx.fx.push({ kind: 'cancel-timer', id: timerId(tx.s.spec.name, timer), instance: tx.s.spec.name, timer });
  }
}

/**
 * The timers without `timer`. Built by copying the others rather than `delete` on a copy: a deleted key
 * turns the object into a slow dictionary, and this runs on every advert.
 */
export function withoutTimer(
  timers: InstanceState['timers'],
  timer: TimerKind,
): Partial<Record<TimerKind, number>> {
  const rest: Partial<Record<TimerKind, number>> = {};
  for (const k in timers) {
    const key = k as TimerKind;
    if (key !== timer) rest[key] = timers[key];
  }
  return rest;
}

export function notify(tx: Tx, what: NotifyWhat, reason?: string): void {
  const seq = tx.s.notifySeq + 1;
  tx.s = { ...tx.s, notifySeq: seq };
  tx.fx.push({
    kind: 'notify',
    seq,
    target: { type: 'instance', name: tx.s.spec.name },
    what,
    priority: tx.s.effectivePriority,
    ...(reason === undefined ? {} : { reason }),
  });
}

/** Emit a report once per key (sender + finding); later repeats are only counted elsewhere. */
export function reportOnce(tx: Tx, key: string, report: VrrpReport): void {
  if (tx.s.reported[key]) return;
  // Bound the memory a flood of spoofed senders could take.
  if (Object.keys(tx.s.reported).length >= 256) return;
  tx.s = { ...tx.s, reported: { ...tx.s.reported, [key]: true } };
  tx.fx.push({ kind: 'report', instance: tx.s.spec.name, report });
}

export function report(tx: Tx, report: VrrpReport): void {
  tx.fx.push({ kind: 'report', instance: tx.s.spec.name, report });
}
