// Persistence (rule book §16): templates keyed by <proto, client net, vaddr, vport>, valid while
// now < lastUse + timeout, refreshed on use, surviving weight 0 and OVERLOAD, not a removed dest.
// rr over the list c, b, a makes every fresh scheduler call visible: c, b, a, c, ...
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Request, VirtualServiceOptions } from '../../../core/lb/index.ts';
import { REQ, serviceInListOrder } from './helpers.ts';

const cba = [
  { id: 'c', weight: 1 },
  { id: 'b', weight: 1 },
  { id: 'a', weight: 1 },
];
const persistent = (
  persistence: VirtualServiceOptions['persistence'],
  extra: Partial<VirtualServiceOptions> = {},
) => serviceInListOrder('rr', cba, { persistence, ...extra });
const from = (saddr: string, time: number, more: Partial<Request> = {}): Request => ({
  ...REQ,
  saddr,
  time,
  ...more,
});
const persistOf = (vs: ReturnType<typeof persistent>): Record<string, number> =>
  Object.fromEntries(vs.servers().map((s) => [String(s.id), s.persistConns]));

test('persistence: the same client sticks; a new client calls the scheduler; templates count as persistConns', () => {
  const vs = persistent({ timeout: 300 });
  assert.equal(vs.schedule(from('192.0.2.1', 0)), 'c');
  assert.equal(vs.schedule(from('192.0.2.1', 1)), 'c');
  assert.equal(vs.schedule(from('192.0.2.2', 2)), 'b');
  assert.equal(vs.schedule(from('192.0.2.1', 3)), 'c');
  assert.deepEqual(persistOf(vs), { c: 1, b: 1, a: 0 });
  // Normal connection counters are the caller's to bind.
  assert.deepEqual(
    vs.servers().map((s) => s.activeConns + s.inactConns),
    [0, 0, 0],
  );
});

test('persistence granularity: netmask 255.255.255.0 groups a /24; a prefix length 24 does the same', () => {
  for (const netmask of ['255.255.255.0', 24] as const) {
    const vs = persistent({ timeout: 300, netmask });
    assert.equal(vs.schedule(from('10.1.1.5', 0)), 'c');
    assert.equal(vs.schedule(from('10.1.1.77', 0)), 'c');
    assert.equal(vs.schedule(from('10.1.2.5', 0)), 'b');
  }
});

test('persistence granularity for IPv6 is a prefix length', () => {
  const vs = persistent({ timeout: 300, netmask: 64 });
  assert.equal(vs.schedule(from('2001:db8::1', 0, { daddr: '2001:db8:ffff::1' })), 'c');
  assert.equal(vs.schedule(from('2001:db8::2', 0, { daddr: '2001:db8:ffff::1' })), 'c');
  assert.equal(vs.schedule(from('2001:db8:0:1::1', 0, { daddr: '2001:db8:ffff::1' })), 'b');
});

test('persistence expiry: valid while now < lastUse + timeout; every use restarts the timer', () => {
  const vs = persistent({ timeout: 300 });
  assert.equal(vs.schedule(from('192.0.2.1', 0)), 'c');
  assert.equal(vs.schedule(from('192.0.2.1', 299)), 'c');
  assert.equal(vs.schedule(from('192.0.2.1', 598)), 'c');
  assert.deepEqual(persistOf(vs), { c: 1, b: 0, a: 0 });
  assert.equal(vs.schedule(from('192.0.2.1', 898)), 'b'); // 898 >= 598 + 300: expired
  assert.deepEqual(persistOf(vs), { c: 0, b: 1, a: 0 });
});

test('persistence: a quiesced (weight 0) or overloaded server keeps its sticky clients', () => {
  const vs = persistent({ timeout: 300 });
  assert.equal(vs.schedule(from('192.0.2.1', 0)), 'c');
  vs.editServer('c', { weight: 0 });
  assert.equal(vs.schedule(from('192.0.2.1', 1)), 'c');
  vs.editServer('c', { weight: 1 });
  vs.setOverload('c', true);
  assert.equal(vs.schedule(from('192.0.2.1', 2)), 'c');
  assert.equal(vs.schedule(from('192.0.2.9', 3)), 'b'); // new clients skip the overloaded c
});

test('expire_quiescent_template: weight 0 invalidates; the old template counts until its timer fires', () => {
  const vs = persistent({ timeout: 300, expireQuiescentTemplate: true });
  assert.equal(vs.schedule(from('192.0.2.1', 0)), 'c');
  vs.editServer('c', { weight: 0 });
  assert.equal(vs.schedule(from('192.0.2.1', 10)), 'b');
  assert.deepEqual(persistOf(vs), { c: 1, b: 1, a: 0 });
  assert.equal(vs.schedule(from('192.0.2.1', 300)), 'b');
  assert.deepEqual(persistOf(vs), { c: 0, b: 1, a: 0 });
});

test('persistence: a removed server loses its clients; re-added before they return, it keeps them', () => {
  const vs = persistent({ timeout: 300 });
  assert.equal(vs.schedule(from('192.0.2.1', 0)), 'c');
  assert.equal(vs.schedule(from('192.0.2.2', 0)), 'b');
  vs.removeServer('c');
  assert.equal(vs.schedule(from('192.0.2.1', 1)), 'a');
  vs.removeServer('b');
  vs.addServer({ id: 'b', addr: '10.0.0.2', port: 80, weight: 1 });
  assert.equal(vs.schedule(from('192.0.2.2', 2)), 'b');
});

test('persistence key: another vport on a port service, any port on a fwmark service', () => {
  const port80 = persistent({ timeout: 300 });
  assert.equal(port80.schedule(from('192.0.2.1', 0, { dport: 80 })), 'c');
  assert.equal(port80.schedule(from('192.0.2.1', 0, { dport: 443 })), 'b'); // vport 0 template
  assert.equal(port80.schedule(from('192.0.2.1', 0, { dport: 8443 })), 'b'); // same vport-0 template
  const fwm = persistent({ timeout: 300 }, { port: 0, fwmark: 7 });
  assert.equal(fwm.schedule(from('192.0.2.1', 0, { daddr: '198.51.100.1', dport: 80 })), 'c');
  assert.equal(fwm.schedule(from('192.0.2.1', 0, { daddr: '198.51.100.2', dport: 443, proto: 'udp' })), 'c');
  const port0 = persistent({ timeout: 300 }, { port: 0 });
  assert.equal(port0.schedule(from('192.0.2.1', 0, { daddr: '198.51.100.1', dport: 80 })), 'c');
  assert.equal(port0.schedule(from('192.0.2.1', 0, { daddr: '198.51.100.1', dport: 443 })), 'c');
  assert.equal(port0.schedule(from('192.0.2.1', 0, { daddr: '198.51.100.2', dport: 443 })), 'b');
});

test('persistence: a template bind runs the upper-threshold check (active + inactive only)', () => {
  const vs = serviceInListOrder(
    'rr',
    [
      { id: 'c', weight: 1, uThreshold: 1 },
      { id: 'b', weight: 1 },
    ],
    { persistence: { timeout: 60 } },
  );
  vs.setConns('c', { activeConns: 1 }); // no check runs on setConns
  assert.equal(vs.servers()[0]!.flags & 0x2, 0);
  assert.equal(vs.schedule(from('192.0.2.1', 0)), 'c');
  assert.equal(vs.servers()[0]!.flags & 0x2, 0x2);
  // Expiry unbinds the template: total 1 * 4 < 1 * 3 is false, so OVERLOAD stays.
  assert.equal(vs.schedule(from('192.0.2.5', 100)), 'b');
  assert.equal(vs.servers()[0]!.persistConns, 0);
  assert.equal(vs.servers()[0]!.flags & 0x2, 0x2);
});

test('persistence: time defaults to the last time seen, and may not go backwards', () => {
  const vs = persistent({ timeout: 300 });
  assert.equal(vs.schedule(from('192.0.2.1', 100)), 'c');
  assert.equal(vs.schedule({ ...REQ, saddr: '192.0.2.1' }), 'c');
  assert.throws(() => vs.schedule(from('192.0.2.1', 99)), /schedule\.time: time went backwards/);
});
