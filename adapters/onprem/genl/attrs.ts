/**
 * Netlink attributes (TLVs), pure over Uint8Array/DataView. RFC 3549 §2.3.2 describes the framing; the
 * exact layout is linux/netlink.h `struct nlattr`: u16 nla_len (4 + payload, not padded), u16 nla_type,
 * payload, zero padding to a 4-byte boundary. Integers are host byte order (little-endian here) unless an
 * attribute is defined as big-endian (ports, IPv4 masks).
 */

/** linux/netlink.h: NLA_F_NESTED marks a nest; NLA_F_NET_BYTEORDER is unused by IPVS. */
export const NLA_F_NESTED = 0x8000;
export const NLA_TYPE_MASK = 0x3fff;
export const NLA_HDRLEN = 4;

export const align4 = (n: number): number => (n + 3) & ~3;

/** One attribute to encode. `nested` payloads are encoded recursively. */
export type Attr =
  | { type: number; u8: number }
  | { type: number; u16: number }
  | { type: number; be16: number }
  | { type: number; u32: number }
  | { type: number; be32: number }
  | { type: number; u64: bigint }
  | { type: number; str: string }
  | { type: number; bytes: Uint8Array }
  | { type: number; nested: Attr[] };

const utf8 = new TextEncoder();

function payloadOf(a: Attr): Uint8Array {
  if ('nested' in a) return encodeAttrs(a.nested);
  if ('bytes' in a) return a.bytes;
  if ('str' in a) {
    const s = utf8.encode(a.str);
    const out = new Uint8Array(s.length + 1);
    out.set(s);
    return out;
  }
  if ('u8' in a) return Uint8Array.of(a.u8 & 0xff);
  const size = 'u16' in a || 'be16' in a ? 2 : 'u64' in a ? 8 : 4;
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  if ('u16' in a) v.setUint16(0, a.u16, true);
  else if ('be16' in a) v.setUint16(0, a.be16, false);
  else if ('u32' in a) v.setUint32(0, a.u32 >>> 0, true);
  else if ('be32' in a) v.setUint32(0, a.be32 >>> 0, false);
  else v.setBigUint64(0, a.u64, true);
  return out;
}

/** Encodes attributes back to back, each padded to 4 bytes. A nest's length covers its padded children. */
export function encodeAttrs(attrs: readonly Attr[]): Uint8Array {
  const parts = attrs.map((a) => ({ type: a.type, payload: payloadOf(a) }));
  const total = parts.reduce((n, p) => n + align4(NLA_HDRLEN + p.payload.length), 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  let at = 0;
  for (const p of parts) {
    view.setUint16(at, NLA_HDRLEN + p.payload.length, true);
    view.setUint16(at + 2, p.type, true);
    out.set(p.payload, at + NLA_HDRLEN);
    at += align4(NLA_HDRLEN + p.payload.length);
  }
  return out;
}

/** A decoded attribute: type without flag bits, whether NLA_F_NESTED was set, and the payload view. */
export interface RawAttr {
  type: number;
  nestedFlag: boolean;
  payload: Uint8Array;
}

export class AttrDecodeError extends Error {
  override name = 'AttrDecodeError';
}

/** Splits a buffer into attributes; throws AttrDecodeError on a length that runs past the end. */
export function decodeAttrs(buf: Uint8Array): RawAttr[] {
  const out: RawAttr[] = [];
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let at = 0;
  while (at + NLA_HDRLEN <= buf.length) {
    const len = view.getUint16(at, true);
    const type = view.getUint16(at + 2, true);
    if (len < NLA_HDRLEN || at + len > buf.length) {
      throw new AttrDecodeError(
        `netlink attribute at offset ${at} has length ${len} past the end (${buf.length})`,
      );
    }
    out.push({
      type: type & NLA_TYPE_MASK,
      nestedFlag: (type & NLA_F_NESTED) !== 0,
      payload: buf.subarray(at + NLA_HDRLEN, at + len),
    });
    at += align4(len);
  }
  return out;
}

/** Attribute lookup by type (the last one wins, as nla_parse does), with typed readers. */
export class AttrTable {
  readonly #byType = new Map<number, Uint8Array>();
  constructor(buf: Uint8Array) {
    for (const a of decodeAttrs(buf)) this.#byType.set(a.type, a.payload);
  }
  has(type: number): boolean {
    return this.#byType.has(type);
  }
  bytes(type: number): Uint8Array | undefined {
    return this.#byType.get(type);
  }
  #view(type: number, size: number): DataView | undefined {
    const p = this.#byType.get(type);
    if (!p) return undefined;
    if (p.length < size)
      throw new AttrDecodeError(`attribute ${type} has ${p.length} bytes, expected ${size}`);
    return new DataView(p.buffer, p.byteOffset, p.byteLength);
  }
  u8(type: number): number | undefined {
    return this.#view(type, 1)?.getUint8(0);
  }
  u16(type: number): number | undefined {
    return this.#view(type, 2)?.getUint16(0, true);
  }
  be16(type: number): number | undefined {
    return this.#view(type, 2)?.getUint16(0, false);
  }
  u32(type: number): number | undefined {
    return this.#view(type, 4)?.getUint32(0, true);
  }
  be32(type: number): number | undefined {
    return this.#view(type, 4)?.getUint32(0, false);
  }
  u64(type: number): bigint | undefined {
    return this.#view(type, 8)?.getBigUint64(0, true);
  }
  str(type: number): string | undefined {
    const p = this.#byType.get(type);
    if (!p) return undefined;
    const nul = p.indexOf(0);
    return new TextDecoder().decode(nul < 0 ? p : p.subarray(0, nul));
  }
  nested(type: number): AttrTable | undefined {
    const p = this.#byType.get(type);
    return p ? new AttrTable(p) : undefined;
  }
}
