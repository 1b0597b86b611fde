/**
 * Every Compute Engine error floatip can meet, classified in one place (STYLE 12). The REST fallback
 * transport throws errors whose `code` is the HTTP status (or a gRPC code on some paths) and whose message
 * carries the JSON error with a `reason`.
 * - throttling: 429, rateLimitExceeded / userRateLimitExceeded / quotaExceeded for rate, gRPC 8;
 * - transient: 5xx, backendError, resourceNotReady (another operation holds it), gRPC 14 (unavailable) / 4 (deadline), connection resets;
 * - conflict: 412 conditionNotMet (stale fingerprint: re-read), 409 alreadyExists (lost a race),
 *   resourceInUseByAnotherResource, gRPC 6 / 9 / 10;
 * - fatal: everything else (401/403, 404, invalid).
 */
import type { ClassifiedError } from '../../core/failover/index.ts';

const throttleReasons = new Set(['rateLimitExceeded', 'userRateLimitExceeded', 'RATE_LIMIT_EXCEEDED']);
const conflictReasons = new Set([
  'conditionNotMet',
  'alreadyExists',
  'resourceInUseByAnotherResource',
  'RESOURCE_ALREADY_EXISTS',
  'CONDITION_NOT_MET',
]);
/** The resource is busy with another operation or not ready yet: wait and send again. */
const transientReasons = new Set(['resourceNotReady', 'backendError', 'internalError']);
const network = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE']);

/** The first `reason` in a Google JSON error carried in `message`, if any. */
function reasonOf(message: string): string | undefined {
  const m = /"reason"\s*:\s*"([^"]+)"/.exec(message);
  return m?.[1];
}

export function classifyGcpError(err: unknown): ClassifiedError {
  const e = (err ?? {}) as { code?: unknown; status?: unknown; message?: unknown; reason?: unknown };
  const message = String(e.message ?? err);
  const reason = typeof e.reason === 'string' ? e.reason : reasonOf(message);
  const code = typeof e.code === 'number' ? e.code : Number(e.status) || 0;
  const name = reason ?? (typeof e.code === 'string' ? e.code : `HTTP${code}`);
  const short = message.length > 300 ? `${message.slice(0, 300)}...` : message;
  if (code === 429 || code === 8 || (reason && throttleReasons.has(reason)))
    return { class: 'throttling', code: name, message: short };
  if (
    code === 412 ||
    code === 409 ||
    code === 6 ||
    code === 9 ||
    code === 10 ||
    (reason && conflictReasons.has(reason))
  )
    return { class: 'conflict', code: name, message: short };
  if (
    code >= 500 ||
    code === 14 ||
    code === 4 ||
    (reason && transientReasons.has(reason)) ||
    network.has(String(e.code))
  )
    return { class: 'transient', code: name, message: short };
  return { class: 'fatal', code: name, message: short };
}

/**
 * The codes a DONE Operation can carry in `error.errors[].code` (the Operation resource's error list;
 * UPPER_SNAKE, unlike the lowerCamel `reason` of a refused request). The change was not made.
 * - throttling: the resource or project is changed too often right now;
 * - transient: quota momentarily used up, the resource not ready (another operation on it), internal
 *   errors, a zone out of capacity for now;
 * - conflict: the fingerprint was stale, the name exists, the address is used elsewhere (re-read);
 * - fatal: everything else (not found, invalid, permission).
 */
const operationThrottle = new Set(['RESOURCE_OPERATION_RATE_EXCEEDED', 'RATE_LIMIT_EXCEEDED']);
const operationTransient = new Set([
  'QUOTA_EXCEEDED',
  'RESOURCE_NOT_READY',
  'INTERNAL_ERROR',
  'ZONE_RESOURCE_POOL_EXHAUSTED',
]);
const operationConflict = new Set([
  'CONDITION_NOT_MET',
  'RESOURCE_ALREADY_EXISTS',
  'RESOURCE_IN_USE_BY_ANOTHER_RESOURCE',
]);

export function classifyGcpOperationError(code: string, message: string): ClassifiedError {
  const name = code || 'OPERATION_ERROR';
  const short = message.length > 300 ? `${message.slice(0, 300)}...` : message;
  if (operationThrottle.has(code)) return { class: 'throttling', code: name, message: short };
  if (operationTransient.has(code)) return { class: 'transient', code: name, message: short };
  if (operationConflict.has(code)) return { class: 'conflict', code: name, message: short };
  return { class: 'fatal', code: name, message: short };
}

const httpStatuses = [400, 401, 403, 404, 409, 412, 429, 500, 502, 503, 504].map((s) => `HTTP${s}`);

/** Every code the metrics may name for Compute Engine (a bounded label set; anything else is `other`). */
export const knownGcpCodes: ReadonlySet<string> = new Set([
  ...throttleReasons,
  ...conflictReasons,
  ...network,
  ...httpStatuses,
  ...transientReasons,
  ...operationThrottle,
  ...operationTransient,
  ...operationConflict,
  'OPERATION_ERROR',
  'RESOURCE_NOT_FOUND',
  'quotaExceeded',
  'notFound',
  'forbidden',
  'invalid',
]);
