// An independent reference for the hash functions, written a second way: 64-bit BigInt arithmetic
// instead of 32-bit halves. The tests check core/lb against it on many inputs.
const MASK64 = (1n << 64n) - 1n;
const rotl = (x: bigint, b: bigint): bigint => ((x << b) | (x >> (64n - b))) & MASK64;

export const refSip = (msg: Uint8Array, k0: bigint, k1: bigint, c: number, d: number): bigint => {
  let v0 = 0x736f6d6570736575n ^ k0;
  let v1 = 0x646f72616e646f6dn ^ k1;
  let v2 = 0x6c7967656e657261n ^ k0;
  let v3 = 0x7465646279746573n ^ k1;
  const round = (): void => {
    v0 = (v0 + v1) & MASK64;
    v1 = rotl(v1, 13n) ^ v0;
    v0 = rotl(v0, 32n);
    v2 = (v2 + v3) & MASK64;
    v3 = rotl(v3, 16n) ^ v2;
    v0 = (v0 + v3) & MASK64;
    v3 = rotl(v3, 21n) ^ v0;
    v2 = (v2 + v1) & MASK64;
    v1 = rotl(v1, 17n) ^ v2;
    v2 = rotl(v2, 32n);
  };
  const words: bigint[] = [];
  const padded = new Uint8Array(Math.floor(msg.length / 8) * 8 + 8);
  padded.set(msg);
  padded[padded.length - 1] = msg.length & 0xff;
  const view = new DataView(padded.buffer);
  for (let i = 0; i < padded.length; i += 8) words.push(view.getBigUint64(i, true));
  for (const m of words) {
    v3 ^= m;
    for (let i = 0; i < c; i++) round();
    v0 ^= m;
  }
  v2 ^= 0xffn;
  for (let i = 0; i < d; i++) round();
  return v0 ^ v1 ^ v2 ^ v3;
};

/** hsiphash of a 64-bit kernel over the 4 little-endian bytes of `v`. */
export const refHsiphashU32 = (v: number, k0: bigint, k1: bigint): number => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v >>> 0, true);
  return Number(refSip(b, k0, k1, 1, 3) & 0xffffffffn);
};

/** hash_32 from its definition. */
export const refHash32 = (val: number, bits: number): number =>
  Number(((BigInt(val >>> 0) * 0x61c88647n) & 0xffffffffn) >> BigInt(32 - bits));
