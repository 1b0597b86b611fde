// The hash functions under the hash schedulers: the kernel's own siphash self-test vectors, the rule
// book's hsiphash_1u32 example, and a 64-bit BigInt re-implementation as an independent oracle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import {
  fls,
  gcd,
  hash32,
  hsiphash,
  hsiphash1u32,
  MH_HASH1,
  siphash24,
  sipKey,
} from '../../../core/lb/index.ts';
import { refHash32, refHsiphashU32, refSip } from './oracle.ts';

const vectors = JSON.parse(
  readFileSync(new URL('./fixtures/siphash-vectors.json', import.meta.url), 'utf8'),
) as {
  siphash24: string[];
  hsiphash64bit: string[];
};
const TEST_KEY = sipKey(0x07060504, 0x03020100, 0x0f0e0d0c, 0x0b0a0908);
const message = (len: number): Uint8Array => Uint8Array.from({ length: len }, (_, i) => i);
const hex = (n: number, width = 8): string => n.toString(16).padStart(width, '0');

test('SipHash-2-4 reproduces all 64 vectors of lib/test_siphash.c', () => {
  assert.equal(vectors.siphash24.length, 64);
  vectors.siphash24.forEach((expected, len) => {
    const { hi, lo } = siphash24(message(len), TEST_KEY);
    assert.equal(hex(hi) + hex(lo), expected, `length ${len}`);
  });
});

test('hsiphash (64-bit kernel) reproduces all 64 test_vectors_hsiphash', () => {
  assert.equal(vectors.hsiphash64bit.length, 64);
  vectors.hsiphash64bit.forEach((expected, len) => {
    assert.equal(hex(hsiphash(message(len), TEST_KEY)), expected, `length ${len}`);
  });
});

test('hsiphash_1u32(0x03020100) = 0x88d38328 (rule book §17), same as hashing the 4 bytes', () => {
  assert.equal(hsiphash1u32(0x03020100, TEST_KEY), 0x88d38328);
  assert.equal(hsiphash1u32(0x03020100, TEST_KEY), hsiphash(message(4), TEST_KEY));
});

test('hsiphash_1u32 agrees with a BigInt SipHash-1-3 on random values and keys', () => {
  fc.assert(
    fc.property(fc.nat({ max: 0xffffffff }), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), (v, k) => {
      const key = sipKey(
        Number(k >> 32n),
        Number(k & 0xffffffffn),
        Number(k & 0xffffffffn),
        Number(k >> 32n),
      );
      const k1 = ((k & 0xffffffffn) << 32n) | (k >> 32n);
      assert.equal(hsiphash1u32(v, key), refHsiphashU32(v, k, k1));
    }),
    { numRuns: 300 },
  );
  // The mh key: both halves 2654435761 as u64.
  assert.equal(hsiphash1u32(0x0a000001, MH_HASH1), refHsiphashU32(0x0a000001, 2654435761n, 2654435761n));
});

test('SipHash-2-4 agrees with the BigInt oracle on random messages', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 40 }), (msg) => {
      const { hi, lo } = siphash24(msg, TEST_KEY);
      const ref = refSip(msg, 0x0706050403020100n, 0x0f0e0d0c0b0a0908n, 2, 4);
      assert.equal((BigInt(hi) << 32n) | BigInt(lo), ref);
    }),
    { numRuns: 200 },
  );
});

test('hash_32: worked by hand for 10.0.0.1 and 10.0.0.2 at 8 bits, and equal to the definition', () => {
  // 0x0A000001 * 0x61C88647 mod 2^32 = 0xC6000000 + 0x61C88647 = 0x27C88647 -> top byte 0x27 = 39.
  assert.equal(hash32(0x0a000001, 8), 39);
  // 0x0A000002 * 0x61C88647 mod 2^32 = 0xC6000000 + 0xC3910C8E = 0x89910C8E -> 0x89 = 137.
  assert.equal(hash32(0x0a000002, 8), 137);
  assert.equal(hash32(1, 32), 0x61c88647);
  fc.assert(
    fc.property(fc.nat({ max: 0xffffffff }), fc.integer({ min: 1, max: 32 }), (v, bits) => {
      assert.equal(hash32(v, bits), refHash32(v, bits));
    }),
  );
});

test('gcd and fls as lib/math/gcd.c and fls()', () => {
  assert.equal(gcd(6, 4), 2);
  assert.equal(gcd(1000, 200), 200);
  assert.equal(gcd(7, 3), 1);
  assert.deepEqual([0, 1, 2, 3, 4, 1000, 0x80000000].map(fls), [0, 1, 2, 2, 3, 10, 32]);
});
