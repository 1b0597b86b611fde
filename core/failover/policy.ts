import type { Random } from '../ports/index.ts';

/**
 * Exponential backoff as data. Delay before retry n (n = 1, 2, ...) is `min(capMs, baseMs * factor^(n-1))`,
 * then jittered: `full` draws uniformly in [0, d], `equal` in [d/2, d], `none` keeps d. A provider's own
 * hint (Retry-After) is a floor: the delay is never shorter than what the provider asked for.
 */
export interface BackoffPolicy {
  /** Total tries including the first; 1 means no retry. */
  attempts: number;
  baseMs: number;
  capMs: number;
  factor: number;
  jitter: 'full' | 'equal' | 'none';
}

/** How a failover talks to a provider: retries of single calls, read-back verification, parallelism. */
export interface FailoverPolicy {
  /** Retries of one API call answered with throttling or a transient error. */
  call: BackoffPolicy;
  /** Read-back after a write until the provider shows the new state (eventual consistency). */
  verify: BackoffPolicy;
  /** Retries of a whole action that answered `retry` (after its own call retries ran out). */
  action: BackoffPolicy;
  /** Resources worked on at once. */
  concurrency: number;
  /** Client-side token bucket per provider client, in API calls: keeps bursts under the provider's limits. */
  rate: { perSecond: number; burst: number };
}

export const defaultFailoverPolicy: FailoverPolicy = {
  call: { attempts: 6, baseMs: 100, capMs: 5_000, factor: 2, jitter: 'full' },
  verify: { attempts: 10, baseMs: 200, capMs: 5_000, factor: 2, jitter: 'equal' },
  action: { attempts: 3, baseMs: 1_000, capMs: 10_000, factor: 2, jitter: 'full' },
  concurrency: 32,
  rate: { perSecond: 50, burst: 100 },
};

/** The wait before retry number `retryNumber` (1-based), honouring a provider's Retry-After as a floor. */
export function backoffDelayMs(
  policy: BackoffPolicy,
  retryNumber: number,
  random: Random,
  retryAfterMs?: number,
): number {
  const raw = Math.min(policy.capMs, policy.baseMs * policy.factor ** Math.max(0, retryNumber - 1));
  const jittered =
    policy.jitter === 'full'
      ? random.float() * raw
      : policy.jitter === 'equal'
        ? raw / 2 + (random.float() * raw) / 2
        : raw;
  return Math.max(jittered, retryAfterMs ?? 0);
}

/** Checks a policy read from config; returns the first problem, naming the field, or null. */
export function policyProblem(policy: FailoverPolicy): string | null {
  for (const key of ['call', 'verify', 'action'] as const) {
    const p = policy[key];
    if (!Number.isInteger(p.attempts) || p.attempts < 1) return `${key}.attempts must be an integer >= 1`;
    if (!(p.baseMs >= 0) || !(p.capMs >= p.baseMs)) return `${key}: need 0 <= baseMs <= capMs`;
    if (!(p.factor >= 1)) return `${key}.factor must be >= 1`;
  }
  if (!Number.isInteger(policy.concurrency) || policy.concurrency < 1)
    return 'concurrency must be an integer >= 1';
  if (!(policy.rate.perSecond > 0) || !(policy.rate.burst >= 1))
    return 'rate needs perSecond > 0 and burst >= 1';
  return null;
}

/** The default policy with a config's overrides applied field by field. */
export function mergePolicy(
  o: {
    call?: Partial<BackoffPolicy>;
    verify?: Partial<BackoffPolicy>;
    action?: Partial<BackoffPolicy>;
    concurrency?: number;
    rate?: { perSecond: number; burst: number };
  } = {},
): FailoverPolicy {
  const d = defaultFailoverPolicy;
  return {
    call: { ...d.call, ...o.call },
    verify: { ...d.verify, ...o.verify },
    action: { ...d.action, ...o.action },
    concurrency: o.concurrency ?? d.concurrency,
    rate: o.rate ?? d.rate,
  };
}
