import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalCidr, checkCidr } from '../../../core/model/index.ts';

test('cidr: canonical blocks pass, IPv6 text is made RFC 5952', () => {
  assert.deepEqual(checkCidr('10.0.0.0/18'), { ok: true, cidr: '10.0.0.0/18', family: 'inet' });
  assert.deepEqual(checkCidr('10.9.9.9/32'), { ok: true, cidr: '10.9.9.9/32', family: 'inet' });
  assert.deepEqual(checkCidr('0.0.0.0/0'), { ok: true, cidr: '0.0.0.0/0', family: 'inet' });
  assert.deepEqual(checkCidr('FD00:0009:0:0::9/128'), { ok: true, cidr: 'fd00:9::9/128', family: 'inet6' });
  assert.deepEqual(checkCidr('2001:db8::/32'), { ok: true, cidr: '2001:db8::/32', family: 'inet6' });
});

test('cidr: host bits are refused with the network named (EC2 would store that instead)', () => {
  const v4 = checkCidr('10.0.0.1/18');
  assert.ok(!v4.ok && v4.canonical === '10.0.0.0/18' && /host bits/.test(v4.message), JSON.stringify(v4));
  const v6 = checkCidr('fd00:9::9/64');
  assert.ok(!v6.ok && v6.canonical === 'fd00:9::/64', JSON.stringify(v6));
  assert.equal(canonicalCidr('10.0.0.1/18'), '10.0.0.0/18');
  assert.equal(canonicalCidr('10.1.2.3/0'), '0.0.0.0/0');
});

test('cidr: not a block at all', () => {
  for (const bad of [
    '10.0.0.1',
    '10.0.0.256/32',
    '10.0.0.0/33',
    'fd00::/129',
    'x/1',
    '10.0.0.0/',
    'fd00:::1/64',
  ])
    assert.equal(checkCidr(bad).ok, false, bad);
  assert.equal(canonicalCidr('nope'), null);
});
