import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/**
 * An HTTP error with a machine code and the request field it is about. Thrown from handlers and turned
 * into `{ error: { code, field, message } }` by the app's onError.
 *
 * @example
 *   throw new HttpError(422, 'unknown_group', 'group', "unknown group 'web2'");
 */
export class HttpError extends Error {
  readonly status: ContentfulStatusCode;
  readonly code: string;
  readonly field: string | null;
  readonly retryAfterSec: number | undefined;
  constructor(
    status: ContentfulStatusCode,
    code: string,
    field: string | null,
    message: string,
    retryAfterSec?: number,
  ) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
    this.retryAfterSec = retryAfterSec;
  }
}

export function errorResponse(c: Context, e: HttpError): Response {
  if (e.retryAfterSec !== undefined) c.header('Retry-After', String(e.retryAfterSec));
  return c.json({ error: { code: e.code, field: e.field, message: e.message } }, e.status);
}

/** The store is down: 503 with Retry-After, so webhook senders retry later and nothing is lost. */
export const unavailable = (reason: string, retryAfterMs = 1000): HttpError =>
  new HttpError(
    503,
    'store_unavailable',
    null,
    `control plane store unavailable, retry later (${reason})`,
    Math.max(1, Math.ceil(retryAfterMs / 1000)),
  );
