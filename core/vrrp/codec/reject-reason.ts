/**
 * Why a received packet was discarded. Every reason is counted in the instance (or router) statistics;
 * nothing here throws. The stat names are keepalived's (`keepalived --json`, vrrp_json.c) plus the RFC 6527
 * MIB counters keepalived keeps for SNMP.
 */
export type RejectReason =
  /** IP protocol is not 112. */
  | 'ip-protocol'
  /** TTL / Hop Limit not 255 (or outside a unicast peer's min/max_ttl). rfc3768 §7.1, rfc5798 §7.1. */
  | 'ip-ttl'
  /** Shorter or longer than the header, the address list and (v2) auth data imply. rfc3768 §7.1, rfc5798 §7.1. */
  | 'packet-len'
  /** Version field is not 2 or 3, or not the version the instance runs. rfc3768 §7.1, rfc5798 §7.1. */
  | 'version'
  /** Type is not ADVERTISEMENT. rfc3768 §5.3.2, rfc5798 §5.2.2. */
  | 'invalid-type'
  /** Checksum does not verify. rfc3768 §7.1, rfc5798 §7.1. */
  | 'checksum'
  /** No instance with this VRID (and address family) on the interface. rfc3768 §7.1, rfc5798 §7.1. */
  | 'unknown-vrid'
  /** v2 Auth Type unknown (> 2). */
  | 'invalid-authtype'
  /** v2 Auth Type differs from the configured one. rfc3768 §7.1. */
  | 'authtype-mismatch'
  /** v2 PASS password differs. RFC 2338 §7.1. */
  | 'auth-failure'
  /** v2 Adver Int differs from ours (rfc3768 §7.1), or a v3 Max Adver Int of zero. */
  | 'advert-interval'
  /** Unicast source not in the peer list while `check_unicast_src` is on. */
  | 'unicast-src';

/** Counters an instance keeps; names as keepalived dumps them. */
export interface VrrpStats {
  advert_rcvd: number;
  advert_sent: number;
  become_master: number;
  release_master: number;
  packet_len_err: number;
  advert_interval_err: number;
  ip_ttl_err: number;
  invalid_type_rcvd: number;
  addr_list_err: number;
  invalid_authtype: number;
  authtype_mismatch: number;
  auth_failure: number;
  pri_zero_rcvd: number;
  pri_zero_sent: number;
  /** RFC 6527 vrrpv3StatisticsRcvdInvalidChecksum-like counters. */
  checksum_err: number;
  version_err: number;
  vrid_err: number;
  protocol_err: number;
  unicast_src_err: number;
}

export const zeroStats = (): VrrpStats => ({
  advert_rcvd: 0,
  advert_sent: 0,
  become_master: 0,
  release_master: 0,
  packet_len_err: 0,
  advert_interval_err: 0,
  ip_ttl_err: 0,
  invalid_type_rcvd: 0,
  addr_list_err: 0,
  invalid_authtype: 0,
  authtype_mismatch: 0,
  auth_failure: 0,
  pri_zero_rcvd: 0,
  pri_zero_sent: 0,
  checksum_err: 0,
  version_err: 0,
  vrid_err: 0,
  protocol_err: 0,
  unicast_src_err: 0,
});

/** The counter each reject reason increments. */
export const rejectStat: { readonly [R in RejectReason]: keyof VrrpStats } = {
  'ip-protocol': 'protocol_err',
  'ip-ttl': 'ip_ttl_err',
  'packet-len': 'packet_len_err',
  version: 'version_err',
  'invalid-type': 'invalid_type_rcvd',
  checksum: 'checksum_err',
  'unknown-vrid': 'vrid_err',
  'invalid-authtype': 'invalid_authtype',
  'authtype-mismatch': 'authtype_mismatch',
  'auth-failure': 'auth_failure',
  'advert-interval': 'advert_interval_err',
  'unicast-src': 'unicast_src_err',
};

/** A copy of `stats` with `key` incremented. */
export function bump(stats: VrrpStats, key: keyof VrrpStats, by = 1): VrrpStats {
  return { ...stats, [key]: stats[key] + by };
}
