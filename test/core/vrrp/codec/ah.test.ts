// IPsec AH for VRRPv2 (keepalived auth_type AH): the pure MD5/HMAC against node:crypto, the datagram
// encoder against the verifier, and keepalived's own captured AH adverts (test/fixtures/vrrp-captures).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AH_HEADER_LENGTH,
  IPPROTO_AH,
  IPV4_HEADER_LENGTH,
  VRRP_AUTH_AH,
  decodeAdvert,
  encodeAdvert,
  encodeAhDatagram,
  hmacMd5,
  md5,
  passAuthData,
  splitAh,
  verifyAh,
  type VrrpV2Advert,
} from '../../../../core/vrrp/index.ts';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const fromHex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));
/** Deterministic bytes (no Math.random in tests whose failures must replay). */
const bytes = (n: number, seed: number): Uint8Array =>
  Uint8Array.from({ length: n }, (_, i) => (Math.imul(i + 1, 2654435761) ^ seed) >>> 13);

test('md5 equals node:crypto for every length 0..300 and across block boundaries', () => {
  for (let n = 0; n <= 300; n++) {
    const data = bytes(n, n);
    assert.equal(hex(md5(data)), createHash('md5').update(data).digest('hex'), `length ${n}`);
  }
  const big = bytes(100_000, 7);
  assert.equal(hex(md5(big.subarray(0, 3), big.subarray(3))), createHash('md5').update(big).digest('hex'));
  assert.equal(hex(md5()), 'd41d8cd98f00b204e9800998ecf8427e'); // RFC 1321 A.5
});

test('hmacMd5 equals node:crypto for short, block-sized and over-long keys (RFC 2104)', () => {
  for (const keyLength of [0, 1, 8, 16, 63, 64, 65, 200]) {
    const key = bytes(keyLength, 99);
    for (const n of [0, 1, 55, 56, 64, 120, 1000]) {
      const data = bytes(n, keyLength);
      assert.equal(
        hex(hmacMd5(key, data)),
        createHmac('md5', key).update(data).digest('hex'),
        `key ${keyLength}, data ${n}`,
      );
    }
  }
  // RFC 2104 / RFC 2202 test case 2.
  assert.equal(
    hex(hmacMd5(new TextEncoder().encode('Jefe'), new TextEncoder().encode('what do ya want for nothing?'))),
    '750c783e6ab0b503eaa86e310a5db738',
  );
});

const advert: VrrpV2Advert = {
  version: 2,
  vrid: 26,
  priority: 130,
  addresses: ['10.99.0.246'],
  authType: VRRP_AUTH_AH,
  authData: new Uint8Array(8),
  advertIntervalSec: 1,
};

function datagram(over: { unicast?: boolean; key?: string; seq?: number; dst?: string } = {}): Uint8Array {
  const dst = over.dst ?? '224.0.0.18';
  const vrrp = encodeAdvert(advert, { family: 'ipv4', src: '10.99.0.11', dst });
  assert.ok(vrrp.ok);
  const r = encodeAhDatagram({
    src: '10.99.0.11',
    dst,
    ipId: 7,
    ttl: 255,
    seq: over.seq ?? 1,
    key: passAuthData(over.key ?? 'ahsecret'),
    unicast: over.unicast ?? false,
    vrrp: vrrp.bytes,
  });
  assert.ok(r.ok, r.ok ? '' : r.error);
  return r.bytes;
}

const check = (d: Uint8Array, key = 'ahsecret', unicast = false) =>
  verifyAh(d.subarray(0, IPV4_HEADER_LENGTH), d.subarray(IPV4_HEADER_LENGTH), passAuthData(key), unicast);

test('encodeAhDatagram: IPv4 protocol 51, AH next header 112, Payload Len 4, SPI = source, seq', () => {
  const d = datagram({ seq: 0x01020304 });
  assert.equal(d[9], IPPROTO_AH);
  assert.equal(d[1], 0xc0);
  assert.equal((d[2]! << 8) | d[3]!, d.length);
  const split = splitAh(d.subarray(IPV4_HEADER_LENGTH));
  assert.ok(split.ok);
  assert.equal(split.nextHeader, 112);
  assert.equal(d[IPV4_HEADER_LENGTH + 1], 4);
  assert.equal(split.spi, 0x0a63000b);
  assert.equal(split.seq, 0x01020304);
  const decoded = decodeAdvert(split.vrrp, {
    family: 'ipv4',
    src: '10.99.0.11',
    dst: '224.0.0.18',
    ttl: 255,
  });
  assert.ok(decoded.ok);
  assert.deepEqual(decoded.packet.advert, advert);
  // The IPv4 header checksum is right (what the kernel would write).
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += (d[i]! << 8) | d[i + 1]!;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  assert.equal(sum, 0xffff);
});

test('verifyAh: the right key verifies; another key, or any covered byte changed, fails', () => {
  const d = datagram();
  assert.deepEqual(check(d), { icvOk: true, spiOk: true });
  assert.equal(check(d, 'other').icvOk, false);
  const mutable = new Set([1, 6, 7, 10, 11]); // TOS, flags+fragment, header checksum
  for (let i = 0; i < d.length; i++) {
    if (mutable.has(i)) continue;
    if (i >= IPV4_HEADER_LENGTH + 12 && i < IPV4_HEADER_LENGTH + AH_HEADER_LENGTH) continue; // the ICV itself
    const bad = d.slice();
    bad[i] = bad[i]! ^ 0x01;
    assert.equal(check(bad).icvOk, false, `octet ${i} is covered by the ICV`);
  }
  for (const i of mutable) {
    const changed = d.slice();
    changed[i] = changed[i]! ^ 0x40;
    assert.equal(check(changed).icvOk, true, `octet ${i} is mutable (zeroed for the ICV)`);
  }
});

test('verifyAh: TTL is in the ICV for multicast, out of it for unicast (as keepalived)', () => {
  const m = datagram();
  m[8] = 254;
  assert.equal(check(m).icvOk, false);
  const u = datagram({ unicast: true, dst: '10.99.0.12' });
  u[8] = 64;
  assert.equal(check(u, 'ahsecret', true).icvOk, true);
});

test('verifyAh: an SPI other than the source address is refused, even with a good ICV', () => {
  const bad = datagram();
  bad.set([1, 2, 3, 4], IPV4_HEADER_LENGTH + 4);
  // Re-sign by hand (mutable fields and ICV zeroed), so only the SPI rule can fail.
  const zeroed = bad.slice();
  for (const i of [1, 6, 7, 10, 11]) zeroed[i] = 0;
  zeroed.fill(0, IPV4_HEADER_LENGTH + 12, IPV4_HEADER_LENGTH + AH_HEADER_LENGTH);
  bad.set(hmacMd5(passAuthData('ahsecret'), zeroed).subarray(0, 12), IPV4_HEADER_LENGTH + 12);
  assert.deepEqual(check(bad), { icvOk: true, spiOk: false });
});

test('encodeAhDatagram refuses bad input with the field named, never throws', () => {
  const base = {
    src: '10.0.0.1',
    dst: '224.0.0.18',
    ipId: 1,
    ttl: 255,
    seq: 1,
    key: new Uint8Array(8),
    unicast: false,
    vrrp: new Uint8Array(20),
  };
  assert.match(String((encodeAhDatagram({ ...base, src: 'fe80::1' }) as { error: string }).error), /^src:/);
  assert.match(String((encodeAhDatagram({ ...base, seq: -1 }) as { error: string }).error), /^seq:/);
  assert.deepEqual(splitAh(new Uint8Array(10)), { ok: false, reason: 'packet-len' });
});

// keepalived's own AH adverts, captured off the wire (node test/netns/vrrp-captures/capture.ts v2-ipv4-ah.json ...).
const captures = join(import.meta.dirname, '../../../fixtures/vrrp-captures');
for (const file of ['v2-ipv4-ah.json', 'v2-ipv4-ah-unicast.json']) {
  const path = join(captures, file);
  test(
    `keepalived capture ${file}: verified, decoded, and re-encoded byte for byte`,
    { skip: !existsSync(path) },
    () => {
      const fixture = JSON.parse(readFileSync(path, 'utf8')) as {
        expect: {
          vrid: number;
          priority: number;
          addresses: string[];
          authPass: string;
          unicastPeer?: string;
        };
        packets: Array<{ kind: string; ipPacketHex: string; vrrpHex: string; ahHex: string }>;
      };
      const unicast = fixture.expect.unicastPeer !== undefined;
      const key = passAuthData(fixture.expect.authPass);
      assert.equal(fixture.packets.length, 2);
      for (const p of fixture.packets) {
        const wire = fromHex(p.ipPacketHex);
        const header = wire.subarray(0, IPV4_HEADER_LENGTH);
        const payload = wire.subarray(IPV4_HEADER_LENGTH);
        assert.deepEqual(verifyAh(header, payload, key, unicast), { icvOk: true, spiOk: true }, p.kind);
        assert.equal(verifyAh(header, payload, passAuthData('wrong'), unicast).icvOk, false);
        const split = splitAh(payload);
        assert.ok(split.ok);
        assert.equal(hex(payload.subarray(0, AH_HEADER_LENGTH)), p.ahHex);
        const src = [...wire.subarray(12, 16)].join('.');
        const dst = [...wire.subarray(16, 20)].join('.');
        const decoded = decodeAdvert(split.vrrp, { family: 'ipv4', src, dst, ttl: wire[8]!, protocol: 112 });
        assert.ok(decoded.ok, JSON.stringify(decoded));
        const a = decoded.packet.advert;
        assert.equal(a.vrid, fixture.expect.vrid);
        assert.equal(a.priority, p.kind === 'advert' ? fixture.expect.priority : 0);
        assert.deepEqual(a.addresses, fixture.expect.addresses);
        assert.equal(a.version === 2 && a.authType, VRRP_AUTH_AH);
        // Ours, given keepalived's IP Identification and sequence number, is the same datagram.
        const vrrp = encodeAdvert(a, { family: 'ipv4', src, dst });
        assert.ok(vrrp.ok);
        const ours = encodeAhDatagram({
          src,
          dst,
          ipId: (wire[4]! << 8) | wire[5]!,
          ttl: wire[8]!,
          seq: split.seq,
          key,
          unicast,
          vrrp: vrrp.bytes,
        });
        assert.ok(ours.ok);
        assert.equal(hex(ours.bytes), p.ipPacketHex, p.kind);
      }
    },
  );
}
