import type { ErrorCause, ErrorClass, Outcome } from '../model/index.ts';
import type { ApiCall, Random } from '../ports/index.ts';
import type { BackoffPolicy } from './policy.ts';
import { withRetries, type Sleep } from './retry.ts';
import type { RateLimiter } from './token-bucket.ts';

export type { ErrorClass };

export interface ClassifiedError {
  class: ErrorClass;
  code: string;
  message: string;
  /** The provider's own wait hint (Retry-After), used as a floor for the backoff. */
  retryAfterMs?: number;
}

/** What an adapter needs to make one API call: its name, a rate limit, a retry policy, jitter and sleep. */
export interface CallDeps {
  /** The provider's configured name; it goes into every failure's cause. */
  provider: string;
  limiter: RateLimiter;
  policy: BackoffPolicy;
  random: Random;
  sleep: Sleep;
}

/**
 * Makes one provider call with the SDK's own retries off: takes a rate-limit token, records the call in
 * `log`, classifies a thrown error, and retries throttling/transient errors with jittered backoff that
 * honours Retry-After. conflict -> `conflict`, fatal -> `give-up`; every failure carries its cause
 * `{provider, service, operation, code, class}` as data. Never throws.
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
      const cause: ErrorCause = {
        provider: deps.provider,
        service: call.service,
        operation: call.operation,
        code: c.code,
        class: c.class,
      };
      const reason = `${call.service}:${call.operation} ${c.code}: ${c.message}`;
      if (c.class === 'throttling' || c.class === 'transient')
        return c.retryAfterMs === undefined
          ? { kind: 'retry', reason, cause }
          : { kind: 'retry', reason, retryAfterMs: c.retryAfterMs, cause };
      if (c.class === 'conflict') return { kind: 'conflict', reason, cause };
      return { kind: 'give-up', reason, cause };
    }
  });
}

/** One API call as an adapter's kinds make it: the call is logged in `log`, retried and classified. */
export type ProviderCall = <T>(
  log: ApiCall[],
  operation: string,
  params: Record<string, unknown>,
  send: () => Promise<T>,
) => Promise<Outcome<T>>;

/** `guardedCall` with one adapter's deps, error classifier and service name bound. */
export function providerCall(
  deps: CallDeps,
  classify: (err: unknown) => ClassifiedError,
  service: string,
): ProviderCall {
  return (log, operation, params, send) =>
    guardedCall(deps, classify, log, { service, operation, params }, send);
}
