/**
 * VRRPv2 over an IPsec Authentication Header (RFC 2338 §5.3.6 type 2, kept by keepalived as
 * `auth_type AH`; IPv4 only). keepalived does not use the kernel's IPsec: it builds the AH itself, with no
 * security association, so floatip must do exactly what keepalived does for the two to understand each other:
 *
 * ```
 * | IPv4 header, protocol 51 | AH (24 octets)                                  | VRRPv2 message          |
 *                            | Next Hdr 112 | Payload Len 4 | Reserved 0       | Auth Type 2, auth data  |
 *                            | SPI = the IPv4 source address (network order)  | (8 octets) all zero     |
 *                            | Sequence Number                                 |                         |
 *                            | ICV: HMAC-MD5-96 (12 octets)                    |                         |
 * ```
 *
 * - rfc2402 §2: the header layout; Payload Len = AH length in 32-bit words minus 2 = 4 for a 96-bit ICV.
 * - rfc2403 §2 / rfc2104: ICV = the first 12 octets of HMAC-MD5. The key is the 8-octet Authentication
 *   Data keepalived keeps for `auth_pass`: the password's first 8 octets, zero-padded.
 * - rfc2402 §3.3.3.1: the ICV covers the IP header with its mutable fields zeroed, the AH with the ICV
 *   zeroed, and the VRRP message. keepalived zeroes TOS, flags+fragment offset and the header checksum,
 *   and the TTL only for unicast instances (a multicast advert keeps TTL 255 in the sum). The IP
 *   Identification and Total Length stay in.
 * - SPI: keepalived sets it to the sender's IPv4 address and rejects an advert whose SPI differs from its
 *   source address (the "xcast" convention, as no SA negotiation exists).
 * - Sequence Number: see `ah-sequence.ts`.
 */
import { VRRP_IP_PROTOCOL } from './constants.ts';
import { onesComplementSum } from './checksum.ts';
import { hmacMd5 } from './hmac-md5.ts';
import { parseIpv4 } from './ip-address.ts';

/** IP protocol number of AH. rfc2402 §2. */
export const IPPROTO_AH = 51;
/** AH with a 96-bit ICV: 12 fixed octets + 12 ICV octets. rfc2402 §2, rfc2403 §2. */
export const AH_HEADER_LENGTH = 24;
/** Payload Len: (24 / 4) - 2. rfc2402 §2.2. */
export const AH_PAYLOAD_LEN = 4;
/** HMAC-MD5-96: the digest truncated to 96 bits. rfc2403 §2. */
export const AH_ICV_LENGTH = 12;
/** Where the ICV starts inside the AH. rfc2402 §2. */
const AH_ICV_OFFSET = 12;
/** An IPv4 header without options. rfc791 §3.1. */
export const IPV4_HEADER_LENGTH = 20;
/** TOS keepalived puts on adverts: precedence 110, internetwork control. */
export const VRRP_IPV4_TOS = 0xc0;

export interface AhDatagramInput {
  readonly src: string;
  readonly dst: string;
  /** IPv4 Identification; keepalived counts it up per advert (never 0, which the kernel would replace). */
  readonly ipId: number;
  readonly ttl: number;
  /** AH Sequence Number. */
  readonly seq: number;
  /** The 8-octet key (`passAuthData(auth_pass)`). */
  readonly key: Uint8Array;
  /** keepalived leaves the TTL out of the ICV for unicast instances only. */
  readonly unicast: boolean;
  /** The encoded VRRPv2 message (Auth Type 2, zero Authentication Data). */
  readonly vrrp: Uint8Array;
}

export type AhDatagramResult = { ok: true; bytes: Uint8Array } | { ok: false; error: string };

/**
 * The whole IPv4 datagram (header, AH, VRRP) that keepalived would send for these inputs, header checksum
 * included (the kernel fills the same value in).
 */
export function encodeAhDatagram(input: AhDatagramInput): AhDatagramResult {
  const src = parseIpv4(input.src);
  const dst = parseIpv4(input.dst);
  if (!src) return { ok: false, error: `src: ${input.src} is not an IPv4 address` };
  if (!dst) return { ok: false, error: `dst: ${input.dst} is not an IPv4 address` };
  if (!Number.isInteger(input.seq) || input.seq < 0 || input.seq > 0xffffffff)
    return { ok: false, error: `seq: ${input.seq} is not a 32-bit sequence number` };
  const total = IPV4_HEADER_LENGTH + AH_HEADER_LENGTH + input.vrrp.length;
  const bytes = new Uint8Array(total);
  const v = new DataView(bytes.buffer);
  // rfc791 §3.1: version 4, IHL 5; TOS; Total Length; Identification; flags+offset 0; TTL; protocol 51.
  v.setUint8(0, 0x45);
  v.setUint16(2, total);
  v.setUint16(4, input.ipId & 0xffff);
  v.setUint8(8, input.ttl);
  v.setUint8(9, IPPROTO_AH);
  bytes.set(src, 12);
  bytes.set(dst, 16);
  // AH (rfc2402 §2): Next Header, Payload Len, Reserved, SPI = source address, Sequence Number.
  const ah = IPV4_HEADER_LENGTH;
  v.setUint8(ah, VRRP_IP_PROTOCOL);
  v.setUint8(ah + 1, AH_PAYLOAD_LEN);
  bytes.set(src, ah + 4);
  v.setUint32(ah + 8, input.seq >>> 0);
  bytes.set(input.vrrp, ah + AH_HEADER_LENGTH);
  // ICV over the datagram with TOS, fragment field, checksum (and the TTL for unicast) still zero.
  if (input.unicast) v.setUint8(8, 0);
  const icv = ahIcv(bytes, IPV4_HEADER_LENGTH, input.key);
  bytes.set(icv, ah + AH_ICV_OFFSET);
  v.setUint8(8, input.ttl);
  v.setUint8(1, VRRP_IPV4_TOS);
  v.setUint16(10, ~onesComplementSum(bytes.subarray(0, IPV4_HEADER_LENGTH)) & 0xffff);
  return { ok: true, bytes };
}

/** The AH fields of a received packet. */
export interface AhInfo {
  readonly spi: number;
  readonly seq: number;
  /** True when the ICV matched the instance's key. */
  readonly icvOk: boolean;
  /** True when the SPI equals the IPv4 source address, as keepalived requires. */
  readonly spiOk: boolean;
}

export type AhSplit =
  | { ok: true; nextHeader: number; vrrp: Uint8Array; spi: number; seq: number }
  | { ok: false; reason: 'packet-len' };

/** AH + payload -> the AH fields and the payload after it. Only the length is checked here. */
export function splitAh(payload: Uint8Array): AhSplit {
  if (payload.length < AH_HEADER_LENGTH) return { ok: false, reason: 'packet-len' };
  const v = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  return {
    ok: true,
    nextHeader: v.getUint8(0),
    spi: v.getUint32(4),
    seq: v.getUint32(8),
    vrrp: payload.subarray(AH_HEADER_LENGTH),
  };
}

/**
 * Checks a received AH the way keepalived's vrrp_in_chk_ipsecah does (before the sequence number, which
 * is the instance's business): the ICV over `ipHeader` (as received, options included) + `payload` (AH and
 * what follows), then SPI = source address. Never throws.
 */
export function verifyAh(
  ipHeader: Uint8Array,
  payload: Uint8Array,
  key: Uint8Array,
  unicast: boolean,
): { icvOk: boolean; spiOk: boolean } {
  if (ipHeader.length < IPV4_HEADER_LENGTH || payload.length < AH_HEADER_LENGTH)
    return { icvOk: false, spiOk: false };
  const copy = new Uint8Array(ipHeader.length + payload.length);
  copy.set(ipHeader);
  copy.set(payload, ipHeader.length);
  const v = new DataView(copy.buffer);
  v.setUint8(1, 0); // TOS
  v.setUint16(6, 0); // flags + fragment offset
  v.setUint16(10, 0); // header checksum
  if (unicast) v.setUint8(8, 0); // TTL
  const icv = ahIcv(copy, ipHeader.length, key);
  let diff = 0;
  for (let i = 0; i < AH_ICV_LENGTH; i++) diff |= (icv[i] ?? 0) ^ (payload[AH_ICV_OFFSET + i] ?? 0);
  let spiDiff = 0;
  for (let i = 0; i < 4; i++) spiDiff |= (ipHeader[12 + i] ?? 0) ^ (payload[4 + i] ?? 0);
  return { icvOk: diff === 0, spiOk: spiDiff === 0 };
}

/**
 * HMAC-MD5-96 of `datagram` (mutable IP fields already zeroed by the caller) with the ICV field, at
 * `ahAt + 12`, taken as zero. The caller's buffer is zeroed there and left so.
 */
function ahIcv(datagram: Uint8Array, ahAt: number, key: Uint8Array): Uint8Array {
  datagram.fill(0, ahAt + AH_ICV_OFFSET, ahAt + AH_ICV_OFFSET + AH_ICV_LENGTH);
  return hmacMd5(key, datagram).subarray(0, AH_ICV_LENGTH);
}
