// Each packet-level check of rfc3768 §7.1 / rfc5798 §7.1, one example apiece, on a known-good packet.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decodeAdvert,
  encodeAdvert,
  internetChecksum,
  type IpHeaderInfo,
  type VrrpAdvert,
} from '../../../../core/vrrp/index.ts';

const ip4: IpHeaderInfo = { family: 'ipv4', src: '10.0.0.1', dst: '224.0.0.18', ttl: 255, protocol: 112 };
const ip6: IpHeaderInfo = { family: 'ipv6', src: 'fe80::1', dst: 'ff02::12', ttl: 255, protocol: 112 };
const v2: VrrpAdvert = {
  version: 2,
  vrid: 7,
  priority: 100,
  addresses: ['10.0.0.100'],
  authType: 0,
  authData: new Uint8Array(8),
  advertIntervalSec: 1,
};
const v3: VrrpAdvert = {
  version: 3,
  vrid: 7,
  priority: 100,
  addresses: ['10.0.0.100'],
  maxAdvertIntervalCs: 100,
};

function bytesOf(advert: VrrpAdvert, ip = ip4): Uint8Array {
  const r = encodeAdvert(advert, ip);
  assert.ok(r.ok);
  return r.bytes;
}

/** Re-write the v2 checksum after tampering, so only the tampered field can be the cause. */
function resum(bytes: Uint8Array): Uint8Array {
  bytes[6] = 0;
  bytes[7] = 0;
  const c = internetChecksum(bytes);
  bytes[6] = c >> 8;
  bytes[7] = c & 0xff;
  return bytes;
}

const reasonOf = (bytes: Uint8Array, ip: IpHeaderInfo = ip4, opts = {}): string | undefined => {
  const r = decodeAdvert(bytes, ip, opts);
  return r.ok ? undefined : r.reason;
};

test('TTL other than 255 is refused, unless the caller relaxes the rule for unicast', () => {
  assert.equal(reasonOf(bytesOf(v2), { ...ip4, ttl: 64 }), 'ip-ttl');
  assert.equal(reasonOf(bytesOf(v2), { ...ip4, ttl: 64 }, { ttl: 'any' }), undefined);
  assert.equal(reasonOf(bytesOf(v2), { ...ip4, ttl: 64 }, { ttl: { min: 60, max: 255 } }), undefined);
  assert.equal(reasonOf(bytesOf(v2), { ...ip4, ttl: 59 }, { ttl: { min: 60, max: 255 } }), 'ip-ttl');
  assert.equal(reasonOf(bytesOf({ ...v3, addresses: ['fe80::100'] }, ip6), { ...ip6, ttl: 1 }), 'ip-ttl');
});

test('version other than 2 or 3, and v2 over IPv6, are refused', () => {
  const b = bytesOf(v2);
  b[0] = 0x11;
  assert.equal(reasonOf(resum(b)), 'version');
  const v6 = bytesOf({ ...v3, addresses: ['fe80::100'] }, ip6);
  v6[0] = 0x21;
  assert.equal(reasonOf(v6, ip6), 'version');
});

test('type other than ADVERTISEMENT is refused', () => {
  const b = bytesOf(v2);
  b[0] = 0x22;
  assert.equal(reasonOf(resum(b)), 'invalid-type');
});

test('a message shorter or longer than its address count implies is refused', () => {
  const b = bytesOf(v2);
  assert.equal(reasonOf(b.subarray(0, b.length - 1)), 'packet-len');
  const longer = new Uint8Array(b.length + 4);
  longer.set(b);
  assert.equal(reasonOf(resum(longer)), 'packet-len');
  const counted = bytesOf(v2);
  counted[3] = 2;
  assert.equal(reasonOf(resum(counted)), 'packet-len');
  assert.equal(reasonOf(new Uint8Array(0)), 'packet-len');
});

test('a bad checksum is refused and reports the VRID for per-instance counting', () => {
  const b = bytesOf(v3);
  b[7] = (b[7] ?? 0) ^ 1;
  assert.deepEqual(decodeAdvert(b, ip4), { ok: false, reason: 'checksum', vrid: 7 });
});

test('a v3 Max Adver Int of zero is refused', () => {
  const b = bytesOf({ ...v3, maxAdvertIntervalCs: 1 });
  // lowering the interval word by 1 raises the one's complement checksum by 1 (0x0001 -> 0x0000)
  b[5] = 0;
  const c = ((((b[6] ?? 0) << 8) | (b[7] ?? 0)) + 1) & 0xffff;
  b[6] = c >> 8;
  b[7] = c & 0xff;
  assert.equal(reasonOf(b), 'advert-interval');
});

test('v3 reserved bits are ignored on receipt (rfc5798 §5.2.6)', () => {
  const base = bytesOf(v3);
  const b = base.slice();
  b[4] = (b[4] ?? 0) | 0xf0;
  // adjust the checksum by the added 0xf000 in one's complement arithmetic
  const old = ((base[6] ?? 0) << 8) | (base[7] ?? 0);
  let sum = (~old & 0xffff) + 0xf000;
  sum = (sum & 0xffff) + (sum >>> 16);
  const c = ~sum & 0xffff;
  b[6] = c >> 8;
  b[7] = c & 0xff;
  const r = decodeAdvert(b, ip4);
  assert.equal(r.ok, true, JSON.stringify(r));
  if (r.ok) assert.deepEqual(r.packet.advert, v3);
});

test('encode refuses invalid fields with a message naming them', () => {
  const cases: Array<[VrrpAdvert, IpHeaderInfo, RegExp]> = [
    [{ ...v2, vrid: 0 }, ip4, /vrid/],
    [{ ...v2, priority: 256 }, ip4, /priority/],
    [{ ...v2, advertIntervalSec: 0 }, ip4, /advertIntervalSec/],
    [{ ...v2, authData: new Uint8Array(4) }, ip4, /authData/],
    [v2, ip6, /IPv4 only/],
    [{ ...v3, maxAdvertIntervalCs: 4096 }, ip4, /4095/],
    [{ ...v3, addresses: ['fe80::1'] }, ip4, /address "fe80::1"/],
    [v3, { ...ip4, src: 'nope' }, /src/],
  ];
  for (const [advert, ip, message] of cases) {
    const r = encodeAdvert(advert, ip);
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.error, message);
  }
});
