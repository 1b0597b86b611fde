import type { DestView } from './types.ts';

/**
 * `ip_vs_dest_conn_overhead` (include/net/ip_vs.h): `(activeconns << 8) + inactconns`, in C int.
 * (The `<<5` in ip_vs_lc.c's comment is stale; the code uses this.)
 */
export const connOverhead = (d: DestView): number => ((d.activeConns << 8) + d.inactConns) | 0;

/** `ip_vs_sed_dest_overhead` / `ip_vs_nq_dest_overhead`: `activeconns + 1`. */
export const activePlusOne = (d: DestView): number => (d.activeConns + 1) | 0;

const SAFE = 2 ** 53;

/** `(__s64)a * b > (__s64)c * d`, exactly, for 32-bit integer operands. */
export const s64Greater = (a: number, b: number, c: number, d: number): boolean => {
  const left = a * b;
  const right = c * d;
  // Doubles are exact below 2^53; only beyond that (rare: both factors large) fall back to BigInt.
  if (left < SAFE && left > -SAFE && right < SAFE && right > -SAFE) return left > right;
  return BigInt(a) * BigInt(b) > BigInt(c) * BigInt(d);
};

/** `(__s64)a * b < (__s64)c * d`, exactly. */
export const s64Less = (a: number, b: number, c: number, d: number): boolean => s64Greater(c, d, a, b);

/** OVERLOAD flag test. */
export const isOverloadFlag = (d: DestView): boolean => (d.flags & 0x2) !== 0;
/** AVAILABLE flag test. */
export const isAvailable = (d: DestView): boolean => (d.flags & 0x1) !== 0;
