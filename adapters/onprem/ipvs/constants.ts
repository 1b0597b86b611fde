/**
 * IPVS generic-netlink constants, from the kernel's include/uapi/linux/ip_vs.h and
 * net/netfilter/ipvs/ip_vs_ctl.c (the attribute policies). Values are the kernel's ABI.
 */

/** §1: family name and version (IPVS_GENL_NAME, IPVS_GENL_VERSION). */
export const IPVS_GENL_NAME = 'IPVS';
export const IPVS_GENL_VERSION = 1;

/** §3: enum IPVS_CMD_*. */
export const IPVS_CMD = {
  NEW_SERVICE: 1,
  SET_SERVICE: 2,
  DEL_SERVICE: 3,
  GET_SERVICE: 4,
  NEW_DEST: 5,
  SET_DEST: 6,
  DEL_DEST: 7,
  GET_DEST: 8,
  NEW_DAEMON: 9,
  DEL_DAEMON: 10,
  GET_DAEMON: 11,
  SET_CONFIG: 12,
  GET_CONFIG: 13,
  SET_INFO: 14,
  GET_INFO: 15,
  ZERO: 16,
  FLUSH: 17,
} as const;

/** §4.1: top-level IPVS_CMD_ATTR_*. */
export const CMD_ATTR = {
  SERVICE: 1,
  DEST: 2,
  DAEMON: 3,
  TIMEOUT_TCP: 4,
  TIMEOUT_TCP_FIN: 5,
  TIMEOUT_UDP: 6,
} as const;

/** §4.2: IPVS_SVC_ATTR_*. */
export const SVC_ATTR = {
  AF: 1,
  PROTOCOL: 2,
  ADDR: 3,
  PORT: 4,
  FWMARK: 5,
  SCHED_NAME: 6,
  FLAGS: 7,
  TIMEOUT: 8,
  NETMASK: 9,
  STATS: 10,
  PE_NAME: 11,
  STATS64: 12,
} as const;

/** §4.3: IPVS_DEST_ATTR_*. */
export const DEST_ATTR = {
  ADDR: 1,
  PORT: 2,
  FWD_METHOD: 3,
  WEIGHT: 4,
  U_THRESH: 5,
  L_THRESH: 6,
  ACTIVE_CONNS: 7,
  INACT_CONNS: 8,
  PERSIST_CONNS: 9,
  STATS: 10,
  ADDR_FAMILY: 11,
  STATS64: 12,
  TUN_TYPE: 13,
  TUN_PORT: 14,
  TUN_FLAGS: 15,
} as const;

/** §4.5: IPVS_STATS_ATTR_*. */
export const STATS_ATTR = { CONNS: 1, INPKTS: 2, OUTPKTS: 3, INBYTES: 4, OUTBYTES: 5 } as const;
/** §4.5: IPVS_INFO_ATTR_*. */
export const INFO_ATTR = { VERSION: 1, CONN_TAB_SIZE: 2 } as const;

/** §5: service flags (IP_VS_SVC_F_*). */
export const SVC_F = {
  PERSISTENT: 0x1,
  HASHED: 0x2,
  ONEPACKET: 0x4,
  SCHED1: 0x8,
  SCHED2: 0x10,
  SCHED3: 0x20,
} as const;

/** §5: forwarding methods (IP_VS_CONN_F_*), masked with IP_VS_CONN_F_FWD_MASK. */
export const FWD = { MASQ: 0, LOCALNODE: 1, TUNNEL: 2, DROUTE: 3 } as const;
export const FWD_MASK = 0x7;

/** §4.3: tunnel type and checksum flags. */
export const TUN_TYPE = { ipip: 0, gue: 1, gre: 2 } as const;
export const TUN_FLAGS = { nocsum: 0, csum: 1, remcsum: 2 } as const;

/** linux/socket.h and linux/in.h numbers carried in SVC_ATTR_AF / PROTOCOL. */
export const AF_INET = 2;
export const AF_INET6 = 10;
export const PROTO = { tcp: 6, udp: 17, sctp: 132 } as const;

/** §1 / §5: IP_VS_VERSION_CODE 1.2.1, and the 16-byte union nf_inet_addr. */
export const IP_VS_VERSION_CODE = 0x010201;
export const INET_ADDR_LEN = 16;

/** §3: every scheduler the kernel ships (ip_vs_*.ko). */
export const IPVS_SCHEDULERS = [
  'rr',
  'wrr',
  'lc',
  'wlc',
  'lblc',
  'lblcr',
  'dh',
  'sh',
  'sed',
  'nq',
  'fo',
  'ovf',
  'mh',
  'twos',
] as const;
