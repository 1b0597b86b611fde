// lblc (rule book §9) and its collector (ip_vs_lblc_check_expire: a tick every 60 s from bind time,
// a full sweep every 30th tick, a partial sweep of 6-minute-idle entries above 16 * 1024 entries).
// List order c, b, a, all weight 1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Request } from '../../../core/lb/index.ts';
import { hash32, parseAddress } from '../../../core/lb/index.ts';
import { REQ, serviceInListOrder } from './helpers.ts';

const cba = [
  { id: 'c', weight: 1 },
  { id: 'b', weight: 1 },
  { id: 'a', weight: 1 },
];
const to = (daddr: string, time?: number): Request => ({
  ...REQ,
  daddr,
  ...(time === undefined ? {} : { time }),
});

test('lblc: a new destination address gets the wlc choice and keeps it while it is usable', () => {
  const vs = serviceInListOrder('lblc', cba);
  assert.equal(vs.schedule(to('203.0.113.1')), 'c');
  vs.setConns('c', { inactConns: 50 }); // wlc would now pick b, but the cache holds c
  assert.equal(vs.schedule(to('203.0.113.1')), 'c');
  assert.equal(vs.schedule(to('203.0.113.2')), 'b');
});

test('lblc: is_overloaded (active > weight while some dest has active*2 < weight) re-schedules and replaces', () => {
  const vs = serviceInListOrder('lblc', cba);
  assert.equal(vs.schedule(to('203.0.113.1')), 'c');
  vs.setConns('c', { activeConns: 5 });
  assert.equal(vs.schedule(to('203.0.113.1')), 'b');
  vs.setConns('c', { activeConns: 0 });
  assert.equal(vs.schedule(to('203.0.113.1')), 'b'); // the entry now points at b
});

test('lblc: active > weight alone is not overload when no dest is below half its weight', () => {
  const vs = serviceInListOrder('lblc', cba);
  assert.equal(vs.schedule(to('203.0.113.1')), 'c');
  vs.setConns('c', { activeConns: 5 });
  vs.setConns('b', { activeConns: 1 });
  vs.setConns('a', { activeConns: 1 });
  assert.equal(vs.schedule(to('203.0.113.1')), 'c');
});

test('lblc: the OVERLOAD flag does not stop a cached dest, only a new choice', () => {
  const vs = serviceInListOrder('lblc', cba);
  assert.equal(vs.schedule(to('203.0.113.1')), 'c');
  vs.setOverload('c', true);
  assert.equal(vs.schedule(to('203.0.113.1')), 'c');
  assert.equal(vs.schedule(to('203.0.113.9')), 'b');
});

test('lblc: a removed dest is skipped; brought back from the trash, its cache entries are valid again', () => {
  const vs = serviceInListOrder('lblc', cba);
  assert.equal(vs.schedule(to('203.0.113.1')), 'c');
  assert.equal(vs.schedule(to('203.0.113.2')), 'c');
  vs.bind('c', 'inactive'); // so that wlc prefers b once c is back
  vs.removeServer('c');
  assert.equal(vs.schedule(to('203.0.113.1')), 'b'); // entry replaced
  vs.addServer({ id: 'c', addr: '10.0.0.1', port: 80, weight: 1 });
  assert.equal(vs.schedule(to('203.0.113.1')), 'b');
  assert.equal(vs.schedule(to('203.0.113.2')), 'c'); // untouched entry, dest AVAILABLE again
});

test('lblc collector: an entry idle for lblc_expiration goes at the next full sweep (every 1800 s)', () => {
  const at = (time: number, expiration?: number): string | number | null => {
    const vs = serviceInListOrder(
      'lblc',
      cba,
      expiration === undefined ? {} : { lblcExpiration: expiration },
    );
    assert.equal(vs.schedule(to('203.0.113.1', 0)), 'c');
    vs.setConns('c', { inactConns: 5 }); // a fresh choice would be b
    return vs.schedule(to('203.0.113.1', time));
  };
  // Default 24 h: the full sweep at 86400 = 48 * 1800 frees it; at 86399 the sweep of 84600 kept it.
  assert.equal(at(86399), 'c');
  assert.equal(at(86400), 'b');
  // 600 s expiration: still there until the first full sweep at 1800.
  assert.equal(at(1799, 600), 'c');
  assert.equal(at(1800, 600), 'b');
});

test('lblc collector: each lookup refreshes lastuse', () => {
  const vs = serviceInListOrder('lblc', cba, { lblcExpiration: 600 });
  assert.equal(vs.schedule(to('203.0.113.1', 0)), 'c');
  vs.setConns('c', { inactConns: 5 });
  assert.equal(vs.schedule(to('203.0.113.1', 1700)), 'c');
  assert.equal(vs.schedule(to('203.0.113.1', 2000)), 'c'); // sweep at 1800: idle 100 < 600
  assert.equal(vs.schedule(to('203.0.113.1', 3600)), 'b'); // sweep at 3600: idle 1600
});

test('lblc collector: above 16384 entries, 6-minute-idle entries go bucket by bucket from the rover', () => {
  const vs = serviceInListOrder('lblc', cba);
  const addr = (i: number): string => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
  const bucket = (i: number): number => hash32(parseAddress(addr(i), 'x').fold, 10);
  const N = 16400;
  for (let i = 0; i < N; i++) vs.schedule(to(addr(i), 0));
  vs.setConns('c', { inactConns: 5 }); // every entry points at c; a fresh choice is b
  let inBucket1 = -1;
  let inBucket900 = -1;
  for (let i = 0; i < N && (inBucket1 < 0 || inBucket900 < 0); i++) {
    if (bucket(i) === 1 && inBucket1 < 0) inBucket1 = i;
    if (bucket(i) === 900 && inBucket900 < 0) inBucket900 = i;
  }
  // Ticks at 60..300 find nothing idle for 360 s; the tick at 360 sweeps from bucket 1 with
  // goal (16400 - 16384) * 4 / 3 = 21: bucket 1 goes (and 2, ... until 21 are gone), bucket 900 stays.
  assert.equal(vs.schedule(to(addr(inBucket1), 360)), 'b');
  assert.equal(vs.schedule(to(addr(inBucket900), 360)), 'c');
});
