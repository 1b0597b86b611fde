/**
 * Announcer: gratuitous ARP for IPv4 VIPs and unsolicited neighbour advertisements for IPv6 VIPs, so the
 * segment's caches follow the VIP to this director.
 *
 * GARP (rfc5227 §3 "ARP Announcement", rfc826 packet): an ARP request broadcast to ff:ff:ff:ff:ff:ff with
 * sender = target = VIP and sender hardware = our MAC, sent on an AF_PACKET datagram socket.
 * NA (rfc4861 §4.4, §7.2.6): ICMPv6 type 136, Override flag set, Solicited clear, target = VIP, option 2
 * (target link-layer address) = our MAC, to ff02::1 with hop limit 255; the kernel fills the checksum.
 */
import { readFileSync } from 'node:fs';
import type { Announcer } from '../../core/ports/index.ts';
import { linux } from './native/index.ts';
import { NativeSocket, interfaceIndex } from './native/socket.ts';
import { parseIp } from './net/ip-address.ts';
import { cmsg, sockaddrIn6, sockaddrLl } from './net/sockaddr.ts';

const BROADCAST_MAC = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
/** rfc4291 §2.7.1: all-nodes link-local multicast group. */
const ALL_NODES = parseIp('ff02::1');
/** rfc4861 §4.4: Neighbor Advertisement. */
const ICMPV6_NEIGHBOR_ADVERT = 136;
/** rfc4861 §4.4: Override flag (bit 2 of the flags byte: R=0x80, S=0x40, O=0x20). */
const NA_FLAG_OVERRIDE = 0x20;
/** rfc4861 §4.6.1: Target Link-Layer Address option. */
const ND_OPT_TARGET_LLADDR = 2;

/** The MAC address of an interface (from sysfs of the current network namespace). */
export function interfaceMac(interfaceName: string): Uint8Array {
  const text = readFileSync(`/sys/class/net/${interfaceName}/address`, 'utf8').trim();
  const bytes = text.split(':').map((h) => parseInt(h, 16));
  if (bytes.length !== 6 || bytes.some((b) => !Number.isInteger(b)))
    throw new Error(`interface ${interfaceName} has no Ethernet address (${text})`);
  return new Uint8Array(bytes);
}

/** rfc826 ARP request announcing `vip` at `mac` (28 bytes). */
export function garpPacket(mac: Uint8Array, vip: Uint8Array): Uint8Array {
  const p = new Uint8Array(28);
  const v = new DataView(p.buffer);
  v.setUint16(0, 1); // hardware type: Ethernet
  v.setUint16(2, linux.ETH_P_IP); // protocol type: IPv4
  p[4] = 6;
  p[5] = 4;
  v.setUint16(6, 1); // operation: request
  p.set(mac, 8); // sender hardware address
  p.set(vip, 14); // sender protocol address
  p.set(BROADCAST_MAC, 18); // target hardware address (as keepalived sends it)
  p.set(vip, 24); // target protocol address = sender: gratuitous
  return p;
}

/** rfc4861 §4.4 unsolicited NA for `vip` at `mac` (32 bytes, checksum left 0 for the kernel). */
export function naPacket(mac: Uint8Array, vip: Uint8Array): Uint8Array {
  const p = new Uint8Array(32);
  p[0] = ICMPV6_NEIGHBOR_ADVERT;
  p[4] = NA_FLAG_OVERRIDE;
  p.set(vip, 8);
  p[24] = ND_OPT_TARGET_LLADDR;
  p[25] = 1; // option length in units of 8 bytes
  p.set(mac, 26);
  return p;
}

export function openAnnouncer(): Announcer {
  let arp: NativeSocket | undefined;
  let icmp6: NativeSocket | undefined;
  const macs = new Map<string, Uint8Array>();
  const macOf = (name: string) => {
    let m = macs.get(name);
    if (!m) macs.set(name, (m = interfaceMac(name)));
    return m;
  };
  const open = (domain: number, type: number, proto: number, what: string) => {
    try {
      return NativeSocket.open(domain, type, proto);
    } catch (e) {
      if ((e as { code?: string }).code === 'EPERM')
        throw new Error(`cannot open the ${what} socket: CAP_NET_RAW is missing`, { cause: e });
      throw e;
    }
  };
  return {
    async announce(interfaceName, address) {
      const vip = parseIp(address);
      const ifIndex = interfaceIndex(interfaceName);
      const mac = macOf(interfaceName);
      if (vip.length === 4) {
        arp ??= open(linux.AF_PACKET, linux.SOCK_DGRAM, 0, 'gratuitous ARP');
        arp.send(garpPacket(mac, vip), sockaddrLl(ifIndex, linux.ETH_P_ARP, BROADCAST_MAC));
        return;
      }
      if (!icmp6) {
        icmp6 = open(linux.AF_INET6, linux.SOCK_RAW, linux.IPPROTO_ICMPV6, 'neighbour advertisement');
        icmp6.setInt(linux.IPPROTO_IPV6, linux.IPV6_MULTICAST_HOPS, 255);
        icmp6.setInt(linux.IPPROTO_IPV6, linux.IPV6_MULTICAST_LOOP, 0);
      }
      const info = new Uint8Array(20);
      info.set(vip, 0);
      new DataView(info.buffer).setUint32(16, ifIndex, true);
      icmp6.send(
        naPacket(mac, vip),
        sockaddrIn6(ALL_NODES, ifIndex),
        cmsg(linux.IPPROTO_IPV6, linux.IPV6_PKTINFO, info),
      );
    },
    close() {
      arp?.close();
      icmp6?.close();
      arp = icmp6 = undefined;
    },
  };
}
