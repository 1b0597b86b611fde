import type { Outcome } from '../../core/model/index.ts';
import type { ApiCall } from '../../core/ports/index.ts';
import { guardedCall, type CallDeps, type ClassifiedError } from '../../core/failover/index.ts';
import { classifyAwsError, notYetVisible } from './errors.ts';

export type { CallDeps };

/**
 * One EC2 call through the shared guard, classified by {@link classifyAwsError}. A code of
 * {@link notYetVisible} (EC2's eventual consistency) is retried like a transient error, but at most
 * `policy.attempts - 1` times within this call: the last try reports it as fatal, so a wrong id ends as
 * a give-up naming the code instead of a retry that never ends.
 */
export function awsCall<T>(
  deps: CallDeps,
  log: ApiCall[],
  call: ApiCall,
  send: () => Promise<T>,
): Promise<Outcome<T>> {
  let seen = 0;
  const classify = (err: unknown): ClassifiedError => {
    const c = classifyAwsError(err);
    if (!notYetVisible.has(c.code)) return c;
    seen++;
    if (seen < deps.policy.attempts) return c;
    return {
      class: 'fatal',
      code: c.code,
      message: `${c.message} (still ${c.code} after ${seen} tries: EC2 is eventually consistent, but this id looks wrong)`,
    };
  };
  return guardedCall(deps, classify, log, call, send);
}

/** A timer-based flush schedule for {@link Coalescer}: `windowMs` after the first pending read. */
export const windowSchedule =
  (windowMs: number) =>
  (flush: () => void): void => {
    if (windowMs > 0) setTimeout(flush, windowMs);
    else setImmediate(flush);
  };
