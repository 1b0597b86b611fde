/**
 * Labels of `floatip_provider_api_errors_total`: the error class and the provider's error code of a failed
 * provider call, read back from the Outcome the adapters return. The adapters' shared call wrapper
 * (core/failover guardedCall) writes every failed call's reason as `service:operation CODE: message` and
 * maps the class onto the kind (throttling|transient -> retry, conflict -> conflict, fatal -> give-up), so
 * no adapter has to change. Codes come from a fixed list (what adapters/{aws,dns,gcp,azure}/errors.ts and
 * the SDKs produce); anything else is `other`, so the label set stays bounded.
 */
import type { ErrorClass } from '../../core/failover/index.ts';

/** Codes the adapters classify as throttling (a retry whose code is not here is transient). */
const throttling = [
  'RequestLimitExceeded',
  'Throttling',
  'ThrottlingException',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'TooManyRequests',
  'PriorRequestNotComplete',
  'SlowDown',
  'AnotherOperationInProgress',
  'RetryableError',
  'rateLimitExceeded',
  'userRateLimitExceeded',
  'RATE_LIMIT_EXCEEDED',
  'HTTP429',
] as const;

const others = [
  // transient
  'InternalError',
  'InternalFailure',
  'InternalServerError',
  'ServiceUnavailable',
  'Unavailable',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'backendError',
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'REQUEST_SEND_ERROR',
  // conflict
  'Resource.AlreadyAssociated',
  'PrivateIpAddressInUse',
  'PrivateIPAddressInUse',
  'PublicIPAddressInUse',
  'RouteAlreadyExists',
  'InvalidRoute.NotFound',
  'InvalidAssociationID.NotFound',
  'IncorrectState',
  'InvalidChangeBatch',
  'ConcurrentModification',
  'PreconditionFailed',
  'InUseRouteTableCannotBeDeleted',
  'conditionNotMet',
  'alreadyExists',
  'resourceInUseByAnotherResource',
  'resourceNotReady',
  'RESOURCE_ALREADY_EXISTS',
  'CONDITION_NOT_MET',
  // fatal (the common ones; the rest are `other`)
  'UnauthorizedOperation',
  'AuthFailure',
  'AccessDenied',
  'AuthorizationFailed',
  'AuthenticationFailed',
  'InvalidAuthenticationToken',
  'InvalidAllocationID.NotFound',
  'InvalidNetworkInterfaceID.NotFound',
  'InvalidRouteTableID.NotFound',
  'NoSuchHostedZone',
  'InvalidInput',
  'ResourceNotFound',
  'NotFound',
  'notFound',
  'forbidden',
  'invalid',
  'Unknown',
  'HTTP400',
  'HTTP401',
  'HTTP403',
  'HTTP404',
  'HTTP409',
  'HTTP412',
  'HTTP500',
  'HTTP502',
  'HTTP503',
  'HTTP504',
] as const;

const throttlingCodes: ReadonlySet<string> = new Set(throttling);
/** Every code value the label can take besides `other`. */
export const knownErrorCodes: ReadonlySet<string> = new Set([...throttling, ...others]);

/** `service:operation CODE: ` as guardedCall writes it, anywhere in a (possibly wrapped) reason. */
const callFailure = /\b([a-z0-9-]+):([A-Za-z0-9_.]+) ([A-Za-z0-9_.-]+): /;

export interface ProviderErrorLabels {
  /** The API service named in the reason (`ec2`, `network`, `compute`, `route53`). */
  service: string;
  class: ErrorClass;
  code: string;
}

/**
 * The labels of one failed outcome, or null when it does not come from a provider API call (a stale
 * epoch, an unknown member: those are counted by `floatip_jobs_total`, not as provider errors).
 */
export function providerErrorLabels(o: {
  kind: 'retry' | 'conflict' | 'give-up';
  reason: string;
}): ProviderErrorLabels | null {
  const m = callFailure.exec(o.reason);
  if (!m) return null;
  const raw = m[3] ?? '';
  const code = knownErrorCodes.has(raw) ? raw : 'other';
  const cls: ErrorClass =
    o.kind === 'conflict'
      ? 'conflict'
      : o.kind === 'give-up'
        ? 'fatal'
        : throttlingCodes.has(raw)
          ? 'throttling'
          : 'transient';
  return { service: m[1] ?? '', class: cls, code };
}

/** Which configured provider an API service belongs to (the adapters' `service` names). */
export const providerOfService: Readonly<Record<string, string>> = {
  ec2: 'aws',
  route53: 'dns',
  network: 'azure',
  compute: 'gcp',
};
