/**
 * The checker verdict reducer: one keepalived checker, as a pure `step(state, event, now)`.
 *
 *            start / resume (1 s + warmup × r)
 *   idle ──────────────────────────────► waiting ──timer──► running ──result──► waiting
 *    ▲                                      ▲  │                │                  │
 *    │                 suspend (ha_suspend) │  └──────┬─────────┘                  │
 *    └───────────── stop ◄──────────── suspended ◄────┘        next due = delay_loop, delay_before_retry
 *                                                             or 0 (fast_recovery), see below
 *
 * Verdict rules (reference keepalived.md §0.7, §3.2; keepalived tcp_epilog, http epilog, misc child):
 * - `retryIt` counts consecutive failures while the checker is up; a failure with `retryIt < retry`
 *   retries after delay_before_retry, the next one marks DOWN. So DOWN after retry+1 failures.
 * - One success marks UP (no rise). `retryIt` starts at `retry`, so at start the FIRST failure flips it.
 * - Without alpha the checker starts up; with alpha it starts down until the first success.
 * - While down, failures change nothing and the next check is after delay_loop.
 * - HTTP/SSL: URLs are checked one per attempt, all must pass; a failed URL is polled alone every
 *   max(delay_before_retry, delay_loop); once it passes, every URL is walked again before UP.
 * - MISC: exit 0 up, 1 down; with misc_dynamic 2..255 is up with weight = status − 2. The next run is
 *   counted from the START of the previous one.
 * - FILE: the number read decides at once: value × weight (negated with reverse) ≤ −2^31 is a fault;
 *   with weight 0 any non-zero value is a fault; with dynamic the product is added to the weight.
 * Timers are data: `arm-timer` effects; a `timer` event for a checker that is not due is ignored.
 */
import type { ProbeResult } from '../ports/index.ts';
import { type CheckerSpec, stepCount, verdictStyle } from './spec.ts';

/** keepalived's BOOTSTRAP_DELAY: every checker waits 1 s before its first run. */
export const BOOTSTRAP_DELAY_MS = 1_000;
/** IPVS_WEIGHT_FAULT: a FILE_CHECK product at or below this is a fault. */
export const WEIGHT_FAULT = -2_147_483_648;

export type CheckerPhase = 'idle' | 'waiting' | 'running' | 'suspended' | 'stopped';

export interface CheckerState {
  readonly up: boolean;
  readonly hasRun: boolean;
  readonly retryIt: number;
  /** HTTP: index of the URL the next attempt checks. */
  readonly urlIt: number;
  /** HTTP: index of the URL that made the checker fail, polled alone until it passes. */
  readonly failedUrl: number | null;
  readonly phase: CheckerPhase;
  readonly dueAtMs: number | null;
  /** Sequence number of the attempt in flight; results carrying another number are stale. */
  readonly seq: number;
  readonly runningStep: number;
  readonly startedAtMs: number | null;
  /** MISC_CHECK misc_dynamic: the last weight the script reported (status − 2). */
  readonly setWeight: number | null;
  /** FILE_CHECK dynamic: value × weight to add to the real server's weight. */
  readonly addWeight: number;
}

export type CheckerEvent =
  | { kind: 'start'; warmupFraction: number }
  | { kind: 'timer' }
  | { kind: 'result'; seq: number; result: ProbeResult }
  | { kind: 'suspend' }
  | { kind: 'resume'; fraction: number }
  /**
   * A reload changed delay_loop under a waiting checker: its next attempt moves to `fraction` of the new
   * delay_loop from now. keepalived restarts every checker after a random warmup on reload, so checks stay
   * spread over the loop instead of all running at the instant of the reload, every loop after.
   */
  | { kind: 'rephase'; fraction: number }
  | { kind: 'stop' };

export type CheckerEffect =
  | { kind: 'arm-timer'; atMs: number }
  | { kind: 'cancel-timer' }
  | { kind: 'run-probe'; step: number; seq: number }
  /** keepalived update_svr_checker_state: a state change, or the first report of the initial state. */
  | { kind: 'verdict'; up: boolean; changed: boolean; detail: string }
  | { kind: 'weight'; setWeight: number | null; addWeight: number };

export interface CheckerStep {
  state: CheckerState;
  effects: CheckerEffect[];
}

export function initialCheckerState(spec: CheckerSpec): CheckerState {
  return {
    up: !spec.timing.alpha,
    hasRun: false,
    retryIt: spec.timing.retry,
    urlIt: 0,
    failedUrl: null,
    phase: 'idle',
    dueAtMs: null,
    seq: 0,
    runningStep: 0,
    startedAtMs: null,
    setWeight: null,
    addWeight: 0,
  };
}

function wait(state: CheckerState, atMs: number, effects: CheckerEffect[] = []): CheckerStep {
  effects.push({ kind: 'arm-timer', atMs });
  return { state: { ...state, phase: 'waiting', dueAtMs: atMs }, effects };
}

/** Apply one event to one checker. Pure: same inputs, same outputs. */
export function stepChecker(
  spec: CheckerSpec,
  state: CheckerState,
  event: CheckerEvent,
  nowMs: number,
): CheckerStep {
  switch (event.kind) {
    case 'start': {
      if (state.phase !== 'idle' && state.phase !== 'stopped') return { state, effects: [] };
      const fraction = clampFraction(event.warmupFraction);
      return wait(state, nowMs + BOOTSTRAP_DELAY_MS + Math.floor(spec.timing.warmupMs * fraction));
    }
    case 'timer': {
      if (state.phase !== 'waiting' || state.dueAtMs === null || nowMs < state.dueAtMs) {
        return { state, effects: [] };
      }
      const seq = state.seq + 1;
      const step = spec.probe.kind === 'http' ? state.urlIt : 0;
      return {
        state: { ...state, phase: 'running', dueAtMs: null, seq, runningStep: step, startedAtMs: nowMs },
        effects: [{ kind: 'run-probe', step, seq }],
      };
    }
    case 'result': {
      if (state.phase !== 'running' || event.seq !== state.seq) return { state, effects: [] };
      return onResult(spec, state, event.result, nowMs);
    }
    case 'suspend': {
      if (state.phase === 'stopped' || state.phase === 'idle' || state.phase === 'suspended') {
        return { state, effects: [] };
      }
      return { state: { ...state, phase: 'suspended', dueAtMs: null }, effects: [{ kind: 'cancel-timer' }] };
    }
    case 'resume': {
      if (state.phase !== 'suspended') return { state, effects: [] };
      // keepalived keeps ticking every delay_loop while suspended and checks at the next tick.
      return wait(state, nowMs + Math.floor(spec.timing.delayLoopMs * clampFraction(event.fraction)));
    }
    case 'rephase': {
      if (state.phase !== 'waiting') return { state, effects: [] };
      const atMs = nowMs + Math.floor(spec.timing.delayLoopMs * clampFraction(event.fraction));
      return wait(state, atMs, [{ kind: 'cancel-timer' }]);
    }
    case 'stop':
      if (state.phase === 'stopped') return { state, effects: [] };
      return {
        state: { ...state, phase: 'stopped', dueAtMs: null },
        effects: state.phase === 'waiting' ? [{ kind: 'cancel-timer' }] : [],
      };
    default: {
      const never: never = event;
      return never;
    }
  }
}

function clampFraction(f: number): number {
  if (!Number.isFinite(f) || f < 0) return 0;
  return f >= 1 ? 0.999999 : f;
}

function onResult(spec: CheckerSpec, s: CheckerState, r: ProbeResult, nowMs: number): CheckerStep {
  switch (verdictStyle(spec.probe)) {
    case 'connect':
      return connectEpilog(spec, s, r, nowMs);
    case 'url-walk':
      return urlWalkEpilog(spec, s, r, nowMs);
    case 'script':
      return scriptEpilog(spec, s, r, nowMs);
    case 'file':
      return fileEpilog(spec, s, r, nowMs);
  }
}

const verdict = (up: boolean, was: boolean, detail: string): CheckerEffect => ({
  kind: 'verdict',
  up,
  changed: up !== was,
  detail,
});

/** TCP, DNS, SMTP, UDP, PING: keepalived tcp_epilog. */
function connectEpilog(spec: CheckerSpec, s: CheckerState, r: ProbeResult, nowMs: number): CheckerStep {
  const t = spec.timing;
  const effects: CheckerEffect[] = [];
  let { up, retryIt } = s;
  let delay = t.delayLoopMs;
  if (r.ok || retryIt >= t.retry) {
    retryIt = 0;
    if (r.ok && (!up || !s.hasRun)) {
      effects.push(verdict(true, up, r.detail));
      up = true;
    } else if (!r.ok && (up || !s.hasRun)) {
      effects.push(verdict(false, up, `${r.detail} (failed after ${t.retry} retries)`));
      up = false;
    }
  } else if (up) {
    delay = t.delayBeforeRetryMs;
    retryIt += 1;
  }
  return wait({ ...s, up, retryIt, hasRun: true }, nowMs + delay, effects);
}

/** HTTP_GET / SSL_GET: keepalived's http epilog with its URL iterator and failed URL. */
function urlWalkEpilog(spec: CheckerSpec, s: CheckerState, r: ProbeResult, nowMs: number): CheckerStep {
  const t = spec.timing;
  const n = stepCount(spec.probe);
  const fastRecovery = spec.probe.kind === 'http' && spec.probe.fastRecovery;
  const effects: CheckerEffect[] = [];
  let { up, hasRun, retryIt, urlIt, failedUrl } = s;
  let delay: number;
  if (r.ok) {
    const next = s.runningStep + 1;
    retryIt = 0;
    if (next >= n && failedUrl === null) {
      if (!up || !hasRun) {
        effects.push(verdict(true, up, r.detail));
        up = true;
        hasRun = true;
      }
      urlIt = 0;
    } else if (failedUrl !== null) {
      // The failed URL passes again: walk every URL from the first before calling it up.
      failedUrl = null;
      urlIt = 0;
    } else {
      urlIt = next;
    }
    delay = t.delayLoopMs;
    if (!hasRun) retryIt = t.retry;
    // fast_recovery: while down (or never run) and not aware of a failed URL, go on at once.
    if (fastRecovery && (!hasRun || (!up && failedUrl === null))) delay = 0;
  } else {
    if (up || !hasRun) {
      hasRun = true;
      retryIt += 1;
      if (retryIt > t.retry) {
        if (up) effects.push(verdict(false, up, `${r.detail} (failed after ${t.retry} retries)`));
        up = false;
        failedUrl = s.runningStep;
      }
    }
    delay = failedUrl !== null ? Math.max(t.delayBeforeRetryMs, t.delayLoopMs) : t.delayBeforeRetryMs;
  }
  return wait({ ...s, up, hasRun, retryIt, urlIt, failedUrl }, nowMs + delay, effects);
}

/** MISC_CHECK: exit status, misc_dynamic weights, next run counted from the start of this one. */
function scriptEpilog(spec: CheckerSpec, s: CheckerState, r: ProbeResult, nowMs: number): CheckerStep {
  const t = spec.timing;
  const dynamic = spec.probe.kind === 'misc' && spec.probe.dynamic;
  const effects: CheckerEffect[] = [];
  let { up, retryIt, setWeight } = s;
  const code = r.code;
  const success = code === 0 || (dynamic && code !== undefined && code >= 2 && code <= 255);
  if (success) {
    if (dynamic && code !== undefined && code >= 2) {
      const w = code - 2;
      if (w !== setWeight) {
        setWeight = w;
        effects.push({ kind: 'weight', setWeight, addWeight: s.addWeight });
      }
    }
    if (!up || !s.hasRun) {
      effects.push(verdict(true, up, r.detail));
      up = true;
    }
    retryIt = 0;
  } else if (up) {
    if (retryIt < t.retry) retryIt += 1;
    else {
      effects.push(verdict(false, up, r.detail));
      up = false;
      retryIt = 0;
    }
  }
  const from = s.startedAtMs ?? nowMs;
  const due = Math.max(nowMs, from + (retryIt > 0 ? t.delayBeforeRetryMs : t.delayLoopMs));
  return wait({ ...s, up, retryIt, setWeight, hasRun: true }, due, effects);
}

/** FILE_CHECK: the value read decides at once; polled every delay_loop. */
function fileEpilog(spec: CheckerSpec, s: CheckerState, r: ProbeResult, nowMs: number): CheckerStep {
  if (spec.probe.kind !== 'file') throw new TypeError('file epilog for a non-file checker');
  const p = spec.probe;
  const effects: CheckerEffect[] = [];
  let { up, addWeight } = s;
  let nowUp: boolean;
  let detail = r.detail;
  if (!r.ok || r.code === undefined) {
    nowUp = false;
  } else if (p.weight === 0) {
    nowUp = r.code === 0;
  } else {
    const product = r.code * p.weight * (p.reverse ? -1 : 1);
    nowUp = product > WEIGHT_FAULT;
    const add = p.dynamic && nowUp ? product : 0;
    if (add !== addWeight) {
      addWeight = add;
      effects.push({ kind: 'weight', setWeight: s.setWeight, addWeight });
    }
    detail = `${r.detail} (value ${r.code} × weight ${p.weight}${p.reverse ? ' reversed' : ''} = ${product})`;
  }
  if (nowUp !== up || !s.hasRun) {
    effects.push(verdict(nowUp, up, detail));
    up = nowUp;
  }
  return wait({ ...s, up, addWeight, hasRun: true, retryIt: 0 }, nowMs + spec.timing.delayLoopMs, effects);
}
