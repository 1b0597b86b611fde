import type { Clock } from '../ports/index.ts';
import type { Sleep } from './retry.ts';

/** A client-side rate limit: `take()` resolves when a token is available (tokens refill continuously). */
export interface RateLimiter {
  take(): Promise<void>;
}

/** A token bucket of `burst` tokens refilled at `perSecond`. Waiters are served in arrival order. */
export function tokenBucket(
  rate: { perSecond: number; burst: number },
  clock: Clock,
  sleep: Sleep,
): RateLimiter {
  let tokens = rate.burst;
  let stamp = clock.monotonicMs();
  let queue: Promise<void> = Promise.resolve();
  const refill = (): void => {
    const now = clock.monotonicMs();
    tokens = Math.min(rate.burst, tokens + ((now - stamp) * rate.perSecond) / 1000);
    stamp = now;
  };
  const takeOne = async (): Promise<void> => {
    refill();
    while (tokens < 1) {
      await sleep(((1 - tokens) * 1000) / rate.perSecond);
      refill();
    }
    tokens -= 1;
  };
  return {
    take() {
      const mine = queue.then(takeOne);
      queue = mine;
      return mine;
    },
  };
}

/** No limit at all; for tests that count calls only. */
export const unlimited: RateLimiter = { take: () => Promise.resolve() };
