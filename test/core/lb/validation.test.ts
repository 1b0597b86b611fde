// Bad input gets an error naming the call and field, and changes nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LbInputError, createVirtualService, parseAddress } from '../../../core/lb/index.ts';
import type { VirtualServiceOptions } from '../../../core/lb/index.ts';
import { REQ, serviceInListOrder } from './helpers.ts';

const base: VirtualServiceOptions = { scheduler: 'rr', flags: {}, port: 80, fwmark: 0 };

test('createVirtualService refuses unknown schedulers and bad options, naming the field', () => {
  const bad: [Partial<Record<string, unknown>>, RegExp][] = [
    [{ scheduler: 'wrrr' }, /^scheduler: unknown scheduler "wrrr"/],
    [{ port: 70000 }, /^port: expected an integer in 0\.\.65535/],
    [{ fwmark: -1 }, /^fwmark: /],
    [{ flags: { shPort: 'yes' } }, /^flags\.shPort: expected a boolean/],
    [{ persistence: { timeout: 0 } }, /^persistence\.timeout: expected a positive number/],
    [
      { persistence: { timeout: 60, netmask: 129 } },
      /^persistence\.netmask: a prefix length must be 1\.\.128/,
    ],
    [{ persistence: { timeout: 60, netmask: '255.255.0.300' } }, /^persistence\.netmask: /],
    [{ lblcrExpiration: -5 }, /^lblcrExpiration: /],
    [{ scheduler: 'twos' }, /^scheduler: the twos scheduler draws random numbers/],
    [{ random: 3 }, /^random: expected a function/],
  ];
  for (const [patch, message] of bad) {
    assert.throws(
      () => createVirtualService({ ...base, ...patch } as VirtualServiceOptions),
      (e: unknown) => e instanceof LbInputError && message.test(e.message),
      JSON.stringify(patch),
    );
  }
  // A Random port object is accepted as well as a function.
  const vs = createVirtualService({ ...base, scheduler: 'twos', random: { below: () => 0 } });
  vs.addServer({ id: 'a', addr: '10.0.0.1', port: 80, weight: 1 });
  assert.equal(vs.schedule(REQ), 'a');
});

test('addServer refuses bad or duplicate servers and leaves the list as it was', () => {
  const vs = serviceInListOrder('wrr', [
    { id: 'a', weight: 1 },
    { id: 'b', weight: 2 },
  ]);
  const before = vs.servers();
  const attempts: [Record<string, unknown>, RegExp][] = [
    [{ id: 'c', addr: '10.0.0.256', port: 80, weight: 1 }, /addServer\.addr: "10\.0\.0\.256" is not a valid/],
    [{ id: 'c', addr: '2001:db8:::1', port: 80, weight: 1 }, /addServer\.addr: .* not a valid IPv6/],
    [
      { id: 'c', addr: '10.0.0.9', port: 80, weight: -1 },
      /addServer\.weight: expected an integer in 0\.\.2147483647/,
    ],
    [{ id: 'c', addr: '10.0.0.9', port: 80, weight: 1.5 }, /addServer\.weight/],
    [{ id: 'c', addr: '10.0.0.9', port: -1, weight: 1 }, /addServer\.port/],
    [
      { id: 'c', addr: '10.0.0.9', port: 80, weight: 1, uThreshold: 2, lThreshold: 3 },
      /addServer\.lThreshold: lower/,
    ],
    [{ id: 'a', addr: '10.0.0.9', port: 80, weight: 1 }, /addServer\.id: a server with id "a" is already/],
    [{ id: 'c', addr: '10.0.0.1', port: 80, weight: 1 }, /addServer\.addr: 10\.0\.0\.1 port 80 is already/],
    [{ id: '', addr: '10.0.0.9', port: 80, weight: 1 }, /addServer\.id/],
  ];
  for (const [spec, message] of attempts) {
    assert.throws(() => vs.addServer(spec as never), message, JSON.stringify(spec));
  }
  assert.deepEqual(vs.servers(), before);
});

test('unknown ids, kinds and request fields are refused by name', () => {
  const vs = serviceInListOrder('rr', [{ id: 'a', weight: 1 }]);
  assert.throws(() => vs.editServer('zz', { weight: 1 }), /editServer\.id: no server with id "zz"/);
  assert.throws(() => vs.removeServer('zz'), /removeServer\.id/);
  assert.throws(() => vs.bind('a', 'open' as never), /bind\.kind: expected one of active, inactive, persist/);
  assert.throws(() => vs.setConns('a', { activeConns: -1 }), /setConns\.activeConns/);
  assert.throws(() => vs.schedule({ ...REQ, saddr: 'localhost' }), /schedule\.saddr/);
  assert.throws(() => vs.schedule({ ...REQ, proto: 'gre' }), /schedule\.proto: unknown protocol "gre"/);
  assert.throws(() => vs.schedule({ ...REQ, sport: 65536 }), /schedule\.sport/);
  assert.equal(vs.schedule({ ...REQ, proto: 6 }), 'a');
});

test('parseAddress accepts the RFC 4291 text forms and folds IPv6 by XOR of the words', () => {
  assert.deepEqual(parseAddress('2001:db8::1', 'x').words, [0x20010db8, 0, 0, 1]);
  assert.deepEqual(parseAddress('::ffff:192.0.2.1', 'x').words, [0, 0, 0xffff, 0xc0000201]);
  assert.deepEqual(parseAddress('::', 'x').words, [0, 0, 0, 0]);
  assert.equal(
    parseAddress('1:2:3:4:5:6:7:8', 'x').fold,
    (0x00010002 ^ 0x00030004 ^ 0x00050006 ^ 0x00070008) >>> 0,
  );
  assert.equal(parseAddress('2001:DB8::1', 'x').key, parseAddress('2001:db8:0:0::1', 'x').key);
  for (const bad of ['1.2.3', '01.2.3.4', '1::2::3', '1:2:3:4:5:6:7:8:9', 'fe80::1%eth0', '12345::']) {
    assert.throws(() => parseAddress(bad, 'f'), /^LbInputError: f: |f: /, bad);
  }
});
