/**
 * MD5 (RFC 1321) and HMAC (RFC 2104) in pure TypeScript, for the VRRPv2 IPsec AH ICV (HMAC-MD5-96,
 * RFC 2403), which keepalived computes itself. core/ may not reach node:crypto; the tests check these
 * functions against it. Not for anything new: MD5 is only here because the wire format demands it.
 */

/** Per-round left-rotation amounts. RFC 1321 §3.4. */
const SHIFTS = [
  7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9,
  14, 20, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15,
  21, 6, 10, 15, 21,
];

/** T[i] = floor(2^32 * |sin(i + 1)|). RFC 1321 §3.4. */
const T = Array.from({ length: 64 }, (_, i) => Math.floor(Math.abs(Math.sin(i + 1)) * 0x100000000) >>> 0);

/** MD5 block size in octets; also HMAC's B. RFC 2104 §2. */
export const MD5_BLOCK_LENGTH = 64;
export const MD5_DIGEST_LENGTH = 16;

/** The MD5 digest of the concatenation of `parts`. RFC 1321. */
export function md5(...parts: readonly Uint8Array[]): Uint8Array {
  const length = parts.reduce((n, p) => n + p.length, 0);
  // Message, 0x80, zeros to 56 mod 64, then the bit length as 64-bit little-endian. RFC 1321 §3.1-3.2.
  const padded = new Uint8Array((((length + 8) >> 6) + 1) << 6);
  let at = 0;
  for (const p of parts) {
    padded.set(p, at);
    at += p.length;
  }
  padded[length] = 0x80;
  const view = new DataView(padded.buffer);
  view.setUint32(padded.length - 8, (length * 8) >>> 0, true);
  view.setUint32(padded.length - 4, Math.floor(length / 0x20000000), true);
  let a0 = 0x67452301;
  let b0 = 0xefcdab89;
  let c0 = 0x98badcfe;
  let d0 = 0x10325476;
  const m = new Uint32Array(16);
  for (let block = 0; block < padded.length; block += 64) {
    for (let i = 0; i < 16; i++) m[i] = view.getUint32(block + 4 * i, true);
    let a = a0;
    let b = b0;
    let c = c0;
    let d = d0;
    for (let i = 0; i < 64; i++) {
      let f: number;
      let g: number;
      if (i < 16) {
        f = (b & c) | (~b & d);
        g = i;
      } else if (i < 32) {
        f = (d & b) | (~d & c);
        g = (5 * i + 1) & 15;
      } else if (i < 48) {
        f = b ^ c ^ d;
        g = (3 * i + 5) & 15;
      } else {
        f = c ^ (b | ~d);
        g = (7 * i) & 15;
      }
      const sum = (a + f + (T[i] ?? 0) + (m[g] ?? 0)) >>> 0;
      const s = SHIFTS[i] ?? 0;
      a = d;
      d = c;
      c = b;
      b = (b + ((sum << s) | (sum >>> (32 - s)))) >>> 0;
    }
    a0 = (a0 + a) >>> 0;
    b0 = (b0 + b) >>> 0;
    c0 = (c0 + c) >>> 0;
    d0 = (d0 + d) >>> 0;
  }
  const out = new Uint8Array(MD5_DIGEST_LENGTH);
  const o = new DataView(out.buffer);
  o.setUint32(0, a0, true);
  o.setUint32(4, b0, true);
  o.setUint32(8, c0, true);
  o.setUint32(12, d0, true);
  return out;
}

/** HMAC-MD5 of the concatenation of `parts` under `key`. RFC 2104 §2 (keys over 64 octets are hashed first). */
export function hmacMd5(key: Uint8Array, ...parts: readonly Uint8Array[]): Uint8Array {
  const k = new Uint8Array(MD5_BLOCK_LENGTH);
  k.set(key.length > MD5_BLOCK_LENGTH ? md5(key) : key);
  const ipad = k.map((x) => x ^ 0x36);
  const opad = k.map((x) => x ^ 0x5c);
  return md5(opad, md5(ipad, ...parts));
}
