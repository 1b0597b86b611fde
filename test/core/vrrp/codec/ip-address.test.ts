import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { canonicalIp, compareIp, familyOf, parseIpv4, parseIpv6 } from '../../../../core/vrrp/index.ts';
import { ipv6 } from './arbitraries.ts';

test('IPv4 parsing accepts dotted quads only', () => {
  assert.deepEqual(parseIpv4('192.168.0.1'), Uint8Array.of(192, 168, 0, 1));
  for (const bad of ['256.0.0.1', '1.2.3', '1.2.3.4.5', '01.2.3.4', '1.2.3.x', '', ' 1.2.3.4'])
    assert.equal(parseIpv4(bad), undefined, bad);
});

test('IPv6 text is canonicalised per RFC 5952', () => {
  assert.equal(canonicalIp('FE80:0:0:0:0:0:0:1'), 'fe80::1');
  assert.equal(canonicalIp('2001:db8:0:0:1:0:0:1'), '2001:db8::1:0:0:1');
  assert.equal(canonicalIp('2001:db8:0:1:1:1:1:1'), '2001:db8:0:1:1:1:1:1');
  assert.equal(canonicalIp('::'), '::');
  assert.equal(canonicalIp('::ffff:10.0.0.1'), '::ffff:a00:1');
  for (const bad of ['1::2::3', '1:2:3:4:5:6:7:8:9', '12345::', 'g::1', '1:2:3:4:5:6:7::8'])
    assert.equal(parseIpv6(bad), undefined, bad);
  fc.assert(fc.property(ipv6, (text) => assert.equal(canonicalIp(text), text)));
});

test('addresses compare as unsigned integers in network byte order', () => {
  assert.equal(compareIp('10.0.0.2', '10.0.0.10'), -1);
  assert.equal(compareIp('192.168.0.1', '10.0.0.1'), 1);
  assert.equal(compareIp('fe80::2', 'fe80::2'), 0);
  assert.equal(familyOf('fe80::2'), 'ipv6');
  assert.equal(familyOf('nope'), undefined);
});

test('IPv4 text round-trips and arbitrary strings never parse into something else', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 4, maxLength: 4 }), (b) => {
      assert.deepEqual(parseIpv4(`${b[0]}.${b[1]}.${b[2]}.${b[3]}`), b);
    }),
  );
  fc.assert(
    fc.property(fc.oneof(fc.string({ maxLength: 20 }), fc.stringMatching(/^[0-9.]{1,16}$/)), (text) => {
      const parsed = parseIpv4(text);
      if (parsed) assert.equal(`${parsed[0]}.${parsed[1]}.${parsed[2]}.${parsed[3]}`, text);
    }),
    { numRuns: 2000 },
  );
});
