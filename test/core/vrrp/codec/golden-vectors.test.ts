// Hand-computed vectors (test/fixtures/vrrp-vectors) and, when present, keepalived's own captured adverts
// (test/fixtures/vrrp-captures): decode must read every field, encode must reproduce every byte.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  decodeAdvert,
  encodeAdvert,
  passAuthData,
  type IpHeaderInfo,
  type VrrpAdvert,
} from '../../../../core/vrrp/index.ts';

interface Vector {
  name: string;
  ip: IpHeaderInfo;
  hex: string;
  checksumMode: 'v2' | 'pseudo-header' | 'as-v2';
  advert: Record<string, unknown>;
  password?: string;
}

const fromHex = (hex: string): Uint8Array => {
  const clean = hex.replace(/\s+/g, '');
  return Uint8Array.from({ length: clean.length / 2 }, (_, i) => parseInt(clean.slice(2 * i, 2 * i + 2), 16));
};
const toHex = (b: Uint8Array): string => [...b].map((x) => x.toString(16).padStart(2, '0')).join('');

function advertOf(v: Vector): VrrpAdvert {
  const { authDataHex, ...rest } = v.advert as { authDataHex?: string };
  return (authDataHex === undefined ? rest : { ...rest, authData: fromHex(authDataHex) }) as VrrpAdvert;
}

const here = import.meta.dirname;
const handMade = JSON.parse(
  readFileSync(join(here, '../../../fixtures/vrrp-vectors/hand-made.json'), 'utf8'),
) as { vectors: Vector[] };

for (const v of handMade.vectors) {
  test(`hand-made vector decodes: ${v.name}`, () => {
    const r = decodeAdvert(fromHex(v.hex), v.ip, { checksumAsV2: v.checksumMode === 'as-v2' });
    assert.equal(r.ok, true, JSON.stringify(r));
    if (!r.ok) return;
    assert.deepEqual(r.packet.advert, advertOf(v));
    assert.equal(r.packet.checksumMode, v.checksumMode);
  });

  test(`hand-made vector encodes byte for byte: ${v.name}`, () => {
    const r = encodeAdvert(advertOf(v), { ...v.ip, checksumAsV2: v.checksumMode === 'as-v2' });
    assert.equal(r.ok, true, JSON.stringify(r));
    if (r.ok) assert.equal(toHex(r.bytes), v.hex.replace(/\s+/g, ''));
  });
}

test('PASS auth data is the first 8 octets of the password, zero-padded', () => {
  const v = handMade.vectors.find((x) => x.password !== undefined);
  assert.ok(v?.password);
  assert.equal(toHex(passAuthData(v.password)), (v.advert as { authDataHex: string }).authDataHex);
  assert.equal(toHex(passAuthData('0123456789')), toHex(new TextEncoder().encode('01234567')));
});

test('a v3_checksum_as_v2 packet is refused unless the option is on', () => {
  const v = handMade.vectors.find((x) => x.checksumMode === 'as-v2');
  assert.ok(v);
  assert.deepEqual(decodeAdvert(fromHex(v.hex), v.ip), { ok: false, reason: 'checksum', vrid: 1 });
});

// keepalived's real packets, captured in the namespace lab by the on-prem engineer
// (test/fixtures/vrrp-captures/README.md): each file has `expect` (written by hand from the config) and
// `packets` with the IP header fields and `vrrpHex`.
interface CaptureFile {
  expect: {
    family: 4 | 6;
    version: 2 | 3;
    vrid: number;
    priority: number;
    advertIntSeconds?: number;
    advertIntCentiseconds?: number;
    addresses: string[];
    authType?: number;
    authPass?: string;
  };
  packets: Array<{
    kind: string;
    ip: {
      version: 4 | 6;
      ttl?: number;
      hopLimit?: number;
      protocol?: number;
      nextHeader?: number;
      source: string;
      destination: string;
    };
    vrrpHex: string;
  }>;
}

const capturesDir = join(here, '../../../fixtures/vrrp-captures');
const captureFiles = existsSync(capturesDir)
  ? // AH captures (IP protocol 51, VRRP behind the AH) have their own golden test: ah.test.ts.
    readdirSync(capturesDir).filter((f) => f.endsWith('.json') && !f.includes('-ah'))
  : [];

test('keepalived captures are present', () => {
  assert.ok(captureFiles.length >= 5, `expected keepalived captures in ${capturesDir}`);
});

for (const file of captureFiles) {
  const capture = JSON.parse(readFileSync(join(capturesDir, file), 'utf8')) as CaptureFile;
  for (const p of capture.packets) {
    test(`keepalived capture ${file} (${p.kind}) decodes to its config and re-encodes byte for byte`, () => {
      const ip: IpHeaderInfo = {
        family: p.ip.version === 4 ? 'ipv4' : 'ipv6',
        src: p.ip.source,
        dst: p.ip.destination,
        ttl: p.ip.ttl ?? p.ip.hopLimit ?? -1,
        protocol: p.ip.protocol ?? p.ip.nextHeader ?? -1,
      };
      const r = decodeAdvert(fromHex(p.vrrpHex), ip);
      assert.equal(r.ok, true, JSON.stringify(r));
      if (!r.ok) return;
      const a = r.packet.advert;
      const e = capture.expect;
      assert.equal(a.version, e.version);
      assert.equal(a.vrid, e.vrid);
      assert.equal(a.priority, p.kind === 'priority-zero-on-stop' ? 0 : e.priority);
      assert.deepEqual(a.addresses, e.addresses);
      if (a.version === 2) {
        assert.equal(a.advertIntervalSec, e.advertIntSeconds);
        assert.equal(a.authType, e.authType ?? 0);
        if (e.authPass !== undefined) assert.deepEqual(a.authData, passAuthData(e.authPass));
      } else assert.equal(a.maxAdvertIntervalCs, e.advertIntCentiseconds);
      const again = encodeAdvert(a, ip);
      assert.equal(again.ok, true);
      if (again.ok) assert.equal(toHex(again.bytes), p.vrrpHex.toLowerCase());
    });
  }
}
