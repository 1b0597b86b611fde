/** GOLDEN_RATIO_32 (include/linux/hash.h, since v4.7). */
export const GOLDEN_RATIO_32 = 0x61c88647;

/** hash_32(val, bits): the top `bits` bits of the u32 product `val * GOLDEN_RATIO_32`. */
export const hash32 = (val: number, bits: number): number =>
  Math.imul(val >>> 0, GOLDEN_RATIO_32) >>> (32 - bits);

/** gcd of two positive integers (lib/math/gcd.c gives the ordinary gcd). */
export const gcd = (a: number, b: number): number => {
  let x = a;
  let y = b;
  while (y !== 0) {
    const r = x % y;
    x = y;
    y = r;
  }
  return x;
};

/** fls(x): 1-based index of the highest set bit, fls(0) = 0. */
export const fls = (x: number): number => (x === 0 ? 0 : 32 - Math.clz32(x));
