/**
 * BfdTransport over UDP (rfc5881 single-hop, rfc5883 multihop) on the native addon, because the receive
 * side must see each datagram's TTL / hop limit (rfc5881 §5: single-hop packets arrive with 255) and Node's
 * dgram reports no ancillary data. One listening socket per (family, port) in use, on the wildcard address,
 * with IP_RECVTTL + IP_PKTINFO (IPv4) or IPV6_RECVHOPLIMIT + IPV6_RECVPKTINFO (IPv6). One sending socket per
 * session, bound to source_ip (if set) and a random source port in 49152-65535 (rfc5881 §4), with the
 * configured TTL / hop limit.
 */
import type { BfdEndpoint, BfdReceived, BfdTransport } from '../../core/ports/index.ts';
import { linux } from './native/index.ts';
import { NativeSocket } from './native/socket.ts';
import { familyOf, formatIp, parseIp } from './net/ip-address.ts';
import { decodeSockaddr, parseCmsgs, sockaddrIn, sockaddrIn6 } from './net/sockaddr.ts';

const IPPROTO_UDP = 17;
/** linux/in.h: IP_RECVTTL asks for an IP_TTL record on every received datagram. */
const IP_RECVTTL = 12;
const IPV6_V6ONLY = 26;
/** rfc5881 §4 / rfc5883 §5 listening ports. */
const SINGLE_HOP_PORT = 3784;
const MULTIHOP_PORT = 4784;
const SOURCE_PORT_MIN = 49152;
const SOURCE_PORT_SPAN = 65536 - SOURCE_PORT_MIN;

export interface BfdSocketOptions {
  /** Source ports are picked at random in 49152-65535; tests may pass their own picker. */
  pickPort?: () => number;
}

function openUdp(family: 4 | 6): NativeSocket {
  return NativeSocket.open(family === 4 ? linux.AF_INET : linux.AF_INET6, linux.SOCK_DGRAM, IPPROTO_UDP);
}

function sockaddr(address: Uint8Array, port: number): Uint8Array {
  return address.length === 4 ? sockaddrIn(address, port) : sockaddrIn6(address, 0, port);
}

function listen(family: 4 | 6, port: number): NativeSocket {
  const sock = openUdp(family);
  try {
    sock.setInt(linux.SOL_SOCKET, linux.SO_REUSEADDR, 1);
    if (family === 4) {
      sock.setInt(linux.IPPROTO_IP, IP_RECVTTL, 1);
      sock.setInt(linux.IPPROTO_IP, linux.IP_PKTINFO, 1);
      sock.bind(sockaddrIn(new Uint8Array(4), port));
    } else {
      sock.setInt(linux.IPPROTO_IPV6, IPV6_V6ONLY, 1);
      sock.setInt(linux.IPPROTO_IPV6, linux.IPV6_RECVHOPLIMIT, 1);
      sock.setInt(linux.IPPROTO_IPV6, linux.IPV6_RECVPKTINFO, 1);
      sock.bind(sockaddrIn6(new Uint8Array(16), 0, port));
    }
  } catch (e) {
    sock.close();
    throw new Error(`cannot listen for BFD on UDP port ${port} (IPv${family}): ${(e as Error).message}`, {
      cause: e,
    });
  }
  return sock;
}

/** TTL / hop limit and local address from the ancillary records of one datagram. */
export function readBfdAncillary(control: Uint8Array): { ttl: number | undefined; to: string | undefined } {
  let ttl: number | undefined;
  let to: string | undefined;
  for (const c of parseCmsgs(control)) {
    const v = new DataView(c.data.buffer, c.data.byteOffset, c.data.byteLength);
    if (c.level === linux.IPPROTO_IP && c.type === linux.IP_TTL && c.data.length >= 4)
      ttl = v.getInt32(0, true);
    else if (c.level === linux.IPPROTO_IP && c.type === linux.IP_PKTINFO && c.data.length >= 12)
      to = formatIp(c.data.slice(8, 12)); // struct in_pktinfo: ifindex, spec_dst, addr (the header's dst)
    else if (c.level === linux.IPPROTO_IPV6 && c.type === linux.IPV6_HOPLIMIT && c.data.length >= 4)
      ttl = v.getInt32(0, true);
    else if (c.level === linux.IPPROTO_IPV6 && c.type === linux.IPV6_PKTINFO && c.data.length >= 16)
      to = formatIp(c.data.slice(0, 16));
  }
  return { ttl, to };
}

function openSender(e: BfdEndpoint, pickPort: () => number): { sock: NativeSocket; to: Uint8Array } {
  const family = familyOf(e.neighbor);
  const sock = openUdp(family);
  try {
    if (family === 4) sock.setInt(linux.IPPROTO_IP, linux.IP_TTL, e.ttl);
    else sock.setInt(linux.IPPROTO_IPV6, linux.IPV6_UNICAST_HOPS, e.ttl);
    const src = e.source !== undefined ? parseIp(e.source) : new Uint8Array(family === 4 ? 4 : 16);
    if (src.length !== (family === 4 ? 4 : 16))
      throw new Error(`source_ip ${e.source} is not of neighbor_ip ${e.neighbor}'s family`);
    for (let attempt = 0; ; attempt++) {
      try {
        sock.bind(sockaddr(src, pickPort()));
        break;
      } catch (err) {
        if ((err as { code?: string }).code !== 'EADDRINUSE' || attempt >= 64) throw err;
      }
    }
  } catch (err) {
    sock.close();
    throw new Error(`bfd_instance ${e.name}: cannot open its sending socket: ${(err as Error).message}`, {
      cause: err,
    });
  }
  return { sock, to: sockaddr(parseIp(e.neighbor), e.multihop ? MULTIHOP_PORT : SINGLE_HOP_PORT) };
}

/** Opens the listening and sending sockets of every session; errors name the session or port. */
export function openBfdTransport(
  endpoints: readonly BfdEndpoint[],
  options: BfdSocketOptions = {},
): BfdTransport {
  const pickPort = options.pickPort ?? (() => SOURCE_PORT_MIN + Math.floor(Math.random() * SOURCE_PORT_SPAN));
  const listeners: { sock: NativeSocket; port: number }[] = [];
  const senders = new Map<string, { sock: NativeSocket; to: Uint8Array }>();
  const closeAll = () => {
    for (const l of listeners) l.sock.close();
    for (const s of senders.values()) s.sock.close();
  };
  try {
    const wanted = new Set<string>();
    for (const e of endpoints) {
      const family = familyOf(e.neighbor);
      const port = e.multihop ? MULTIHOP_PORT : SINGLE_HOP_PORT;
      const key = `${family}/${port}`;
      if (!wanted.has(key)) {
        wanted.add(key);
        listeners.push({ sock: listen(family, port), port });
      }
      senders.set(e.name, openSender(e, pickPort));
    }
  } catch (e) {
    closeAll();
    throw e;
  }
  let closed = false;
  return {
    send(name, payload) {
      const s = senders.get(name);
      if (!s || closed) return false;
      try {
        return s.sock.send(payload, s.to);
      } catch {
        return false; // unreachable neighbour (ICMP errors come back as ECONNREFUSED etc.): the FSM times out
      }
    },
    onReceive(handler: (d: BfdReceived) => void) {
      for (const l of listeners)
        l.sock.onMessage(
          { maxData: 512, maxControl: 256 },
          (m) => {
            const from = decodeSockaddr(m.addr);
            if (!from) return;
            const { ttl, to } = readBfdAncillary(m.control);
            handler({
              payload: m.data,
              from: from.address,
              ...(to !== undefined ? { to } : {}),
              port: l.port,
              ttl,
            });
          },
          () => undefined,
        );
    },
    close() {
      if (closed) return;
      closed = true;
      closeAll();
    },
  };
}
