/**
 * SipHash over 64-bit words kept as unsigned 32-bit (hi, lo) halves, so it runs on plain 32-bit
 * arithmetic (lib/siphash.c). `siphash24` is SipHash-2-4; `hsiphash` is what a 64-bit kernel calls
 * hsiphash: SipHash-1-3 with the full 64-bit state, truncated to u32 (`HSIPROUND` = `SIPROUND`).
 */

/** A 128-bit key as two little-endian u64 (`siphash_key_t` / 64-bit `hsiphash_key_t`). */
export interface SipKey {
  readonly k0hi: number;
  readonly k0lo: number;
  readonly k1hi: number;
  readonly k1lo: number;
}

/** A key from two u64 given as (hi, lo) halves. */
export const sipKey = (k0hi: number, k0lo: number, k1hi: number, k1lo: number): SipKey => ({
  k0hi: k0hi >>> 0,
  k0lo: k0lo >>> 0,
  k1hi: k1hi >>> 0,
  k1lo: k1lo >>> 0,
});

class SipState {
  h0: number;
  l0: number;
  h1: number;
  l1: number;
  h2: number;
  l2: number;
  h3: number;
  l3: number;

  constructor(key: SipKey) {
    // "somepseudorandomlygeneratedbytes", xored with the key (PREAMBLE in lib/siphash.c).
    this.h0 = (0x736f6d65 ^ key.k0hi) >>> 0;
    this.l0 = (0x70736575 ^ key.k0lo) >>> 0;
    this.h1 = (0x646f7261 ^ key.k1hi) >>> 0;
    this.l1 = (0x6e646f6d ^ key.k1lo) >>> 0;
    this.h2 = (0x6c796765 ^ key.k0hi) >>> 0;
    this.l2 = (0x6e657261 ^ key.k0lo) >>> 0;
    this.h3 = (0x74656462 ^ key.k1hi) >>> 0;
    this.l3 = (0x79746573 ^ key.k1lo) >>> 0;
  }

  /** SIPROUND. */
  round(): void {
    let lo: number;
    let h: number;
    let l: number;
    // v0 += v1; v1 = rol64(v1, 13); v1 ^= v0; v0 = rol64(v0, 32);
    lo = (this.l0 + this.l1) >>> 0;
    this.h0 = (this.h0 + this.h1 + (lo < this.l0 ? 1 : 0)) >>> 0;
    this.l0 = lo;
    h = this.h1;
    l = this.l1;
    this.h1 = (((h << 13) | (l >>> 19)) ^ this.h0) >>> 0;
    this.l1 = (((l << 13) | (h >>> 19)) ^ this.l0) >>> 0;
    h = this.h0;
    this.h0 = this.l0;
    this.l0 = h;
    // v2 += v3; v3 = rol64(v3, 16); v3 ^= v2;
    lo = (this.l2 + this.l3) >>> 0;
    this.h2 = (this.h2 + this.h3 + (lo < this.l2 ? 1 : 0)) >>> 0;
    this.l2 = lo;
    h = this.h3;
    l = this.l3;
    this.h3 = (((h << 16) | (l >>> 16)) ^ this.h2) >>> 0;
    this.l3 = (((l << 16) | (h >>> 16)) ^ this.l2) >>> 0;
    // v0 += v3; v3 = rol64(v3, 21); v3 ^= v0;
    lo = (this.l0 + this.l3) >>> 0;
    this.h0 = (this.h0 + this.h3 + (lo < this.l0 ? 1 : 0)) >>> 0;
    this.l0 = lo;
    h = this.h3;
    l = this.l3;
    this.h3 = (((h << 21) | (l >>> 11)) ^ this.h0) >>> 0;
    this.l3 = (((l << 21) | (h >>> 11)) ^ this.l0) >>> 0;
    // v2 += v1; v1 = rol64(v1, 17); v1 ^= v2; v2 = rol64(v2, 32);
    lo = (this.l2 + this.l1) >>> 0;
    this.h2 = (this.h2 + this.h1 + (lo < this.l2 ? 1 : 0)) >>> 0;
    this.l2 = lo;
    h = this.h1;
    l = this.l1;
    this.h1 = (((h << 17) | (l >>> 15)) ^ this.h2) >>> 0;
    this.l1 = (((l << 17) | (h >>> 15)) ^ this.l2) >>> 0;
    h = this.h2;
    this.h2 = this.l2;
    this.l2 = h;
  }

  /** Absorb one 64-bit message word with `c` compression rounds. */
  absorb(mhi: number, mlo: number, c: number): void {
    this.h3 = (this.h3 ^ mhi) >>> 0;
    this.l3 = (this.l3 ^ mlo) >>> 0;
    for (let i = 0; i < c; i++) this.round();
    this.h0 = (this.h0 ^ mhi) >>> 0;
    this.l0 = (this.l0 ^ mlo) >>> 0;
  }

  /** v2 ^= 0xff, then `d` finalization rounds. */
  finish(d: number): void {
    this.l2 = (this.l2 ^ 0xff) >>> 0;
    for (let i = 0; i < d; i++) this.round();
  }

  hiOut(): number {
    return (this.h0 ^ this.h1 ^ this.h2 ^ this.h3) >>> 0;
  }

  loOut(): number {
    return (this.l0 ^ this.l1 ^ this.l2 ^ this.l3) >>> 0;
  }
}

const le32 = (data: Uint8Array, at: number): number =>
  ((data[at] ?? 0) |
    ((data[at + 1] ?? 0) << 8) |
    ((data[at + 2] ?? 0) << 16) |
    ((data[at + 3] ?? 0) << 24)) >>>
  0;

const run = (data: Uint8Array, key: SipKey, c: number, d: number): SipState => {
  const s = new SipState(key);
  const len = data.length;
  const full = len - (len % 8);
  for (let at = 0; at < full; at += 8) s.absorb(le32(data, at + 4), le32(data, at), c);
  // Last block: b = (len << 56) | tail bytes, little-endian.
  let bhi = ((len & 0xff) << 24) >>> 0;
  let blo = 0;
  for (let i = full; i < len; i++) {
    const byte = data[i] ?? 0;
    const shift = 8 * (i - full);
    if (shift < 32) blo = (blo | (byte << shift)) >>> 0;
    else bhi = (bhi | (byte << (shift - 32))) >>> 0;
  }
  s.absorb(bhi, blo, c);
  s.finish(d);
  return s;
};

/** SipHash-2-4 as `siphash()` in lib/siphash.c; the u64 result as (hi, lo). */
export const siphash24 = (data: Uint8Array, key: SipKey): { hi: number; lo: number } => {
  const s = run(data, key, 2, 4);
  return { hi: s.hiOut(), lo: s.loOut() };
};

/** `hsiphash()` of a 64-bit kernel: SipHash-1-3, truncated to u32. */
export const hsiphash = (data: Uint8Array, key: SipKey): number => run(data, key, 1, 3).loOut();

/** `hsiphash_1u32(first, key)` of a 64-bit kernel: a 4-byte message, no allocation of a buffer. */
export const hsiphash1u32 = (first: number, key: SipKey): number => {
  const s = new SipState(key);
  s.absorb(0x04000000, first >>> 0, 1);
  s.finish(3);
  return s.loOut();
};
