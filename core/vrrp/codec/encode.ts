/**
 * Advert -> bytes (the VRRP message only; the adapter's raw socket adds the IP header with TTL 255).
 * Invalid input is refused with a message naming the field; nothing throws.
 */
import {
  IPV4_ADDRESS_LENGTH,
  IPV6_ADDRESS_LENGTH,
  VRRP_HEADER_LENGTH,
  VRRP_TYPE_ADVERTISEMENT,
  VRRP_V2_AUTH_DATA_LENGTH,
  VRRP_V2_MAX_ADVER_INT_S,
  VRRP_V3_MAX_ADVER_INT_CS,
} from './constants.ts';
import type { VrrpAdvert } from './advert.ts';
import { internetChecksum, pseudoHeaderSumOf } from './checksum.ts';
import { parseIp, type IpFamily } from './ip-address.ts';

/** Where the message goes; v3 needs src/dst for the pseudo-header checksum. */
export interface EncodeContext {
  readonly family: IpFamily;
  readonly src: string;
  readonly dst: string;
  /** keepalived `v3_checksum_as_v2`: v3/IPv4 checksum without the pseudo-header. */
  readonly checksumAsV2?: boolean;
}

export type EncodeResult = { ok: true; bytes: Uint8Array } | { ok: false; error: string };

const isByte = (n: number, min = 0, max = 255): boolean => Number.isInteger(n) && n >= min && n <= max;

interface Prepared {
  readonly addresses: Uint8Array[];
  readonly src: Uint8Array;
  readonly dst: Uint8Array;
}

/** Validate every field and parse every address once; a string names the first bad field. */
function prepare(advert: VrrpAdvert, ctx: EncodeContext): Prepared | string {
  if (!isByte(advert.vrid, 1)) return `vrid ${advert.vrid} is not in 1..255`;
  if (!isByte(advert.priority)) return `priority ${advert.priority} is not in 0..255`;
  if (advert.addresses.length > 255) return `${advert.addresses.length} addresses; at most 255 fit the count`;
  if (advert.version === 2) {
    if (ctx.family !== 'ipv4') return 'VRRPv2 is IPv4 only (rfc3768)';
    if (!isByte(advert.advertIntervalSec, 1, VRRP_V2_MAX_ADVER_INT_S))
      return `advertIntervalSec ${advert.advertIntervalSec} is not in 1..255`;
    if (!isByte(advert.authType)) return `authType ${advert.authType} is not in 0..255`;
    if (advert.authData.length !== VRRP_V2_AUTH_DATA_LENGTH) return 'authData must be 8 octets';
  } else if (!Number.isInteger(advert.maxAdvertIntervalCs) || advert.maxAdvertIntervalCs < 1)
    return `maxAdvertIntervalCs ${advert.maxAdvertIntervalCs} is not a positive integer`;
  else if (advert.maxAdvertIntervalCs > VRRP_V3_MAX_ADVER_INT_CS)
    return `maxAdvertIntervalCs ${advert.maxAdvertIntervalCs} exceeds 4095 (12 bits)`;
  const addresses: Uint8Array[] = [];
  for (const a of advert.addresses) {
    const raw = parseIp(a, ctx.family);
    if (!raw) return `address ${JSON.stringify(a)} is not an ${ctx.family} address`;
    addresses.push(raw);
  }
  const src = parseIp(ctx.src, ctx.family);
  if (!src) return `src ${JSON.stringify(ctx.src)} is not an ${ctx.family} address`;
  const dst = parseIp(ctx.dst, ctx.family);
  if (!dst) return `dst ${JSON.stringify(ctx.dst)} is not an ${ctx.family} address`;
  return { addresses, src, dst };
}

/** Length of the VRRP message for `count` addresses. rfc3768 §5.1, rfc5798 §5.2. */
export function advertLength(version: 2 | 3, family: IpFamily, count: number): number {
  const addr = family === 'ipv4' ? IPV4_ADDRESS_LENGTH : IPV6_ADDRESS_LENGTH;
  return VRRP_HEADER_LENGTH + count * addr + (version === 2 ? VRRP_V2_AUTH_DATA_LENGTH : 0);
}

export function encodeAdvert(advert: VrrpAdvert, ctx: EncodeContext): EncodeResult {
  const prepared = prepare(advert, ctx);
  if (typeof prepared === 'string') return { ok: false, error: prepared };
  const bytes = new Uint8Array(advertLength(advert.version, ctx.family, advert.addresses.length));
  const view = new DataView(bytes.buffer);
  // Version (high nibble) and Type (low nibble). rfc3768 §5.3.1-2, rfc5798 §5.2.1-2.
  view.setUint8(0, (advert.version << 4) | VRRP_TYPE_ADVERTISEMENT);
  // Virtual Rtr ID. rfc3768 §5.3.3, rfc5798 §5.2.3.
  view.setUint8(1, advert.vrid);
  // Priority. rfc3768 §5.3.4, rfc5798 §5.2.4.
  view.setUint8(2, advert.priority);
  // Count IP Addrs / Count IPvX Addr. rfc3768 §5.3.5, rfc5798 §5.2.5.
  view.setUint8(3, advert.addresses.length);
  if (advert.version === 2) {
    // Auth Type (rfc3768 §5.3.6) and Adver Int in seconds (rfc3768 §5.3.7).
    view.setUint8(4, advert.authType);
    view.setUint8(5, advert.advertIntervalSec);
  } else {
    // 4 reserved bits, zero on send (rfc5798 §5.2.6), then Max Adver Int in centiseconds (rfc5798 §5.2.7).
    view.setUint16(4, advert.maxAdvertIntervalCs & VRRP_V3_MAX_ADVER_INT_CS);
  }
  // IPvX Address(es). rfc3768 §5.3.9, rfc5798 §5.2.9.
  let offset = VRRP_HEADER_LENGTH;
  for (const raw of prepared.addresses) {
    bytes.set(raw, offset);
    offset += raw.length;
  }
  // Authentication Data, v2 only. rfc3768 §5.3.10.
  if (advert.version === 2) bytes.set(advert.authData, offset);
  // Checksum last, over the message with the field zero. rfc3768 §5.3.8, rfc5798 §5.2.8.
  // v3 sums the pseudo-header first, unless keepalived's v3_checksum_as_v2 applies (IPv4 only).
  const pseudo = advert.version === 3 && !(ctx.checksumAsV2 && ctx.family === 'ipv4');
  const initial = pseudo ? pseudoHeaderSumOf(ctx.family, prepared.src, prepared.dst, bytes.length) : 0;
  view.setUint16(6, internetChecksum(bytes, initial));
  return { ok: true, bytes };
}
