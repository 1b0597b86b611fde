/** Linux socket address structures, built as bytes for the native addon (host byte order: little endian). */
import { linux } from '../native/index.ts';
import { formatIp } from './ip-address.ts';

/** struct sockaddr_in (16 bytes). */
export function sockaddrIn(address: Uint8Array, port = 0): Uint8Array {
  const out = new Uint8Array(16);
  const v = new DataView(out.buffer);
  v.setUint16(0, linux.AF_INET, true);
  v.setUint16(2, port, false);
  out.set(address, 4);
  return out;
}

/** struct sockaddr_in6 (28 bytes); scopeId = interface index for link-local destinations. */
export function sockaddrIn6(address: Uint8Array, scopeId = 0, port = 0): Uint8Array {
  const out = new Uint8Array(28);
  const v = new DataView(out.buffer);
  v.setUint16(0, linux.AF_INET6, true);
  v.setUint16(2, port, false);
  out.set(address, 8);
  v.setUint32(24, scopeId, true);
  return out;
}

/** struct sockaddr_ll (20 bytes), for AF_PACKET sends. */
export function sockaddrLl(ifIndex: number, protocol: number, hwAddress: Uint8Array): Uint8Array {
  const out = new Uint8Array(20);
  const v = new DataView(out.buffer);
  v.setUint16(0, linux.AF_PACKET, true);
  v.setUint16(2, protocol, false);
  v.setInt32(4, ifIndex, true);
  out[11] = hwAddress.length;
  out.set(hwAddress.subarray(0, 8), 12);
  return out;
}

/** struct sockaddr_nl (12 bytes). */
export function sockaddrNl(pid = 0, groups = 0): Uint8Array {
  const out = new Uint8Array(12);
  const v = new DataView(out.buffer);
  v.setUint16(0, linux.AF_NETLINK, true);
  v.setUint32(4, pid, true);
  v.setUint32(8, groups, true);
  return out;
}

/** The sender of a received datagram, from its sockaddr_in / sockaddr_in6 / sockaddr_ll bytes. */
export function decodeSockaddr(bytes: Uint8Array): { address: string; ifIndex: number } | null {
  if (bytes.length < 2) return null;
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const family = v.getUint16(0, true);
  if (family === linux.AF_INET && bytes.length >= 8)
    return { address: formatIp(bytes.slice(4, 8)), ifIndex: 0 };
  if (family === linux.AF_INET6 && bytes.length >= 28)
    return { address: formatIp(bytes.slice(8, 24)), ifIndex: v.getUint32(24, true) };
  return null;
}

/** struct ip_mreqn (12 bytes): join `group` on interface `ifIndex`. */
export function ipMreqn(group: Uint8Array, ifIndex: number): Uint8Array {
  const out = new Uint8Array(12);
  out.set(group, 0);
  new DataView(out.buffer).setInt32(8, ifIndex, true);
  return out;
}

/** struct ipv6_mreq (20 bytes). */
export function ipv6Mreq(group: Uint8Array, ifIndex: number): Uint8Array {
  const out = new Uint8Array(20);
  out.set(group, 0);
  new DataView(out.buffer).setUint32(16, ifIndex, true);
  return out;
}

/** One ancillary-data record of a received message. */
export interface Cmsg {
  level: number;
  type: number;
  data: Uint8Array;
}

/** Splits recvmsg control bytes into records (struct cmsghdr, 64-bit: len u64, level i32, type i32). */
export function parseCmsgs(control: Uint8Array): Cmsg[] {
  const out: Cmsg[] = [];
  const v = new DataView(control.buffer, control.byteOffset, control.byteLength);
  let off = 0;
  while (off + 16 <= control.length) {
    const len = Number(v.getBigUint64(off, true));
    if (len < 16 || off + len > control.length) break;
    out.push({
      level: v.getInt32(off + 8, true),
      type: v.getInt32(off + 12, true),
      data: control.slice(off + 16, off + len),
    });
    off += (len + 7) & ~7;
  }
  return out;
}

/** Builds one cmsghdr record (64-bit layout) for sendmsg. */
export function cmsg(level: number, type: number, data: Uint8Array): Uint8Array {
  const len = 16 + data.length;
  const out = new Uint8Array((len + 7) & ~7);
  const v = new DataView(out.buffer);
  v.setBigUint64(0, BigInt(len), true);
  v.setInt32(8, level, true);
  v.setInt32(12, type, true);
  out.set(data, 16);
  return out;
}
