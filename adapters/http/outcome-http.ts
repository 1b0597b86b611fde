import type { Outcome } from '../../core/model/index.ts';
import { HttpError, unavailable } from './errors.ts';

/**
 * Maps a use case's Outcome to the response: ok → value; retry → 503 + Retry-After; conflict → 409;
 * give-up → 422 (bad request content the caller can fix), with the reason as message.
 */
export function unwrap<T>(o: Outcome<T>, field: string | null = null): T {
  switch (o.kind) {
    case 'ok':
      return o.value;
    case 'retry':
      throw o.reason.startsWith('redis unreachable')
        ? unavailable(o.reason, o.retryAfterMs)
        : new HttpError(
            503,
            'retry_later',
            field,
            o.reason,
            Math.max(1, Math.ceil((o.retryAfterMs ?? 1000) / 1000)),
          );
    case 'conflict':
      throw new HttpError(409, 'conflict', field, o.reason);
    case 'give-up':
      throw new HttpError(422, 'rejected', field, o.reason);
    default: {
      const never: never = o;
      return never;
    }
  }
}
