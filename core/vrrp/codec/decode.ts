/**
 * Bytes -> advert, with the packet-level checks of rfc3768 §7.1 / rfc5798 §7.1 in their order: TTL, version,
 * type, length, checksum. Checks that need the instance's configuration (VRID known, auth, advert interval,
 * address list) are in `checkAdvertForInstance` (fsm/receive.ts). Never throws: every failure is a
 * `RejectReason` the caller counts.
 */
import {
  IPV4_ADDRESS_LENGTH,
  IPV6_ADDRESS_LENGTH,
  VRRP_HEADER_LENGTH,
  VRRP_IP_PROTOCOL,
  VRRP_TTL,
  VRRP_TYPE_ADVERTISEMENT,
  VRRP_V2_AUTH_DATA_LENGTH,
  VRRP_V3_MAX_ADVER_INT_CS,
} from './constants.ts';
import type { IpHeaderInfo, ReceivedAdvert, VrrpAdvert } from './advert.ts';
import { vrrpChecksum } from './checksum.ts';
import { advertLength } from './encode.ts';
import { formatIpv4, formatIpv6 } from './ip-address.ts';
import type { RejectReason } from './reject-reason.ts';

export interface DecodeOptions {
  /** keepalived `v3_checksum_as_v2`: also accept a v3/IPv4 checksum computed without the pseudo-header. */
  readonly checksumAsV2?: boolean;
  /**
   * TTL / Hop Limit rule. Default `'require-255'` (the RFC). keepalived checks unicast adverts only when a
   * peer has min_ttl/max_ttl: pass `'any'` or the range for those.
   */
  readonly ttl?: 'require-255' | 'any' | { readonly min: number; readonly max: number };
}

export type DecodeResult =
  | { ok: true; packet: ReceivedAdvert }
  | {
      ok: false;
      reason: RejectReason;
      /** The VRID octet when the packet had one, so the reject can be counted on that instance. */
      vrid?: number;
    };

function ttlOk(ttl: number, rule: DecodeOptions['ttl']): boolean {
  if (rule === 'any') return true;
  if (rule === undefined || rule === 'require-255') return ttl === VRRP_TTL;
  return ttl >= rule.min && ttl <= rule.max;
}

export function decodeAdvert(bytes: Uint8Array, ip: IpHeaderInfo, options: DecodeOptions = {}): DecodeResult {
  const vrid = bytes.length >= 2 ? bytes[1] : undefined;
  const fail = (reason: RejectReason): DecodeResult =>
    vrid === undefined ? { ok: false, reason } : { ok: false, reason, vrid };
  if (ip.protocol !== undefined && ip.protocol !== VRRP_IP_PROTOCOL) return fail('ip-protocol');
  if (!ttlOk(ip.ttl, options.ttl)) return fail('ip-ttl');
  if (bytes.length < VRRP_HEADER_LENGTH) return fail('packet-len');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const first = view.getUint8(0);
  // Version: 2 (IPv4 only) or 3. rfc3768 §5.3.1, rfc5798 §5.2.1.
  const version = first >> 4;
  if (version !== 3 && !(version === 2 && ip.family === 'ipv4')) return fail('version');
  // Type: only ADVERTISEMENT. rfc3768 §5.3.2, rfc5798 §5.2.2.
  if ((first & 0x0f) !== VRRP_TYPE_ADVERTISEMENT) return fail('invalid-type');
  // Count IPvX Addr decides the length; the message must be exactly that long. rfc3768 §7.1, rfc5798 §7.1.
  const count = view.getUint8(3);
  if (bytes.length !== advertLength(version, ip.family, count)) return fail('packet-len');
  // Checksum. rfc3768 §5.3.8, rfc5798 §5.2.8 (+ keepalived v3_checksum_as_v2).
  const checksumMode = checksumModeThatVerifies(bytes, version, ip, options.checksumAsV2 === true);
  if (!checksumMode) return fail('checksum');
  const priority = view.getUint8(2);
  const addressLength = ip.family === 'ipv4' ? IPV4_ADDRESS_LENGTH : IPV6_ADDRESS_LENGTH;
  const addresses: string[] = [];
  for (let i = 0; i < count; i++) {
    const at = VRRP_HEADER_LENGTH + i * addressLength;
    addresses.push(ip.family === 'ipv4' ? formatIpv4(bytes, at) : formatIpv6(bytes, at));
  }
  const common = { vrid: view.getUint8(1), priority, addresses };
  let advert: VrrpAdvert;
  if (version === 2) {
    const authAt = VRRP_HEADER_LENGTH + count * addressLength;
    advert = {
      ...common,
      version: 2,
      authType: view.getUint8(4),
      advertIntervalSec: view.getUint8(5),
      authData: bytes.slice(authAt, authAt + VRRP_V2_AUTH_DATA_LENGTH),
    };
  } else {
    // The 4 reserved bits are ignored on receipt. rfc5798 §5.2.6.
    const maxAdvertIntervalCs = view.getUint16(4) & VRRP_V3_MAX_ADVER_INT_CS;
    // A zero interval would give a zero master-down timer; no sender means it.
    if (maxAdvertIntervalCs === 0) return fail('advert-interval');
    advert = { ...common, version: 3, maxAdvertIntervalCs };
  }
  return { ok: true, packet: { advert, ip, checksum: view.getUint16(6), checksumMode } };
}

function checksumModeThatVerifies(
  bytes: Uint8Array,
  version: number,
  ip: IpHeaderInfo,
  asV2: boolean,
): ReceivedAdvert['checksumMode'] | undefined {
  if (version === 2) return vrrpChecksum(bytes, 'v2', ip) === 0 ? 'v2' : undefined;
  if (vrrpChecksum(bytes, 'pseudo-header', ip) === 0) return 'pseudo-header';
  if (asV2 && ip.family === 'ipv4' && vrrpChecksum(bytes, 'as-v2', ip) === 0) return 'as-v2';
  return undefined;
}
