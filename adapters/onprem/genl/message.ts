/**
 * Netlink message framing (linux/netlink.h `struct nlmsghdr`, RFC 3549 §2.3.2) and the generic-netlink
 * header (linux/genetlink.h `struct genlmsghdr`). Pure over Uint8Array/DataView; host byte order.
 */
import { decodeAttrs, encodeAttrs, type Attr } from './attrs.ts';

/** linux/netlink.h message types below NLMSG_MIN_TYPE (0x10). */
export const NLMSG_NOOP = 1;
export const NLMSG_ERROR = 2;
export const NLMSG_DONE = 3;
export const NLMSG_OVERRUN = 4;

/** linux/netlink.h nlmsg_flags. */
export const NLM_F_REQUEST = 0x1;
export const NLM_F_MULTI = 0x2;
export const NLM_F_ACK = 0x4;
export const NLM_F_ROOT = 0x100;
export const NLM_F_MATCH = 0x200;
export const NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH;
/** On NLMSG_ERROR: the original request was not echoed in full / extended-ack TLVs follow. */
export const NLM_F_CAPPED = 0x100;
export const NLM_F_ACK_TLVS = 0x200;

export const NLMSG_HDRLEN = 16;
export const GENL_HDRLEN = 4;

export interface GenlRequest {
  /** Family id (nlmsg_type). */
  type: number;
  flags: number;
  seq: number;
  pid: number;
  cmd: number;
  version: number;
  attrs: readonly Attr[];
}

/** nlmsghdr + genlmsghdr + attributes. */
export function encodeGenl(m: GenlRequest): Uint8Array {
  const body = encodeAttrs(m.attrs);
  const out = new Uint8Array(NLMSG_HDRLEN + GENL_HDRLEN + body.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, out.length, true);
  v.setUint16(4, m.type, true);
  v.setUint16(6, m.flags, true);
  v.setUint32(8, m.seq >>> 0, true);
  v.setUint32(12, m.pid >>> 0, true);
  v.setUint8(16, m.cmd);
  v.setUint8(17, m.version);
  v.setUint16(18, 0, true); // genlmsghdr.reserved
  out.set(body, NLMSG_HDRLEN + GENL_HDRLEN);
  return out;
}

/** One netlink message out of a datagram. */
export interface NetlinkMessage {
  type: number;
  flags: number;
  seq: number;
  pid: number;
  /** Everything after the 16-byte nlmsghdr. */
  payload: Uint8Array;
}

export class NetlinkDecodeError extends Error {
  override name = 'NetlinkDecodeError';
}

/** Splits a datagram into messages (NLMSG_ALIGN = 4). */
export function decodeMessages(buf: Uint8Array): NetlinkMessage[] {
  const out: NetlinkMessage[] = [];
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let at = 0;
  while (at + NLMSG_HDRLEN <= buf.length) {
    const len = v.getUint32(at, true);
    if (len < NLMSG_HDRLEN || at + len > buf.length) {
      throw new NetlinkDecodeError(
        `netlink message at offset ${at} has length ${len} past the end (${buf.length})`,
      );
    }
    out.push({
      type: v.getUint16(at + 4, true),
      flags: v.getUint16(at + 6, true),
      seq: v.getUint32(at + 8, true),
      pid: v.getUint32(at + 12, true),
      payload: buf.subarray(at + NLMSG_HDRLEN, at + len),
    });
    at += (len + 3) & ~3;
  }
  if (at < buf.length)
    throw new NetlinkDecodeError(`netlink datagram ends with ${buf.length - at} stray bytes`);
  return out;
}

/** A generic-netlink payload split into its header and attribute bytes. */
export interface GenlPayload {
  cmd: number;
  version: number;
  attrs: Uint8Array;
}

export function decodeGenl(payload: Uint8Array): GenlPayload {
  if (payload.length < GENL_HDRLEN)
    throw new NetlinkDecodeError('generic netlink payload shorter than its header');
  return { cmd: payload[0] ?? 0, version: payload[1] ?? 0, attrs: payload.subarray(GENL_HDRLEN) };
}

/** NLMSG_ERROR payload: `int error` (0 = ack, else -errno), the request's header, maybe an ext-ack message. */
export interface NetlinkAck {
  errno: number;
  /** Extended ack text (NLMSGERR_ATTR_MSG = 1), when the kernel sent one. */
  message?: string;
}

/** linux/netlink.h enum nlmsgerr_attrs. */
const NLMSGERR_ATTR_MSG = 1;

export function decodeAck(m: NetlinkMessage): NetlinkAck {
  if (m.payload.length < 4) throw new NetlinkDecodeError('NLMSG_ERROR payload shorter than 4 bytes');
  const v = new DataView(m.payload.buffer, m.payload.byteOffset, m.payload.byteLength);
  const errno = -v.getInt32(0, true);
  if (!(m.flags & NLM_F_ACK_TLVS)) return { errno };
  // With NLM_F_CAPPED only the original nlmsghdr is echoed; otherwise the whole request.
  const echoedLen = m.flags & NLM_F_CAPPED ? NLMSG_HDRLEN : m.payload.length >= 8 ? v.getUint32(4, true) : 0;
  const tlvStart = 4 + ((echoedLen + 3) & ~3);
  if (tlvStart > m.payload.length) return { errno };
  for (const a of decodeAttrs(m.payload.subarray(tlvStart))) {
    if (a.type === NLMSGERR_ATTR_MSG) {
      const nul = a.payload.indexOf(0);
      return { errno, message: new TextDecoder().decode(nul < 0 ? a.payload : a.payload.subarray(0, nul)) };
    }
  }
  return { errno };
}
