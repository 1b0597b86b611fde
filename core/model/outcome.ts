/**
 * The result of any step that talks to the outside world through a port. No exception crosses out of
 * core: adapters classify what happened and core decides what to do next.
 *
 * - `ok`: done and verified.
 * - `retry`: transient (throttled, timed out, 5xx); the caller backs off and tries again.
 * - `conflict`: someone else changed the state (ETag, fencing epoch, ownership); re-read, re-plan.
 * - `give-up`: cannot succeed (bad input, permission denied, resource missing); report and stop.
 *
 * A failure that came from a provider API call carries its `cause` as data, so metrics and callers read
 * the provider, operation and error code without parsing `reason`.
 */
export type OutcomeKind = 'ok' | 'retry' | 'conflict' | 'give-up';

/** The four classes every adapter sorts its provider's errors into (one classifier file per provider). */
export type ErrorClass = 'throttling' | 'transient' | 'conflict' | 'fatal';

/** Which provider call failed and how, as the adapter classified it. */
export interface ErrorCause {
  /** The provider's configured name (`aws`, `azure-prod`, ...). */
  provider: string;
  /** e.g. `ec2`, `network`, `compute`, `route53`. */
  service: string;
  /** The provider's operation name, e.g. `AssociateAddress`. */
  operation: string;
  /** The provider's own error code, e.g. `InvalidAllocationID.NotFound`, `HTTP412`. */
  code: string;
  class: ErrorClass;
}

export type Outcome<T = undefined> =
  | { kind: 'ok'; value: T }
  | {
      kind: 'retry';
      reason: string;
      retryAfterMs?: number;
      cause?: ErrorCause;
      /** Someone else is acting on the same thing right now: waiting is not a failure (no attempt used). */
      busy?: true;
    }
  | { kind: 'conflict'; reason: string; cause?: ErrorCause }
  | { kind: 'give-up'; reason: string; cause?: ErrorCause };

export type Failure = Exclude<Outcome<never>, { kind: 'ok' }>;

export const ok = <T>(value: T): Outcome<T> => ({ kind: 'ok', value });
export const retry = (reason: string, retryAfterMs?: number): Outcome<never> =>
  retryAfterMs === undefined ? { kind: 'retry', reason } : { kind: 'retry', reason, retryAfterMs };
export const conflict = (reason: string): Outcome<never> => ({ kind: 'conflict', reason });
export const giveUp = (reason: string): Outcome<never> => ({ kind: 'give-up', reason });

/** The same failure with another reason (context prepended), cause and retry hint kept. */
export function withReason(f: Failure, reason: string): Failure {
  return { ...f, reason };
}
