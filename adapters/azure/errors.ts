/**
 * Every ARM / Microsoft.Network error floatip can meet, classified in one place (STYLE 12).
 * - throttling: 429, and 409 "another operation in progress" (NRP serialises writes per resource and
 *   says when to come back: Retry-After / retry-after-ms is honoured as the minimum wait);
 * - transient: 5xx, connection resets, timeouts; PrivateIPAddressIsAllocated (the address is still held
 *   by the NIC it is being moved from, whose update has not finished: retry after the release);
 * - conflict: 412 PreconditionFailed (stale ETag: re-read and retry), an IP already in use elsewhere;
 * - fatal: everything else (401/403, 404, bad request).
 * A long-running operation that ended Failed or Canceled (an LroFailure: no HTTP status, the code from
 * the operation's error body) is classified by that code the same way; one that ended Canceled, or whose
 * code says the service failed internally, is transient.
 */
import type { ClassifiedError } from '../../core/failover/index.ts';

const busy = /AnotherOperationInProgress|RetryableError|OperationNotAllowed.*in progress|Conflict/i;
const inUse = new Set([
  'PublicIPAddressInUse',
  'PrivateIPAddressInUse',
  'PreconditionFailed',
  'InUseRouteTableCannotBeDeleted',
]);
const network = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'REQUEST_SEND_ERROR']);
const transientCodes = new Set([
  'PrivateIPAddressIsAllocated',
  'InternalServerError',
  'ServiceUnavailable',
  'LongRunningOperationCanceled',
]);

interface ArmErrorShape {
  statusCode?: number;
  code?: string;
  message?: string;
  response?: { headers?: { get(name: string): string | undefined } };
}

/** Retry-After from a response: `retry-after-ms` / `x-ms-retry-after-ms` first, then `Retry-After` seconds. */
export function retryAfterMs(
  headers: { get(name: string): string | undefined } | undefined,
): number | undefined {
  const ms = headers?.get('retry-after-ms') ?? headers?.get('x-ms-retry-after-ms');
  if (ms !== undefined && Number.isFinite(Number(ms))) return Number(ms);
  const s = headers?.get('retry-after');
  if (s === undefined) return undefined;
  if (Number.isFinite(Number(s))) return Number(s) * 1000;
  const at = Date.parse(s);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

export function classifyAzureError(err: unknown): ClassifiedError {
  const e = (err ?? {}) as ArmErrorShape & { name?: string; status?: string };
  if (e.name === 'LroFailure') {
    // the operation's own end (adapters/azure/lro.ts): no HTTP status, the code from its error body
    const code = String(e.code ?? 'LongRunningOperationFailed');
    const message = `operation ended ${e.status ?? 'Failed'}: ${String(e.message ?? '')}`;
    if (busy.test(code)) return { class: 'throttling', code, message };
    if (inUse.has(code)) return { class: 'conflict', code, message };
    if (transientCodes.has(code) || e.status === 'Canceled') return { class: 'transient', code, message };
    return { class: 'fatal', code, message };
  }
  const status = e.statusCode ?? 0;
  const code = String(e.code ?? (status ? `HTTP${status}` : 'Unknown'));
  const message = String(e.message ?? err);
  const after = retryAfterMs(e.response?.headers);
  const hint = after === undefined ? {} : { retryAfterMs: after };
  if (status === 429) return { class: 'throttling', code, message, ...hint };
  if (status === 409 && busy.test(code)) return { class: 'throttling', code, message, ...hint };
  if (status === 412 || inUse.has(code)) return { class: 'conflict', code, message };
  if (status >= 500 || network.has(code) || transientCodes.has(code))
    return { class: 'transient', code, message, ...hint };
  return { class: 'fatal', code, message };
}

const httpStatuses = [400, 401, 403, 404, 409, 412, 429, 500, 502, 503, 504].map((s) => `HTTP${s}`);

/** Every code the metrics may name for Azure (a bounded label set; anything else is `other`). */
export const knownAzureCodes: ReadonlySet<string> = new Set([
  ...inUse,
  ...network,
  ...transientCodes,
  ...httpStatuses,
  'LongRunningOperationFailed',
  'TooManyRequests',
  'AnotherOperationInProgress',
  'RetryableError',
  'AuthorizationFailed',
  'AuthenticationFailed',
  'InvalidAuthenticationToken',
  'ResourceNotFound',
  'NotFound',
  'Unknown',
]);
