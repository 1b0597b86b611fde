// dh and sh tables and lookups (rule book §7, §8, §12); bucket numbers worked by hand in
// hash-functions.test.ts: hash_32(10.0.0.1, 8) = 39, hash_32(10.0.0.2, 8) = 137.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Request } from '../../../core/lb/index.ts';
import { REQ, serviceInListOrder } from './helpers.ts';

const to = (daddr: string): Request => ({ ...REQ, daddr });
const from = (saddr: string, sport = 0, proto: Request['proto'] = 'tcp'): Request => ({
  ...REQ,
  saddr,
  sport,
  proto,
});

test('dh table: bucket i holds list index i mod n, weights ignored', () => {
  const vs = serviceInListOrder('dh', [
    { id: 'c', weight: 1 },
    { id: 'b', weight: 5 },
    { id: 'a', weight: 1 },
  ]);
  const table = vs.table()!;
  assert.equal(table.length, 256);
  assert.deepEqual(table.slice(0, 7), ['c', 'b', 'a', 'c', 'b', 'a', 'c']);
  assert.equal(table[255], 'c'); // 255 mod 3 = 0
});

test('dh: daddr 10.0.0.1 -> bucket 39 -> 39 mod 3 = 0 -> c; no fallback when that dest is unusable', () => {
  const vs = serviceInListOrder('dh', [
    { id: 'c', weight: 1 },
    { id: 'b', weight: 1 },
    { id: 'a', weight: 1 },
  ]);
  assert.equal(vs.schedule(to('10.0.0.1')), 'c');
  // 10.0.0.2 -> bucket 137 -> 137 mod 3 = 2 -> a.
  assert.equal(vs.schedule(to('10.0.0.2')), 'a');
  vs.editServer('c', { weight: 0 }); // no upd_dest: the table stays, the dest is unusable
  assert.equal(vs.table()![0], 'c');
  assert.equal(vs.schedule(to('10.0.0.1')), null);
  vs.editServer('c', { weight: 1 });
  vs.setOverload('c', true);
  assert.equal(vs.schedule(to('10.0.0.1')), null);
});

test('dh: removing a dest rebuilds the table over the remaining list', () => {
  const vs = serviceInListOrder('dh', [
    { id: 'c', weight: 1 },
    { id: 'b', weight: 1 },
    { id: 'a', weight: 1 },
  ]);
  vs.removeServer('b');
  assert.deepEqual(vs.table()!.slice(0, 4), ['c', 'a', 'c', 'a']);
  // 39 mod 2 = 1 -> a
  assert.equal(vs.schedule(to('10.0.0.1')), 'a');
});

test('dh and sh fold IPv6 addresses by XOR of the four words', () => {
  const vs = serviceInListOrder('dh', [{ id: 'only', weight: 1 }]);
  assert.equal(vs.schedule(to('2001:db8::a00:1')), 'only');
  const v6 = serviceInListOrder('dh', [
    { id: 'c', weight: 1 },
    { id: 'b', weight: 1 },
  ]);
  // An IPv6 address whose fold equals 10.0.0.1 lands in bucket 39 too: 39 mod 2 = 1 -> b.
  assert.equal(v6.schedule(to('::a00:1')), 'b');
  // 1:2:3:4:1:2:3:4 folds to 0x00010002 ^ 0x00030004 ^ 0x00010002 ^ 0x00030004 = 0, like ::.
  assert.equal(v6.schedule(to('1:2:3:4:1:2:3:4')), v6.schedule(to('::')));
});

test('sh table: each dest fills `weight` consecutive buckets; weights 2,1 tile as a a b', () => {
  const vs = serviceInListOrder('sh', [
    { id: 'a', weight: 2 },
    { id: 'b', weight: 1 },
  ]);
  assert.equal(vs.table()!.join(''), 'aab'.repeat(85) + 'a');
});

test('sh table: a weight-0 dest still takes one bucket per cycle; a weight >= 256 head takes all', () => {
  const vs = serviceInListOrder('sh', [
    { id: 'a', weight: 2 },
    { id: 'z', weight: 0 },
    { id: 'b', weight: 1 },
  ]);
  assert.equal(vs.table()!.join('').slice(0, 12), 'aazbaazbaazb');
  vs.editServer('a', { weight: 300 }); // upd_dest rebuilds
  assert.equal(vs.table()!.join(''), 'a'.repeat(256));
});

test('sh: saddr 10.0.0.1 -> bucket 39 (a); with the port flag, sport 1 -> 10.0.0.2 -> bucket 137 (b)', () => {
  const defs = [
    { id: 'a', weight: 2 },
    { id: 'b', weight: 1 },
  ];
  const plain = serviceInListOrder('sh', defs);
  assert.equal(plain.schedule(from('10.0.0.1', 1)), 'a');
  const withPort = serviceInListOrder('sh', defs, { flags: { shPort: true } });
  assert.equal(withPort.schedule(from('10.0.0.1', 1)), 'b'); // 137 mod 3 = 2 -> b
  // The port only counts for TCP, UDP and SCTP.
  assert.equal(withPort.schedule(from('10.0.0.1', 1, 'icmp')), 'a');
  assert.equal(withPort.schedule(from('10.0.0.1', 1, 'udp')), 'b');
});

test('sh: an unavailable bucket gives null, or with sh-fallback the re-hash offset walk', () => {
  const defs = [
    { id: 'a', weight: 2 },
    { id: 'b', weight: 1 },
  ];
  const plain = serviceInListOrder('sh', defs);
  plain.setOverload('a', true);
  assert.equal(plain.schedule(from('10.0.0.1')), null);
  // Fallback: buckets (offset + 2*39) mod 256 = 78 (a), 79 (a), 80 (b) -> b.
  const fb = serviceInListOrder('sh', defs, { flags: { shFallback: true } });
  fb.setOverload('a', true);
  assert.equal(fb.schedule(from('10.0.0.1')), 'b');
  fb.setOverload('b', true);
  assert.equal(fb.schedule(from('10.0.0.1')), null);
});

test('sh and dh with no dests have an all-empty table and return null', () => {
  for (const s of ['sh', 'dh'] as const) {
    const vs = serviceInListOrder(s, []);
    assert.deepEqual(new Set(vs.table()), new Set([null]));
    assert.equal(vs.schedule(REQ), null);
  }
});
