import type { Outcome } from '../model/index.ts';
import type { ApiCall, Random } from '../ports/index.ts';
import type { BackoffPolicy } from './policy.ts';
import { withRetries, type Sleep } from './retry.ts';
import type { RateLimiter } from './token-bucket.ts';

/** The four classes every adapter sorts its provider's errors into (one classifier file per provider). */
export type ErrorClass = 'throttling' | 'transient' | 'conflict' | 'fatal';

export interface ClassifiedError {
  class: ErrorClass;
  code: string;
  message: string;
  /** The provider's own wait hint (Retry-After), used as a floor for the backoff. */
  retryAfterMs?: number;
}

/** What an adapter needs to make one API call: a rate limit, a retry policy, jitter and sleep. */
export interface CallDeps {
  limiter: RateLimiter;
  policy: BackoffPolicy;
  random: Random;
  sleep: Sleep;
}

/**
 * Makes one provider call with the SDK's own retries off: takes a rate-limit token, records the call in
 * `log`, classifies a thrown error, and retries throttling/transient errors with jittered backoff that
 * honours Retry-After. conflict -> `conflict`, fatal -> `give-up`. Never throws.
 */
export function guardedCall<T>(
  deps: CallDeps,
  classify: (err: unknown) => ClassifiedError,
  log: ApiCall[],
  call: ApiCall,
  send: () => Promise<T>,
): Promise<Outcome<T>> {
  return withRetries(deps.policy, deps, async () => {
    await deps.limiter.take();
    log.push(call);
    try {
      return { kind: 'ok', value: await send() };
    } catch (err) {
      const c = classify(err);
      const reason = `${call.service}:${call.operation} ${c.code}: ${c.message}`;
      if (c.class === 'throttling' || c.class === 'transient')
        return c.retryAfterMs === undefined
          ? { kind: 'retry', reason }
          : { kind: 'retry', reason, retryAfterMs: c.retryAfterMs };
      if (c.class === 'conflict') return { kind: 'conflict', reason };
      return { kind: 'give-up', reason };
    }
  });
}
