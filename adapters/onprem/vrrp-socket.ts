/**
 * PacketIo over raw IP sockets for protocol 112 (rfc3768 §5, rfc5798 §5).
 *
 * IPv4: IP_HDRINCL, so we write the IP header ourselves (source = unicast_src_ip / mcast_src_ip / primary
 * address, TTL 255, TOS 0xc0 "internetwork control" as keepalived sends) and read the received header to
 * report its TTL and addresses. IPv6: the kernel builds the header; hop limit 255 is set on the socket, the
 * source address goes in an IPV6_PKTINFO record, and the received hop limit and destination come back as
 * IPV6_HOPLIMIT / IPV6_PKTINFO ancillary data. The VRRP checksum is the core codec's job, not the kernel's.
 */
import type {
  AbsorbingAdverts,
  OutgoingAdvert,
  PacketIo,
  ReceivedAdvert,
  RepeatingAdvert,
} from '../../core/ports/index.ts';
import { linux } from './native/index.ts';
import { NativeSocket, interfaceIndex } from './native/socket.ts';
import { formatIp, parseIp } from './net/ip-address.ts';
import {
  cmsg,
  decodeSockaddr,
  ipMreqn,
  ipv6Mreq,
  parseCmsgs,
  sockaddrIn,
  sockaddrIn6,
} from './net/sockaddr.ts';

/** rfc3768 §5.2.2 / rfc5798 §5.1.1.2: the VRRP IPv4 multicast group. */
export const VRRP_GROUP_V4 = '224.0.0.18';
/** rfc5798 §5.1.2.2: the VRRP IPv6 multicast group. */
export const VRRP_GROUP_V6 = 'ff02::12';
/** rfc5798 §5.1.1.3: adverts are sent with TTL / hop limit 255. */
export const VRRP_TTL = 255;

export interface VrrpSocketOptions {
  family: 4 | 6;
  /** Interface to send on, receive from (SO_BINDTODEVICE) and join the group on. */
  interfaceName: string;
  /** Source address stamped on sent adverts. */
  sourceAddress: string;
  /** Multicast group to join; omit for unicast-only instances. */
  group?: string;
  /**
   * IPv4: also receive protocol 51 (VRRPv2 inside an IPsec AH, keepalived `auth_type AH`) on a second raw
   * socket; those arrive with `protocol: 51`, the AH + VRRP as payload and the IP header as `ipHeader`.
   */
  ah?: boolean;
}

/** Opens a raw VRRP socket; errors name the missing capability or interface. */
export function openVrrpSocket(options: VrrpSocketOptions): PacketIo {
  const ifIndex = interfaceIndex(options.interfaceName);
  const src = parseIp(options.sourceAddress);
  if ((src.length === 4) !== (options.family === 4))
    throw new Error(`source address ${options.sourceAddress} is not IPv${options.family}`);
  const sock = openRaw(options, linux.IPPROTO_VRRP);
  let ahSock: NativeSocket | undefined;
  if (options.ah && options.family === 4) {
    try {
      ahSock = openRaw(options, linux.IPPROTO_AH);
    } catch (e) {
      sock.close();
      throw e;
    }
  }
  return options.family === 4
    ? new Ipv4VrrpIo(sock, src, options.sourceAddress, ahSock)
    : new Ipv6VrrpIo(sock, src, ifIndex, options.sourceAddress);
}

/** One raw socket for `protocol`, bound to the interface, in the group, with the options VRRP needs. */
function openRaw(options: VrrpSocketOptions, protocol: number): NativeSocket {
  const ifIndex = interfaceIndex(options.interfaceName);
  let sock: NativeSocket;
  try {
    sock = NativeSocket.open(options.family === 4 ? linux.AF_INET : linux.AF_INET6, linux.SOCK_RAW, protocol);
  } catch (e) {
    if ((e as { code?: string }).code === 'EPERM')
      throw new Error('cannot open a raw VRRP socket: CAP_NET_RAW is missing (run as root or grant it)', {
        cause: e,
      });
    throw e;
  }
  try {
    sock.setBytes(linux.SOL_SOCKET, linux.SO_BINDTODEVICE, new TextEncoder().encode(options.interfaceName));
    if (options.family === 4) {
      sock.setInt(linux.IPPROTO_IP, linux.IP_HDRINCL, 1);
      sock.setInt(linux.IPPROTO_IP, linux.IP_MULTICAST_LOOP, 0);
      sock.setInt(linux.IPPROTO_IP, linux.IP_MULTICAST_TTL, VRRP_TTL);
      sock.setBytes(linux.IPPROTO_IP, linux.IP_MULTICAST_IF, ipMreqn(new Uint8Array(4), ifIndex));
      if (options.group)
        sock.setBytes(linux.IPPROTO_IP, linux.IP_ADD_MEMBERSHIP, ipMreqn(parseIp(options.group), ifIndex));
    } else {
      sock.setInt(linux.IPPROTO_IPV6, linux.IPV6_MULTICAST_LOOP, 0);
      sock.setInt(linux.IPPROTO_IPV6, linux.IPV6_MULTICAST_HOPS, VRRP_TTL);
      sock.setInt(linux.IPPROTO_IPV6, linux.IPV6_UNICAST_HOPS, VRRP_TTL);
      sock.setInt(linux.IPPROTO_IPV6, linux.IPV6_MULTICAST_IF, ifIndex);
      sock.setInt(linux.IPPROTO_IPV6, linux.IPV6_RECVHOPLIMIT, 1);
      sock.setInt(linux.IPPROTO_IPV6, linux.IPV6_RECVPKTINFO, 1);
      // Traffic class 0xc0 (network control), as keepalived marks its IPv6 adverts.
      sock.setInt(linux.IPPROTO_IPV6, linux.IPV6_TCLASS, 0xc0);
      if (options.group)
        sock.setBytes(
          linux.IPPROTO_IPV6,
          linux.IPV6_ADD_MEMBERSHIP,
          ipv6Mreq(parseIp(options.group), ifIndex),
        );
    }
  } catch (e) {
    sock.close();
    throw new Error(`cannot set up the VRRP socket on ${options.interfaceName}: ${(e as Error).message}`, {
      cause: e,
    });
  }
  return sock;
}

/** rfc791 §3.1 header checksum (the kernel fills it too with IP_HDRINCL, but we keep the packet honest). */
function ipv4HeaderChecksum(header: Uint8Array, length = header.length): number {
  let sum = 0;
  for (let i = 0; i < length; i += 2) sum += ((header[i] ?? 0) << 8) | (header[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** Address text <-> bytes for the few addresses a socket sees again and again (one per advert). */
class AddressCache {
  #text = new Map<number, string>();
  #bytes = new Map<string, { bytes: Uint8Array; sockaddr: Uint8Array }>();

  /** Text of 4 address bytes at `at` of `d`, without allocating once seen. */
  text(d: Uint8Array, at: number): string {
    const key =
      (((d[at] ?? 0) << 24) | ((d[at + 1] ?? 0) << 16) | ((d[at + 2] ?? 0) << 8) | (d[at + 3] ?? 0)) >>> 0;
    let t = this.#text.get(key);
    if (t === undefined) {
      if (this.#text.size >= 256) this.#text.clear();
      t = formatIp(d.subarray(at, at + 4));
      this.#text.set(key, t);
    }
    return t;
  }

  /**
   * Bytes and sockaddr of an address, parsed once. Both live in ArrayBuffers of their own (off the V8 heap),
   * so handing them to the native send does not copy them out of the heap on every call.
   */
  parsed(address: string): { bytes: Uint8Array; sockaddr: Uint8Array } {
    let p = this.#bytes.get(address);
    if (p === undefined) {
      if (this.#bytes.size >= 256) this.#bytes.clear();
      const bytes = parseIp(address);
      p = { bytes, sockaddr: offHeap(sockaddrIn(bytes)) };
      this.#bytes.set(address, p);
    }
    return p;
  }
}

/** A copy of `b` in an ArrayBuffer of its own: small typed arrays V8 keeps on its heap are moved per native call. */
function offHeap(b: Uint8Array): Uint8Array {
  const out = new Uint8Array(new ArrayBuffer(b.length));
  out.set(b);
  return out;
}

/** Largest advert payload: rfc5798 §5.2 header (8) + 255 IPv4 addresses. */
const MAX_PAYLOAD = 8 + 255 * 4;

class Ipv4VrrpIo implements PacketIo {
  readonly sourceAddress: string;
  #sock: NativeSocket;
  #ahSock: NativeSocket | undefined;
  #src: Uint8Array;
  #id = 0;
  #handler: ((a: ReceivedAdvert) => void) | undefined;
  #addresses = new AddressCache();
  /** One send buffer, reused (send is synchronous); a view per packet length, kept for the next send. */
  #buffer = new ArrayBuffer(20 + MAX_PAYLOAD);
  #packet = new Uint8Array(this.#buffer, 0, 20);
  #view = new DataView(this.#buffer);
  /** The last advert handed to the receiver and the datagram it came in (what absorb() can count). */
  #last: { advert: ReceivedAdvert; datagram: Uint8Array } | undefined;

  constructor(sock: NativeSocket, src: Uint8Array, sourceText: string, ahSock?: NativeSocket) {
    this.#sock = sock;
    this.#ahSock = ahSock;
    this.#src = src;
    this.sourceAddress = sourceText;
    sock.onMessage({ maxData: 2048, maxControl: 0, maxPerEvent: 1 }, (m) => this.#received(m.data, false));
    ahSock?.onMessage({ maxData: 2048, maxControl: 0, maxPerEvent: 1 }, (m) => this.#received(m.data, true));
  }

  #received(d: Uint8Array, ah: boolean): void {
    if (d.length < 20 || (d[0] ?? 0) >> 4 !== 4) return;
    const ihl = ((d[0] ?? 0) & 0x0f) * 4;
    const total = ((d[2] ?? 0) << 8) | (d[3] ?? 0);
    if (ihl < 20 || d.length < ihl) return;
    const advert: ReceivedAdvert = {
      family: 4,
      source: this.#addresses.text(d, 12),
      destination: this.#addresses.text(d, 16),
      ttl: d[8] ?? 0,
      // d is this message's own buffer: a view is enough.
      payload: d.subarray(ihl, Math.min(d.length, Math.max(total, ihl))),
      ...(ah ? { protocol: d[9] ?? 0, ipHeader: d.subarray(0, ihl) } : {}),
    };
    this.#last = ah ? undefined : { advert, datagram: d };
    this.#handler?.(advert);
  }

  /** Copies of the last advert received (same datagram but for the IP Identification) counted by the addon. */
  absorb(advert: ReceivedAdvert, deadlineInMs: number, onDeadline: () => void): AbsorbingAdverts | undefined {
    const last = this.#last;
    if (!last || last.advert !== advert) return undefined;
    return this.#sock.absorb(last.datagram, Math.max(1, deadlineInMs), onDeadline);
  }

  send(advert: OutgoingAdvert): boolean {
    const dst = this.#addresses.parsed(advert.destination);
    // A whole datagram (AH adverts): IP_HDRINCL sends our header as it is, any protocol.
    if (advert.ipv4Datagram) return this.#sock.send(advert.payload, dst.sockaddr);
    return this.#sock.send(this.#datagram(advert, dst.bytes), dst.sockaddr);
  }

  /** The advert with our IPv4 header before it, in the reused send buffer. */
  #datagram(advert: OutgoingAdvert, dst: Uint8Array): Uint8Array {
    const length = 20 + advert.payload.length;
    if (advert.payload.length > MAX_PAYLOAD) throw new RangeError(`advert of ${advert.payload.length} bytes`);
    if (this.#packet.length !== length) this.#packet = new Uint8Array(this.#buffer, 0, length);
    const packet = this.#packet;
    const v = this.#view;
    packet[0] = 0x45;
    packet[1] = 0xc0; // rfc791 precedence 110: internetwork control, as keepalived marks adverts
    v.setUint16(2, length);
    this.#id = (this.#id + 1) & 0xffff;
    v.setUint16(4, this.#id);
    v.setUint16(6, 0); // flags, fragment offset
    packet[8] = advert.ttl ?? VRRP_TTL;
    packet[9] = linux.IPPROTO_VRRP;
    v.setUint16(10, 0);
    packet.set(advert.source ? this.#addresses.parsed(advert.source).bytes : this.#src, 12);
    packet.set(dst, 16);
    v.setUint16(10, ipv4HeaderChecksum(packet, 20));
    packet.set(advert.payload, 20);
    return packet;
  }

  /** The same datagram on the addon's timer (src/repeat.c: next IP Identification and checksum per send). */
  repeat(advert: OutgoingAdvert, firstInMs: number, intervalMs: number): RepeatingAdvert | undefined {
    if (advert.ipv4Datagram) return undefined; // AH: every advert has its own sequence number and ICV
    const dst = this.#addresses.parsed(advert.destination);
    return this.#sock.repeat(this.#datagram(advert, dst.bytes), dst.sockaddr, firstInMs, intervalMs);
  }

  onReceive(handler: (advert: ReceivedAdvert) => void): () => void {
    this.#handler = handler;
    return () => {
      if (this.#handler === handler) this.#handler = undefined;
    };
  }

  close(): void {
    this.#handler = undefined;
    this.#sock.close();
    this.#ahSock?.close();
  }
}

class Ipv6VrrpIo implements PacketIo {
  readonly sourceAddress: string;
  #sock: NativeSocket;
  #src: Uint8Array;
  #ifIndex: number;
  #handler: ((a: ReceivedAdvert) => void) | undefined;

  constructor(sock: NativeSocket, src: Uint8Array, ifIndex: number, sourceText: string) {
    this.#sock = sock;
    this.#src = src;
    this.#ifIndex = ifIndex;
    this.sourceAddress = sourceText;
    sock.onMessage({ maxData: 2048, maxControl: 256, maxPerEvent: 1 }, (m) => {
      const from = decodeSockaddr(m.addr);
      if (!from) return;
      let ttl = -1;
      let destination = '';
      for (const c of parseCmsgs(m.control)) {
        if (c.level !== linux.IPPROTO_IPV6) continue;
        if (c.type === linux.IPV6_HOPLIMIT && c.data.length >= 4)
          ttl = new DataView(c.data.buffer, c.data.byteOffset).getInt32(0, true);
        if (c.type === linux.IPV6_PKTINFO && c.data.length >= 16) destination = formatIp(c.data.slice(0, 16));
      }
      this.#handler?.({ family: 6, source: from.address, destination, ttl, payload: m.data });
    });
  }

  send(advert: OutgoingAdvert): boolean {
    const dst = parseIp(advert.destination);
    // struct in6_pktinfo { in6_addr ipi6_addr; int ipi6_ifindex; }: pins our source and interface.
    const info = new Uint8Array(20);
    info.set(advert.source ? parseIp(advert.source) : this.#src, 0);
    new DataView(info.buffer).setUint32(16, this.#ifIndex, true);
    const parts = [cmsg(linux.IPPROTO_IPV6, linux.IPV6_PKTINFO, info)];
    if (advert.ttl !== undefined && advert.ttl !== VRRP_TTL) {
      const hops = new Uint8Array(4);
      new DataView(hops.buffer).setInt32(0, advert.ttl, true);
      parts.push(cmsg(linux.IPPROTO_IPV6, linux.IPV6_HOPLIMIT, hops));
    }
    const control = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let off = 0;
    for (const p of parts) {
      control.set(p, off);
      off += p.length;
    }
    return this.#sock.send(advert.payload, sockaddrIn6(dst, this.#ifIndex), control);
  }

  onReceive(handler: (advert: ReceivedAdvert) => void): () => void {
    this.#handler = handler;
    return () => {
      if (this.#handler === handler) this.#handler = undefined;
    };
  }

  close(): void {
    this.#handler = undefined;
    this.#sock.close();
  }
}
