import { LbInputError } from './errors.ts';
import { IPPROTO } from './types.ts';
import type { ServerId } from './types.ts';

/** INT_MAX: weights are `atomic_t`. */
export const INT_MAX = 0x7fffffff;
/** UINT32_MAX: thresholds and fwmarks are u32. */
export const U32_MAX = 0xffffffff;

export const record = (value: unknown, field: string): Record<string, unknown> => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new LbInputError(field, `expected an object, got ${value === null ? 'null' : typeof value}`);
  }
  return value as Record<string, unknown>;
};

export const intIn = (value: unknown, field: string, min: number, max: number): number => {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new LbInputError(field, `expected an integer in ${min}..${max}, got ${String(value)}`);
  }
  return value;
};

export const optionalIntIn = (
  value: unknown,
  field: string,
  min: number,
  max: number,
  fallback: number,
): number => (value === undefined ? fallback : intIn(value, field, min, max));

export const optionalBool = (value: unknown, field: string): boolean => {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw new LbInputError(field, `expected a boolean, got ${String(value)}`);
  return value;
};

export const positiveSeconds = (value: unknown, field: string, fallback: number): number => {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new LbInputError(field, `expected a positive number of seconds, got ${String(value)}`);
  }
  return value;
};

export const serverId = (value: unknown, field: string): ServerId => {
  if ((typeof value === 'string' && value !== '') || (typeof value === 'number' && Number.isFinite(value))) {
    return value;
  }
  throw new LbInputError(field, `expected a non-empty string or a number, got ${String(value)}`);
};

const PROTO_NAMES: Readonly<Record<string, number>> = {
  ip: IPPROTO.IP,
  icmp: IPPROTO.ICMP,
  tcp: IPPROTO.TCP,
  udp: IPPROTO.UDP,
  icmpv6: IPPROTO.ICMPV6,
  sctp: IPPROTO.SCTP,
};

/** A protocol number 0..255, or one of the names tcp, udp, sctp, icmp, icmpv6, ip. */
export const protocol = (value: unknown, field: string): number => {
  if (typeof value === 'string') {
    const n = PROTO_NAMES[value.toLowerCase()];
    if (n === undefined) throw new LbInputError(field, `unknown protocol "${value}"`);
    return n;
  }
  return intIn(value, field, 0, 255);
};
