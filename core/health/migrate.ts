/**
 * Hot reload for checkers: `compareCheckers` says whether a new spec checks the same thing as an old
 * one (same kind, same probe parameters, same connection); `migrateChecker` carries the old state over
 * with keepalived's rules (ipwrapper.c migrate_checkers), so a reload neither re-adds a failed server
 * nor drops a healthy one (pain point P14).
 */
import type { CheckerSpec } from './spec.ts';
import type { CheckerState } from './verdict.ts';

/** Structural equality of plain data (objects, arrays, Uint8Array, primitives). */
export function sameData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    if (!(a instanceof Uint8Array && b instanceof Uint8Array) || a.length !== b.length) return false;
    return a.every((v, i) => v === b[i]);
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!(Array.isArray(a) && Array.isArray(b)) || a.length !== b.length) return false;
    return a.every((v, i) => sameData(v, b[i]));
  }
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => sameData((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** Same checker for reload purposes: kind, probe parameters and connection; timing may differ. */
export const compareCheckers = (a: CheckerSpec, b: CheckerSpec): boolean =>
  a.probe.kind === b.probe.kind && sameData(a.probe, b.probe) && sameData(a.connect, b.connect);

/**
 * The state a matched checker continues with under its new spec. `up` and `hasRun` carry over; the
 * retry counter is re-based on the new `retry`: a down checker needs a success, a checker that already
 * had as many failures as the new `retry` allows fails on the next one. Timers and the attempt in
 * flight carry over too, so an unchanged checker is not re-warmed.
 */
export function migrateChecker(oldState: CheckerState, next: CheckerSpec): CheckerState {
  const retry = next.timing.retry;
  const up = oldState.hasRun ? oldState.up : !next.timing.alpha;
  const retryIt = !up ? retry + 1 : oldState.retryIt >= retry ? retry : oldState.retryIt;
  const steps = next.probe.kind === 'http' ? next.probe.urls.length : 1;
  return {
    ...oldState,
    up,
    retryIt,
    urlIt: oldState.urlIt < steps ? oldState.urlIt : 0,
    failedUrl: oldState.failedUrl !== null && oldState.failedUrl < steps ? oldState.failedUrl : null,
  };
}
