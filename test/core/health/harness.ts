// Drives one checker through the verdict reducer on a ManualClock: timers fire exactly when armed,
// each probe takes `probeMs`, and the test decides each attempt's result.
import { ManualClock } from '../../../adapters/memory/index.ts';
import {
  type CheckerEffect,
  type CheckerSpec,
  type CheckerState,
  type CheckerTiming,
  type CheckerProbe,
  initialCheckerState,
  stepChecker,
} from '../../../core/health/index.ts';
import type { ProbeResult } from '../../../core/ports/index.ts';

export interface Attempt {
  at: number;
  step: number;
}
export interface Verdict {
  at: number;
  up: boolean;
  changed: boolean;
}

export function spec(probe: CheckerProbe, timing: Partial<CheckerTiming> = {}): CheckerSpec {
  return {
    id: `${probe.kind}-1`,
    probe,
    timing: {
      delayLoopMs: 10_000,
      retry: 1,
      delayBeforeRetryMs: 1_000,
      warmupMs: 0,
      alpha: false,
      ...timing,
    },
    connect: { host: '127.0.0.1', port: 80, timeoutMs: 5_000 },
  };
}

export const pass = (code?: number): ProbeResult => ({
  ok: true,
  detail: 'ok',
  durationMs: 0,
  ...(code === undefined ? {} : { code }),
});
export const fail = (code?: number): ProbeResult => ({
  ok: false,
  detail: 'refused',
  durationMs: 0,
  ...(code === undefined ? {} : { code }),
});

/**
 * Runs `results.length` attempts. Returns when each attempt started, every verdict, every weight
 * effect and the final state.
 */
export function drive(
  s: CheckerSpec,
  results: ReadonlyArray<ProbeResult | ((a: Attempt) => ProbeResult)>,
  opts: { probeMs?: number; warmupFraction?: number; state?: CheckerState } = {},
) {
  const clock = new ManualClock(0);
  const probeMs = opts.probeMs ?? 0;
  let state = opts.state ?? initialCheckerState(s);
  const attempts: Attempt[] = [];
  const verdicts: Verdict[] = [];
  const weights: Array<{ at: number; setWeight: number | null; addWeight: number }> = [];
  let due: number | null = null;
  let run: { step: number; seq: number } | null = null;
  const apply = (effects: CheckerEffect[]): void => {
    for (const e of effects) {
      if (e.kind === 'arm-timer') due = e.atMs;
      else if (e.kind === 'cancel-timer') due = null;
      else if (e.kind === 'run-probe') run = { step: e.step, seq: e.seq };
      else if (e.kind === 'verdict') verdicts.push({ at: clock.monotonicMs(), up: e.up, changed: e.changed });
      else weights.push({ at: clock.monotonicMs(), setWeight: e.setWeight, addWeight: e.addWeight });
    }
  };
  const step = (ev: Parameters<typeof stepChecker>[2]): void => {
    const r = stepChecker(s, state, ev, clock.monotonicMs());
    state = r.state;
    apply(r.effects);
  };
  if (state.phase === 'idle') step({ kind: 'start', warmupFraction: opts.warmupFraction ?? 0 });
  for (const next of results) {
    if (due === null) throw new Error('no timer armed');
    clock.set(due);
    due = null;
    step({ kind: 'timer' });
    const r = run as { step: number; seq: number } | null;
    if (r === null) throw new Error('timer did not start a probe');
    run = null;
    const attempt = { at: clock.monotonicMs(), step: r.step };
    attempts.push(attempt);
    clock.advance(probeMs);
    step({ kind: 'result', seq: r.seq, result: typeof next === 'function' ? next(attempt) : next });
  }
  return { attempts, verdicts, weights, state, nextDue: due as number | null };
}
