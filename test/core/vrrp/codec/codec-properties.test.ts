// Round trips and robustness of the codec, by property: any valid advert survives encode -> decode; any
// byte string decodes to a typed result without throwing; any single-bit corruption is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  decodeAdvert,
  encodeAdvert,
  formatIpv4,
  formatIpv6,
  parseIp,
  type IpHeaderInfo,
} from '../../../../core/vrrp/index.ts';
import { advertWithIp, ipHeader } from './arbitraries.ts';

test('encode then decode returns the same advert (v2, v3/IPv4, v3/IPv6, checksum modes)', () => {
  fc.assert(
    fc.property(advertWithIp, ({ advert, ip, asV2 }) => {
      const enc = encodeAdvert(advert, { ...ip, checksumAsV2: asV2 });
      assert.equal(enc.ok, true);
      if (!enc.ok) return;
      const dec = decodeAdvert(enc.bytes, ip, { checksumAsV2: asV2 });
      assert.equal(dec.ok, true, JSON.stringify(dec));
      if (!dec.ok) return;
      assert.deepEqual({ ...dec.packet.advert }, { ...advert });
      assert.equal(dec.packet.checksumMode, advert.version === 2 ? 'v2' : asV2 ? 'as-v2' : 'pseudo-header');
    }),
    { numRuns: 300 },
  );
});

test('decode of arbitrary bytes and headers never throws and answers ok or a reason', () => {
  const anyIp: fc.Arbitrary<IpHeaderInfo> = fc.record({
    family: fc.constantFrom('ipv4' as const, 'ipv6' as const),
    src: fc.oneof(fc.string(), fc.constant('10.0.0.1'), fc.constant('fe80::1')),
    dst: fc.oneof(fc.string(), fc.constant('224.0.0.18'), fc.constant('ff02::12')),
    ttl: fc.oneof(fc.constant(255), fc.integer({ min: -1, max: 300 })),
    protocol: fc.oneof(fc.constant(112), fc.integer({ min: 0, max: 255 })),
  });
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 120 }), anyIp, fc.boolean(), (bytes, ip, asV2) => {
      const r = decodeAdvert(bytes, ip, { checksumAsV2: asV2 });
      assert.ok(r.ok === true || typeof r.reason === 'string');
    }),
    { numRuns: 1000 },
  );
});

test('flipping any single bit of a valid advert makes decode refuse it', () => {
  fc.assert(
    fc.property(advertWithIp, fc.nat(), ({ advert, ip }, bitSeed) => {
      const enc = encodeAdvert(advert, ip);
      assert.equal(enc.ok, true);
      if (!enc.ok) return;
      const bytes = enc.bytes.slice();
      const bit = bitSeed % (bytes.length * 8);
      bytes[bit >> 3] = (bytes[bit >> 3] ?? 0) ^ (0x80 >> (bit & 7));
      const r = decodeAdvert(bytes, ip);
      assert.equal(r.ok, false, `bit ${bit} flipped yet accepted`);
    }),
    { numRuns: 300 },
  );
});

test('packets that arrive with the wrong IP fields are refused with the matching reason', () => {
  fc.assert(
    fc.property(advertWithIp, fc.integer({ min: 0, max: 254 }), ({ advert, ip }, ttl) => {
      const enc = encodeAdvert(advert, ip);
      if (!enc.ok) return;
      assert.equal(decodeAdvert(enc.bytes, { ...ip, ttl }).ok, false);
      const r = decodeAdvert(enc.bytes, { ...ip, ttl });
      assert.equal(!r.ok && r.reason, 'ip-ttl');
      const p = decodeAdvert(enc.bytes, { ...ip, protocol: 6 });
      assert.equal(!p.ok && p.reason, 'ip-protocol');
      // The v3 pseudo-header binds the checksum to src/dst, v2 does not: change one octet of the source.
      const src = parseIp(ip.src) ?? new Uint8Array(4);
      src[src.length - 1] = ((src[src.length - 1] ?? 0) + 1) & 0xff;
      const other = ip.family === 'ipv4' ? formatIpv4(src) : formatIpv6(src);
      const moved = decodeAdvert(enc.bytes, { ...ip, src: other });
      assert.equal(moved.ok ? 'accepted' : moved.reason, advert.version === 3 ? 'checksum' : 'accepted');
    }),
    { numRuns: 200 },
  );
  fc.assert(
    fc.property(ipHeader('ipv4'), (ip) => {
      assert.equal(decodeAdvert(new Uint8Array(3), ip).ok, false);
    }),
  );
});
