/**
 * Every EC2 / Route 53 error floatip can meet, classified in one place (STYLE 12):
 * throttling and transient errors are retried with backoff; conflict means someone else holds or changed
 * the resource (re-read and re-plan); fatal means retrying cannot help (bad id, permissions, bad input).
 *
 * EC2 is eventually consistent: right after a resource is created (or changed) other calls may answer
 * `Invalid*ID.NotFound` for it, or `IncorrectInstanceState` while an instance settles; the EC2 API guide
 * ("Eventual consistency in the Amazon EC2 API") says to retry those with backoff. They are `transient`
 * here, and {@link awsCall} bounds them: the last try reports them as fatal, naming the code (tests:
 * "aws: NotFound right after a create is retried, then it works" and "aws: a wrong id stays NotFound" in
 * test/adapters/aws/real-api.test.ts).
 */
import type { ClassifiedError } from '../../core/failover/index.ts';

const throttling = new Set([
  'RequestLimitExceeded',
  'Throttling',
  'ThrottlingException',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'PriorRequestNotComplete',
  'SlowDown',
]);
const transient = new Set([
  'InternalError',
  'InternalFailure',
  'ServiceUnavailable',
  'Unavailable',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
]);
/** Codes EC2 answers while a new or changed resource has not reached every endpoint yet. */
export const notYetVisible: ReadonlySet<string> = new Set([
  'InvalidAllocationID.NotFound',
  'InvalidNetworkInterfaceID.NotFound',
  'InvalidRouteTableID.NotFound',
  'InvalidInstanceID.NotFound',
  'InvalidSubnetID.NotFound',
  'InvalidVpcID.NotFound',
  'IncorrectInstanceState',
]);
const conflict = new Set([
  'Resource.AlreadyAssociated',
  'PrivateIpAddressInUse',
  'RouteAlreadyExists',
  'InvalidRoute.NotFound',
  'InvalidAssociationID.NotFound',
  'IncorrectState',
  'InvalidChangeBatch',
  'ConcurrentModification',
]);

export function classifyAwsError(err: unknown): ClassifiedError {
  const e = (err ?? {}) as {
    name?: unknown;
    code?: unknown;
    message?: unknown;
    $metadata?: { httpStatusCode?: number };
  };
  const code = String(e.name && e.name !== 'Error' ? e.name : (e.code ?? 'Unknown'));
  const message = String(e.message ?? err);
  const status = e.$metadata?.httpStatusCode ?? 0;
  if (throttling.has(code) || status === 429) return { class: 'throttling', code, message };
  if (conflict.has(code)) return { class: 'conflict', code, message };
  if (transient.has(code) || notYetVisible.has(code) || status >= 500)
    return { class: 'transient', code, message };
  return { class: 'fatal', code, message };
}

/** Every code the metrics may name for EC2 (a bounded label set; anything else is `other`). */
export const knownAwsCodes: ReadonlySet<string> = new Set([
  ...throttling,
  ...transient,
  ...conflict,
  ...notYetVisible,
  'UnauthorizedOperation',
  'AuthFailure',
  'InvalidParameterValue',
  'Unknown',
]);
