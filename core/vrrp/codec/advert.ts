/**
 * The VRRP advertisement as data. Field meanings and sections:
 *
 * ```
 * v2 (rfc3768 §5.1)                          v3 (rfc5798 §5.2, unchanged in rfc9568)
 * |Version| Type | VRID | Priority | Count |  |Version| Type | VRID | Priority | Count |
 * | Auth Type | Adver Int |   Checksum     |  |rsvd| Max Adver Int (cs) |   Checksum     |
 * |  IPv4 Address(es)                      |  |  IPvX Address(es)                      |
 * |  Authentication Data (8 octets)        |
 * ```
 */
import type { AhInfo } from './ah.ts';
import type { IpFamily } from './ip-address.ts';

interface AdvertCommon {
  /** Virtual Rtr ID, 1..255. rfc3768 §5.3.3, rfc5798 §5.2.3. */
  readonly vrid: number;
  /** Sender's priority: 255 owner, 1..254 backup, 0 = master stopping. rfc3768 §5.3.4, rfc5798 §5.2.4. */
  readonly priority: number;
  /** The virtual addresses, canonical text; Count IP Addrs is their number. rfc3768 §5.3.5/§5.3.9, rfc5798 §5.2.5/§5.2.9. */
  readonly addresses: readonly string[];
}

export interface VrrpV2Advert extends AdvertCommon {
  readonly version: 2;
  /** Auth Type: 0 none, 1 PASS (RFC 2338), 2 AH. rfc3768 §5.3.6. */
  readonly authType: number;
  /** Authentication Data, 8 octets; the zero-padded password for PASS, zeros otherwise. rfc3768 §5.3.10. */
  readonly authData: Uint8Array;
  /** Adver Int in whole seconds (default 1). rfc3768 §5.3.7. */
  readonly advertIntervalSec: number;
}

export interface VrrpV3Advert extends AdvertCommon {
  readonly version: 3;
  /** Max Adver Int in centiseconds, 12 bits (default 100). rfc5798 §5.2.7. */
  readonly maxAdvertIntervalCs: number;
}

export type VrrpAdvert = VrrpV2Advert | VrrpV3Advert;

/** The advert's interval in milliseconds, either version. */
export function advertIntervalMs(advert: VrrpAdvert): number {
  return advert.version === 2 ? advert.advertIntervalSec * 1000 : advert.maxAdvertIntervalCs * 10;
}

/**
 * What the adapter knows about the IP packet that carried the advert. The raw IPv4 socket hands over the
 * header; for IPv6 the hop limit comes from ancillary data (IPV6_RECVHOPLIMIT).
 */
export interface IpHeaderInfo {
  readonly family: IpFamily;
  readonly src: string;
  readonly dst: string;
  /** IPv4 TTL or IPv6 Hop Limit. */
  readonly ttl: number;
  /** IPv4 Protocol / IPv6 Next Header; checked against 112 when given. */
  readonly protocol?: number;
}

/** An advert that passed the packet-level checks, with where it came from. */
export interface ReceivedAdvert {
  readonly advert: VrrpAdvert;
  readonly ip: IpHeaderInfo;
  /** The checksum as it was on the wire. */
  readonly checksum: number;
  /** Which checksum rule it satisfied. */
  readonly checksumMode: 'v2' | 'pseudo-header' | 'as-v2';
  /** Present when the advert came inside an IPsec AH (IPv4 protocol 51): its fields and ICV/SPI verdicts. */
  readonly ah?: AhInfo;
}
