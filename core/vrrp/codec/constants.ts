/**
 * Protocol constants of VRRP, each tagged with the RFC section that defines it.
 *
 * - RFC 3768: VRRP version 2 (IPv4 only).
 * - RFC 5798: VRRP version 3 (IPv4 and IPv6), obsoleted by RFC 9568 with the same wire format.
 */

/** IP protocol number of VRRP, in the IPv4 Protocol / IPv6 Next Header field. rfc3768 §5.2.4, rfc5798 §5.1.1.3. */
export const VRRP_IP_PROTOCOL = 112;

/** TTL (IPv4) / Hop Limit (IPv6) every VRRP packet is sent with and must arrive with. rfc3768 §5.2.3, rfc5798 §5.1.1.3. */
export const VRRP_TTL = 255;

/** IPv4 multicast group for adverts. rfc3768 §5.2.2, rfc5798 §5.1.1.2. */
export const VRRP_MCAST_GROUP_V4 = '224.0.0.18';

/** IPv6 multicast group for adverts. rfc5798 §5.1.2.2. */
export const VRRP_MCAST_GROUP_V6 = 'ff02::12';

/** Version field values. rfc3768 §5.3.1, rfc5798 §5.2.1. */
export const VRRP_VERSION_2 = 2;
export const VRRP_VERSION_3 = 3;

/** Type field: the only defined type is ADVERTISEMENT; unknown types are discarded. rfc3768 §5.3.2, rfc5798 §5.2.2. */
export const VRRP_TYPE_ADVERTISEMENT = 1;

/** Priority of the router that owns the virtual addresses. rfc3768 §5.3.4, rfc5798 §5.2.4. */
export const VRRP_PRIORITY_OWNER = 255;

/** Priority a master sends when it stops being master, so backups take over after Skew_Time. rfc3768 §5.3.4, rfc5798 §5.2.4. */
export const VRRP_PRIORITY_STOP = 0;

/** Default priority of a backup router. rfc3768 §5.3.4, rfc5798 §5.2.4. */
export const VRRP_PRIORITY_DEFAULT = 100;

/**
 * Auth Type field of VRRPv2. rfc3768 §5.3.6 keeps 1 and 2 reserved for compatibility with RFC 2338, which
 * defined them as Simple Text Password and IP Authentication Header; keepalived still sends type 1 (PASS).
 */
export const VRRP_AUTH_NONE = 0;
export const VRRP_AUTH_PASS = 1;
export const VRRP_AUTH_AH = 2;

/** Length of the v2 Authentication Data field, always present. rfc3768 §5.3.10 (RFC 2338 §5.3.10 for PASS). */
export const VRRP_V2_AUTH_DATA_LENGTH = 8;

/** Fixed header before the address list: 8 octets in both versions. rfc3768 §5.1, rfc5798 §5.2. */
export const VRRP_HEADER_LENGTH = 8;

/** Largest v3 Max Adver Int: 12 bits of centiseconds (40.95 s). rfc5798 §5.2.7. */
export const VRRP_V3_MAX_ADVER_INT_CS = 0xfff;

/** Largest v2 Adver Int: 8 bits of seconds. rfc3768 §5.3.7. */
export const VRRP_V2_MAX_ADVER_INT_S = 0xff;

/** Octets per address in the address list. rfc5798 §5.2.9. */
export const IPV4_ADDRESS_LENGTH = 4;
export const IPV6_ADDRESS_LENGTH = 16;
