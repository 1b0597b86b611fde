/**
 * One real server's health: its checkers, each run by the verdict reducer, folded into one verdict.
 * A real server is alive iff every one of its checkers is up (keepalived num_failed_checkers == 0);
 * with no checker at all it is always alive. Dynamic weights: the last misc_dynamic weight reported
 * replaces the configured weight, FILE_CHECK dynamic products add to it (see core/lb rules).
 */
import type { ProbeResult } from '../ports/index.ts';
import { compareCheckers, migrateChecker } from './migrate.ts';
import { type CheckerSpec, checkerSpecErrors } from './spec.ts';
import {
  type CheckerEffect,
  type CheckerEvent,
  type CheckerState,
  initialCheckerState,
  stepChecker,
} from './verdict.ts';

export interface CheckerSlot {
  readonly spec: CheckerSpec;
  readonly state: CheckerState;
}

export interface RealServerHealth {
  readonly checkers: readonly CheckerSlot[];
  readonly alive: boolean;
  readonly setWeight: number | null;
  readonly addWeight: number;
  readonly running: boolean;
}

export type RealServerEvent =
  /** `fractions[i]` is the injected random value in [0, 1) for checker i's warmup. */
  | { kind: 'start'; fractions: readonly number[] }
  | { kind: 'timer'; checker: string }
  | { kind: 'result'; checker: string; seq: number; result: ProbeResult }
  /** A reload changed this checker's delay_loop: see CheckerEvent `rephase`. */
  | { kind: 'rephase'; checker: string; fraction: number }
  /** ha_suspend: the virtual server's address went away / came back on this director. */
  | { kind: 'suspend' }
  | { kind: 'resume'; fractions: readonly number[] }
  | { kind: 'stop' };

export type RealServerEffect =
  | { kind: 'arm-timer'; checker: string; atMs: number }
  | { kind: 'cancel-timer'; checker: string }
  | { kind: 'run-probe'; checker: string; step: number; seq: number }
  | { kind: 'checker-verdict'; checker: string; up: boolean; changed: boolean; detail: string }
  | { kind: 'alive'; alive: boolean }
  | { kind: 'weight'; setWeight: number | null; addWeight: number };

export interface RealServerStep {
  state: RealServerHealth;
  effects: RealServerEffect[];
}

function allUp(checkers: readonly CheckerSlot[]): boolean {
  for (const c of checkers) if (!c.state.up) return false;
  return true;
}

/** Throws RangeError listing every problem (see checkerSpecErrors); callers validate first. */
export function initialRealServer(specs: readonly CheckerSpec[]): RealServerHealth {
  const errors = checkerSpecErrors(specs);
  if (errors.length > 0) throw new RangeError(errors.join('; '));
  const checkers = specs.map((spec) => ({ spec, state: initialCheckerState(spec) }));
  return { checkers, alive: allUp(checkers), setWeight: null, addWeight: 0, running: false };
}

function tag(checker: string, e: CheckerEffect): RealServerEffect {
  switch (e.kind) {
    case 'arm-timer':
      return { kind: 'arm-timer', checker, atMs: e.atMs };
    case 'cancel-timer':
      return { kind: 'cancel-timer', checker };
    case 'run-probe':
      return { kind: 'run-probe', checker, step: e.step, seq: e.seq };
    case 'verdict':
      return { kind: 'checker-verdict', checker, up: e.up, changed: e.changed, detail: e.detail };
    case 'weight':
      return { kind: 'weight', setWeight: e.setWeight, addWeight: e.addWeight };
  }
}

/** Fold checker states into the server verdict and report what changed. */
function settle(
  prev: RealServerHealth,
  checkers: CheckerSlot[],
  effects: RealServerEffect[],
  running: boolean,
) {
  const alive = allUp(checkers);
  let setWeight = prev.setWeight;
  const out: RealServerEffect[] = [];
  let weightChanged = false;
  for (const e of effects) {
    if (e.kind === 'weight') {
      if (e.setWeight !== null && e.setWeight !== setWeight) {
        setWeight = e.setWeight;
        weightChanged = true;
      }
      continue;
    }
    out.push(e);
  }
  let addWeight = 0;
  for (const c of checkers) addWeight += c.state.addWeight;
  if (addWeight !== prev.addWeight) weightChanged = true;
  if (weightChanged) out.push({ kind: 'weight', setWeight, addWeight });
  if (alive !== prev.alive) out.push({ kind: 'alive', alive });
  return { state: { checkers, alive, setWeight, addWeight, running }, effects: out };
}

const TIMER: CheckerEvent = { kind: 'timer' };

/** The hot path (a timer or a result for one checker), without copying more than needed. */
function stepOne(
  state: RealServerHealth,
  event: Extract<RealServerEvent, { kind: 'timer' | 'result' | 'rephase' }>,
  nowMs: number,
): RealServerStep {
  let i = 0;
  while (i < state.checkers.length && (state.checkers[i] as CheckerSlot).spec.id !== event.checker) i++;
  const slot = state.checkers[i];
  if (slot === undefined) return { state, effects: [] };
  const ev: CheckerEvent =
    event.kind === 'timer'
      ? TIMER
      : event.kind === 'result'
        ? { kind: 'result', seq: event.seq, result: event.result }
        : { kind: 'rephase', fraction: event.fraction };
  const r = stepChecker(slot.spec, slot.state, ev, nowMs);
  if (r.state === slot.state) return { state, effects: [] };
  const checkers = state.checkers.slice();
  checkers[i] = { spec: slot.spec, state: r.state };
  const raw: RealServerEffect[] = [];
  for (const e of r.effects) raw.push(tag(slot.spec.id, e));
  return settle(state, checkers, raw, state.running);
}

export function stepRealServer(
  state: RealServerHealth,
  event: RealServerEvent,
  nowMs: number,
): RealServerStep {
  if (event.kind === 'timer' || event.kind === 'result' || event.kind === 'rephase')
    return stepOne(state, event, nowMs);
  const checkers = state.checkers.slice();
  const raw: RealServerEffect[] = [];
  const apply = (i: number, ev: Parameters<typeof stepChecker>[2]): void => {
    const slot = checkers[i];
    if (slot === undefined) return;
    const r = stepChecker(slot.spec, slot.state, ev, nowMs);
    checkers[i] = { spec: slot.spec, state: r.state };
    for (const e of r.effects) raw.push(tag(slot.spec.id, e));
  };
  let running = state.running;
  switch (event.kind) {
    case 'start':
    case 'resume':
      running = true;
      checkers.forEach((_, i) =>
        apply(
          i,
          event.kind === 'start'
            ? { kind: 'start', warmupFraction: event.fractions[i] ?? 0 }
            : { kind: 'resume', fraction: event.fractions[i] ?? 0 },
        ),
      );
      break;
    case 'suspend':
      checkers.forEach((_, i) => apply(i, { kind: 'suspend' }));
      break;
    case 'stop':
      running = false;
      checkers.forEach((_, i) => apply(i, { kind: 'stop' }));
      break;
    default: {
      const never: never = event;
      return never;
    }
  }
  return settle(state, checkers, raw, running);
}

/**
 * Reload: keep the state of checkers that `compareCheckers` matches, start new ones (if the server is
 * running), cancel removed ones. As in keepalived, when a kept checker is failing (or the server is
 * down and nothing has run yet), new checkers that have not run need only one failure, and new alpha
 * checkers start down.
 */
export function reloadRealServer(
  state: RealServerHealth,
  specs: readonly CheckerSpec[],
  nowMs: number,
  fractions: readonly number[],
): RealServerStep {
  const fresh = initialRealServer(specs);
  const used = new Set<number>();
  const raw: RealServerEffect[] = [];
  let checkers: CheckerSlot[] = fresh.checkers.map((slot) => {
    const j = state.checkers.findIndex((old, k) => !used.has(k) && compareCheckers(old.spec, slot.spec));
    const old = state.checkers[j];
    if (old === undefined) return slot;
    used.add(j);
    // A renamed checker keeps its state but its timer must be re-keyed.
    if (old.spec.id !== slot.spec.id && old.state.phase === 'waiting') {
      raw.push({ kind: 'cancel-timer', checker: old.spec.id });
      if (old.state.dueAtMs !== null)
        raw.push({ kind: 'arm-timer', checker: slot.spec.id, atMs: old.state.dueAtMs });
    }
    return { spec: slot.spec, state: migrateChecker(old.state, slot.spec) };
  });
  state.checkers.forEach((old, k) => {
    if (!used.has(k) && old.state.phase === 'waiting')
      raw.push({ kind: 'cancel-timer', checker: old.spec.id });
  });
  const failed = checkers.some((c) => c.state.hasRun && !c.state.up);
  const anyRun = checkers.some((c) => c.state.hasRun);
  if (failed || (!state.alive && !anyRun)) {
    checkers = checkers.map((c) =>
      c.state.hasRun
        ? c
        : {
            spec: c.spec,
            state: { ...c.state, up: c.spec.timing.alpha ? false : c.state.up, retryIt: c.spec.timing.retry },
          },
    );
  }
  if (state.running) {
    checkers = checkers.map((c, i) => {
      if (c.state.phase !== 'idle') return c;
      const r = stepChecker(c.spec, c.state, { kind: 'start', warmupFraction: fractions[i] ?? 0 }, nowMs);
      for (const e of r.effects) raw.push(tag(c.spec.id, e));
      return { spec: c.spec, state: r.state };
    });
  }
  return settle({ ...state, addWeight: state.addWeight }, checkers, raw, state.running);
}
