import type { Outcome } from '../../core/model/index.ts';
import type { ApiCall } from '../../core/ports/index.ts';
import { guardedCall, type CallDeps } from '../../core/failover/index.ts';
import { classifyAwsError } from './errors.ts';

export type { CallDeps };

/** One EC2 / Route 53 call through the shared guard, classified by {@link classifyAwsError}. */
export function awsCall<T>(
  deps: CallDeps,
  log: ApiCall[],
  call: ApiCall,
  send: () => Promise<T>,
): Promise<Outcome<T>> {
  return guardedCall(deps, classifyAwsError, log, call, send);
}

/** A timer-based flush schedule for {@link Coalescer}: `windowMs` after the first pending read. */
export const windowSchedule =
  (windowMs: number) =>
  (flush: () => void): void => {
    if (windowMs > 0) setTimeout(flush, windowMs);
    else setImmediate(flush);
  };
