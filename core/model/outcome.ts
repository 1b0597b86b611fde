/**
 * The result of any step that talks to the outside world through a port. No exception crosses out of
 * core: adapters classify what happened and core decides what to do next.
 *
 * - `ok`: done and verified.
 * - `retry`: transient (throttled, timed out, 5xx); the caller backs off and tries again.
 * - `conflict`: someone else changed the state (ETag, fencing epoch, ownership); re-read, re-plan.
 * - `give-up`: cannot succeed (bad input, permission denied, resource missing); report and stop.
 */
export type OutcomeKind = 'ok' | 'retry' | 'conflict' | 'give-up';

export type Outcome<T = undefined> =
  | { kind: 'ok'; value: T }
  | { kind: 'retry'; reason: string; retryAfterMs?: number }
  | { kind: 'conflict'; reason: string }
  | { kind: 'give-up'; reason: string };

export const ok = <T>(value: T): Outcome<T> => ({ kind: 'ok', value });
export const retry = (reason: string, retryAfterMs?: number): Outcome<never> =>
  retryAfterMs === undefined ? { kind: 'retry', reason } : { kind: 'retry', reason, retryAfterMs };
export const conflict = (reason: string): Outcome<never> => ({ kind: 'conflict', reason });
export const giveUp = (reason: string): Outcome<never> => ({ kind: 'give-up', reason });
