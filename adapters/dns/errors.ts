/**
 * Route 53 errors, classified in one place (STYLE 12):
 * - throttling: Throttling, PriorRequestNotComplete (a change to the zone still being applied), 429;
 * - transient: InternalFailure / ServiceUnavailable / 5xx / connection resets;
 * - conflict: InvalidChangeBatch (a CREATE of an existing record or a DELETE whose values no longer
 *   match: somebody else changed the record since we read it);
 * - fatal: everything else (NoSuchHostedZone, InvalidInput, AccessDenied).
 */
import type { ClassifiedError } from '../../core/failover/index.ts';

const throttling = new Set([
  'Throttling',
  'ThrottlingException',
  'PriorRequestNotComplete',
  'TooManyRequestsException',
]);
const transient = new Set([
  'InternalFailure',
  'InternalError',
  'ServiceUnavailable',
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'TimeoutError',
]);
const conflict = new Set(['InvalidChangeBatch', 'ConcurrentModification']);

export function classifyRoute53Error(err: unknown): ClassifiedError {
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
  if (transient.has(code) || status >= 500) return { class: 'transient', code, message };
  return { class: 'fatal', code, message };
}

/** Every code the metrics may name for Route 53 (a bounded label set; anything else is `other`). */
export const knownRoute53Codes: ReadonlySet<string> = new Set([
  ...throttling,
  ...transient,
  ...conflict,
  'NoSuchHostedZone',
  'InvalidInput',
  'AccessDenied',
  'Unknown',
]);
