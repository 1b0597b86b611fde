/**
 * rtnetlink message codec (linux/netlink.h, linux/rtnetlink.h, linux/if_addr.h): netlink headers,
 * route attributes and the ifaddrmsg of RTM_NEWADDR / RTM_DELADDR / RTM_GETADDR. Host byte order (LE).
 */

/** linux/netlink.h message types and flags. */
export const nl = {
  NLMSG_ERROR: 2,
  NLMSG_DONE: 3,
  NLM_F_REQUEST: 0x1,
  NLM_F_MULTI: 0x2,
  NLM_F_ACK: 0x4,
  NLM_F_REPLACE: 0x100,
  NLM_F_EXCL: 0x200,
  NLM_F_CREATE: 0x400,
  NLM_F_DUMP: 0x300,
} as const;

/** linux/rtnetlink.h message types. */
export const rtm = { NEWLINK: 16, GETLINK: 18, NEWADDR: 20, DELADDR: 21, GETADDR: 22 } as const;

/** linux/if_addr.h attribute types. */
export const ifa = {
  ADDRESS: 1,
  LOCAL: 2,
  LABEL: 3,
  BROADCAST: 4,
  CACHEINFO: 6,
  FLAGS: 8,
  F_NODAD: 0x02,
  F_SECONDARY: 0x01,
  F_DEPRECATED: 0x20,
  F_PERMANENT: 0x80,
} as const;

/** linux/if_link.h: IFLA_ADDRESS, IFLA_IFNAME. */
export const ifla = { ADDRESS: 1, IFNAME: 3 } as const;

/** rtnetlink scope values (linux/rtnetlink.h enum rt_scope_t). */
export const scopes = { global: 0, site: 200, link: 253, host: 254, nowhere: 255 } as const;
export type ScopeName = keyof typeof scopes;

export function scopeName(value: number): ScopeName {
  for (const [name, v] of Object.entries(scopes)) if (v === value) return name as ScopeName;
  return 'global';
}

export interface NetlinkMessage {
  type: number;
  flags: number;
  seq: number;
  pid: number;
  body: Uint8Array;
}

export interface Attribute {
  type: number;
  data: Uint8Array;
}

const align4 = (n: number) => (n + 3) & ~3;

export function encodeAttribute(type: number, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(align4(4 + data.length));
  const v = new DataView(out.buffer);
  v.setUint16(0, 4 + data.length, true);
  v.setUint16(2, type, true);
  out.set(data, 4);
  return out;
}

export function decodeAttributes(bytes: Uint8Array): Attribute[] {
  const out: Attribute[] = [];
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let off = 0;
  while (off + 4 <= bytes.length) {
    const len = v.getUint16(off, true);
    if (len < 4 || off + len > bytes.length) break;
    out.push({ type: v.getUint16(off + 2, true) & 0x3fff, data: bytes.slice(off + 4, off + len) });
    off += align4(len);
  }
  return out;
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

export function encodeMessage(type: number, flags: number, seq: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(16 + align4(body.length));
  const v = new DataView(out.buffer);
  v.setUint32(0, 16 + body.length, true);
  v.setUint16(4, type, true);
  v.setUint16(6, flags, true);
  v.setUint32(8, seq, true);
  v.setUint32(12, 0, true);
  out.set(body, 16);
  return out;
}

export function decodeMessages(bytes: Uint8Array): NetlinkMessage[] {
  const out: NetlinkMessage[] = [];
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let off = 0;
  while (off + 16 <= bytes.length) {
    const len = v.getUint32(off, true);
    if (len < 16 || off + len > bytes.length) break;
    out.push({
      type: v.getUint16(off + 4, true),
      flags: v.getUint16(off + 6, true),
      seq: v.getUint32(off + 8, true),
      pid: v.getUint32(off + 12, true),
      body: bytes.slice(off + 16, off + len),
    });
    off += align4(len);
  }
  return out;
}

/** The errno of an NLMSG_ERROR body (0 = ack). Negative in the kernel; returned positive. */
export function errorCode(body: Uint8Array): number {
  if (body.length < 4) return 0;
  return -new DataView(body.buffer, body.byteOffset).getInt32(0, true);
}

/** struct ifaddrmsg (8 bytes). */
export interface IfAddrMsg {
  family: number;
  prefixLength: number;
  flags: number;
  scope: number;
  ifIndex: number;
}

export function encodeIfAddrMsg(m: IfAddrMsg): Uint8Array {
  const out = new Uint8Array(8);
  out[0] = m.family;
  out[1] = m.prefixLength;
  out[2] = m.flags & 0xff;
  out[3] = m.scope;
  new DataView(out.buffer).setUint32(4, m.ifIndex, true);
  return out;
}

export function decodeIfAddrMsg(body: Uint8Array): IfAddrMsg {
  const v = new DataView(body.buffer, body.byteOffset, body.byteLength);
  return {
    family: body[0] ?? 0,
    prefixLength: body[1] ?? 0,
    flags: body[2] ?? 0,
    scope: body[3] ?? 0,
    ifIndex: body.length >= 8 ? v.getUint32(4, true) : 0,
  };
}

export function u32(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value >>> 0, true);
  return out;
}

export function cString(text: string): Uint8Array {
  const enc = new TextEncoder().encode(text);
  const out = new Uint8Array(enc.length + 1);
  out.set(enc);
  return out;
}

export function readCString(data: Uint8Array): string {
  const end = data.indexOf(0);
  return new TextDecoder().decode(end >= 0 ? data.subarray(0, end) : data);
}
