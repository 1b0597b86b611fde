import { createHmac, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';
import type { AlertSignal } from '../../../core/app/index.ts';
import { HttpError } from '../errors.ts';
import { lazySchema, validate } from '../validate.ts';

/** Header names of the generic hook. The signature covers `${timestamp}.${raw body}`. */
export const hookHeaders = { timestamp: 'x-floatip-timestamp', signature: 'x-floatip-signature' } as const;

/** Signs a generic-hook body (senders and tests use the same function). */
export const signHook = (secret: string, timestampSec: number, body: string): string =>
  `sha256=${createHmac('sha256', secret).update(`${timestampSec}.${body}`).digest('hex')}`;

/**
 * Verifies the HMAC-SHA256 signature (constant time) and that the timestamp is within `toleranceSec` of
 * now, so a captured request cannot be replayed later.
 */
export function verifyHook(
  secret: string,
  headers: { timestamp: string | undefined; signature: string | undefined },
  body: string,
  nowSec: number,
  toleranceSec: number,
): void {
  if (headers.timestamp === undefined || !/^\d{1,12}$/.test(headers.timestamp))
    throw new HttpError(
      401,
      'bad_timestamp',
      'X-Floatip-Timestamp',
      'X-Floatip-Timestamp must be Unix seconds',
    );
  const ts = Number(headers.timestamp);
  if (Math.abs(nowSec - ts) > toleranceSec)
    throw new HttpError(
      401,
      'stale_timestamp',
      'X-Floatip-Timestamp',
      `timestamp is more than ${toleranceSec} s from now (replay?)`,
    );
  const sig = headers.signature ?? '';
  if (!/^sha256=[0-9a-f]{64}$/.test(sig))
    throw new HttpError(
      401,
      'bad_signature',
      'X-Floatip-Signature',
      'X-Floatip-Signature must be sha256=<64 hex digits>',
    );
  const want = Buffer.from(signHook(secret, ts, body));
  if (!timingSafeEqual(want, Buffer.from(sig)))
    throw new HttpError(
      401,
      'signature_mismatch',
      'X-Floatip-Signature',
      'signature does not match the body',
    );
}

const hookBody = lazySchema(() =>
  z.object({
    id: z.string().min(1).max(256),
    status: z.enum(['firing', 'resolved']),
    labels: z.record(z.string(), z.string()),
    summary: z.string().max(2000).optional(),
  }),
);

export function decodeHook(body: unknown): AlertSignal[] {
  const p = validate(hookBody, body);
  return [
    {
      source: 'hook',
      incident: p.id,
      status: p.status,
      labels: p.labels,
      summary: p.summary ?? p.id,
      path: 'body',
    },
  ];
}
