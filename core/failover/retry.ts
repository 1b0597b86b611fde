import type { Outcome } from '../model/index.ts';
import type { Random } from '../ports/index.ts';
import { backoffDelayMs, type BackoffPolicy } from './policy.ts';

/** Waiting, injected: the shell passes a timer-based sleep, the simulator a manual one. */
export type Sleep = (ms: number) => Promise<void>;

/**
 * Runs `attempt` until it answers anything but `retry`, or the policy's attempts run out (then the last
 * `retry` is returned). Jitter comes from `random`; a `retryAfterMs` hint is honoured as a floor.
 */
export async function withRetries<T>(
  policy: BackoffPolicy,
  deps: { random: Random; sleep: Sleep },
  attempt: (n: number) => Promise<Outcome<T>>,
): Promise<Outcome<T>> {
  let last: Outcome<T> = { kind: 'retry', reason: 'not tried' };
  for (let n = 1; n <= policy.attempts; n++) {
    last = await attempt(n);
    if (last.kind !== 'retry' || n === policy.attempts) return last;
    await deps.sleep(backoffDelayMs(policy, n, deps.random, last.retryAfterMs));
  }
  return last;
}
