/**
 * Typed face of the floatip_sock addon (src/sock.c): raw, non-blocking socket syscalls for the on-prem
 * adapters (raw IP for VRRP, AF_PACKET for gratuitous ARP, AF_NETLINK for rtnetlink and generic netlink).
 * Every structure is built in TypeScript (see sockaddr.ts); the addon only moves bytes.
 */
import { createRequire } from 'node:module';

interface Addon {
  socket(domain: number, type: number, protocol: number): number;
  setsockopt(fd: number, level: number, name: number, value: Uint8Array): void;
  getsockopt(fd: number, level: number, name: number, size: number): Uint8Array;
  bind(fd: number, sockaddr: Uint8Array): void;
  sendmsg(fd: number, data: Uint8Array, sockaddr: Uint8Array | null, control: Uint8Array | null): number;
  recvmsg(fd: number, maxData: number, maxControl: number): ReceivedMessage | null;
  close(fd: number): void;
  /** callback(status) when readable; callback(0, message) for a datagram read while absorbing. */
  pollStart(fd: number, callback: (status: number, message?: ReceivedMessage) => void): object;
  /** Copies of `template` counted without JavaScript (src/sock.c); progress: [copies, lastAfterMs]. */
  absorbStart(poll: object, template: Uint8Array, deadlineMs: number, onDeadline: () => void): void;
  absorbProgress(poll: object): Float64Array;
  absorbStop(poll: object): Float64Array;
  pollStop(handle: object): void;
  ifNameToIndex(name: string): number;
  /** glibc's malloc_trim(0): free C heap back to the kernel; whether any was (false without glibc). */
  mallocTrim(): boolean;
  /**
   * Batched TCP_CHECK connects (src/tcp-check.c): `results` holds [token, errno, elapsedMs] triples,
   * errno 0 = connected, elapsedMs from the connect() call to the result.
   */
  tcpCheckOpen(callback: (results: Int32Array) => void): object;
  tcpCheckConnect(handle: object, token: number, fd: number, peer: Uint8Array, timeoutMs: number): void;
  /** A chain: connects every `everyMs` after the last ended while they succeed; reports the first failure. */
  tcpCheckRepeat(handle: object, token: number, peer: Uint8Array, timeoutMs: number, everyMs: number): number;
  tcpCheckCancel(handle: object, id: number, token: number): void;
  tcpCheckClose(handle: object): void;
  tcpCheckPending(handle: object): number;
  /** Successful connects of chains so far (not reported one by one). */
  tcpCheckQuiet(handle: object): number;
  /** The most a chain's connect started past its due time since the last call, ms. */
  tcpCheckLag(handle: object): number;
  /** One datagram resent by a thread of the addon (src/repeat.c); progress: [sent, lastAfterMs, failed]. */
  repeatStart(
    fd: number,
    data: Uint8Array,
    sockaddr: Uint8Array,
    firstInMs: number,
    intervalMs: number,
  ): object;
  repeatProgress(handle: object): Float64Array;
  repeatStop(handle: object): Float64Array;
}

/** One datagram as recvmsg(2) returned it. */
export interface ReceivedMessage {
  data: Uint8Array;
  /** The sender's raw sockaddr bytes. */
  addr: Uint8Array;
  /** Raw ancillary data (cmsghdr records). */
  control: Uint8Array;
  flags: number;
}

/** Error thrown by the addon: `code` is the errno name (EPERM, ENODEV, EADDRNOTAVAIL, ...). */
export interface SyscallError extends Error {
  code: string;
}

let loaded: Addon | undefined;

/** Loads the addon once; throws a clear message when `npm ci` did not build it. */
export function addon(): Addon {
  if (loaded) return loaded;
  const require = createRequire(import.meta.url);
  try {
    loaded = require('@floatip/onprem-native') as Addon;
  } catch (cause) {
    throw new Error(
      'floatip native socket addon is not built: run `npm ci` (needs gcc, make, python3 and Node headers) ' +
        `(${(cause as Error).message})`,
      { cause },
    );
  }
  return loaded;
}

/** Linux constants (x86-64 / aarch64 share these values). */
export const linux = {
  AF_INET: 2,
  AF_INET6: 10,
  AF_PACKET: 17,
  AF_NETLINK: 16,
  SOCK_STREAM: 1,
  SOCK_DGRAM: 2,
  SOCK_RAW: 3,
  SOL_SOCKET: 1,
  SO_RCVBUF: 8,
  SO_SNDBUF: 7,
  SO_BINDTODEVICE: 25,
  SO_REUSEADDR: 2,
  IPPROTO_IP: 0,
  IPPROTO_IPV6: 41,
  IPPROTO_ICMPV6: 58,
  /** rfc3768 §5.1 / rfc5798 §5.1.1.4: VRRP's IP protocol number. */
  IPPROTO_VRRP: 112,
  /** rfc2402: IPsec Authentication Header (keepalived `auth_type AH` adverts). */
  IPPROTO_AH: 51,
  IP_TTL: 2,
  IP_HDRINCL: 3,
  IP_PKTINFO: 8,
  IP_MULTICAST_IF: 32,
  IP_MULTICAST_TTL: 33,
  IP_MULTICAST_LOOP: 34,
  IP_ADD_MEMBERSHIP: 35,
  IP_DROP_MEMBERSHIP: 36,
  IPV6_UNICAST_HOPS: 16,
  IPV6_MULTICAST_IF: 17,
  IPV6_MULTICAST_HOPS: 18,
  IPV6_MULTICAST_LOOP: 19,
  IPV6_ADD_MEMBERSHIP: 20,
  IPV6_DROP_MEMBERSHIP: 21,
  IPV6_CHECKSUM: 7,
  IPV6_RECVPKTINFO: 49,
  IPV6_PKTINFO: 50,
  IPV6_RECVHOPLIMIT: 51,
  IPV6_HOPLIMIT: 52,
  IPV6_TCLASS: 67,
  ICMP6_FILTER: 1,
  ETH_P_ARP: 0x0806,
  ETH_P_IPV6: 0x86dd,
  ETH_P_IP: 0x0800,
  NETLINK_ROUTE: 0,
  NETLINK_GENERIC: 16,
  SOL_NETLINK: 270,
  NETLINK_ADD_MEMBERSHIP: 1,
  NETLINK_EXT_ACK: 11,
  MSG_TRUNC: 0x20,
} as const;

/** A 4-byte host-order int, the usual setsockopt value. */
export function intOpt(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setInt32(0, value, true);
  return out;
}
