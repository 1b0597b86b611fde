/**
 * VRRP checksums.
 *
 * - v2 (rfc3768 §5.3.8): the 16-bit one's complement of the one's complement sum of the whole VRRP message,
 *   checksum field taken as zero.
 * - v3 (rfc5798 §5.2.8): the same sum, but over a pseudo-header followed by the VRRP message. IPv4 uses the
 *   pseudo-header of RFC 768 (src, dst, zero, protocol 112, VRRP length); IPv6 the one of RFC 8200 §8.1
 *   (src, dst, 32-bit upper-layer length, three zero octets, next header 112).
 * - keepalived's `v3_checksum_as_v2` (2.2.8+, an interop mode, not an RFC rule): v3 over IPv4 summed
 *   without the pseudo-header, as some Cisco/Juniper releases do.
 */
import { VRRP_IP_PROTOCOL } from './constants.ts';
import { parseIp, type IpFamily } from './ip-address.ts';

/** One's complement sum of `bytes` added to `initial`, folded to 16 bits (not yet complemented). */
export function onesComplementSum(bytes: Uint8Array, initial = 0): number {
  let sum = initial;
  const even = bytes.length & ~1;
  for (let i = 0; i < even; i += 2) sum += ((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0);
  if (bytes.length !== even) sum += (bytes[even] ?? 0) << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

/** The Internet checksum (RFC 1071) of `bytes`, prefixed by `initial` from a pseudo-header sum. */
export function internetChecksum(bytes: Uint8Array, initial = 0): number {
  return ~onesComplementSum(bytes, initial) & 0xffff;
}

/** Folded sum of the v3 pseudo-header, or undefined when src/dst are not addresses of `family`. */
export function pseudoHeaderSum(
  family: IpFamily,
  src: string,
  dst: string,
  vrrpLength: number,
): number | undefined {
  const s = parseIp(src, family);
  const d = parseIp(dst, family);
  return s && d ? pseudoHeaderSumOf(family, s, d, vrrpLength) : undefined;
}

/** The same from address bytes (4 or 16 each, as `family` says). */
export function pseudoHeaderSumOf(
  family: IpFamily,
  s: Uint8Array,
  d: Uint8Array,
  vrrpLength: number,
): number {
  const tail =
    family === 'ipv4'
      ? Uint8Array.of(0, VRRP_IP_PROTOCOL, (vrrpLength >> 8) & 0xff, vrrpLength & 0xff)
      : Uint8Array.of(0, 0, (vrrpLength >> 8) & 0xff, vrrpLength & 0xff, 0, 0, 0, VRRP_IP_PROTOCOL);
  return onesComplementSum(tail, onesComplementSum(d, onesComplementSum(s)));
}

/** How the checksum of a message is computed. */
export type ChecksumMode = 'v2' | 'pseudo-header' | 'as-v2';

/**
 * Checksum of a VRRP message (checksum field must hold zero when computing, or the received value when
 * verifying: then a correct message yields 0). Undefined only if the pseudo-header addresses are invalid.
 */
export function vrrpChecksum(
  message: Uint8Array,
  mode: ChecksumMode,
  ip: { family: IpFamily; src: string; dst: string },
): number | undefined {
  if (mode !== 'pseudo-header') return internetChecksum(message);
  const pseudo = pseudoHeaderSum(ip.family, ip.src, ip.dst, message.length);
  return pseudo === undefined ? undefined : internetChecksum(message, pseudo);
}
