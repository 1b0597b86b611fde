// lc, wlc, sed, nq: overheads and tie-breaks worked out by hand from the rule book (§0.4, §3-§6).
// List order is c, b, a throughout (added a, b, c).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SchedulerName } from '../../../core/lb/index.ts';
import { REQ, serviceInListOrder } from './helpers.ts';

interface Row {
  id: string;
  weight: number;
  active?: number;
  inact?: number;
  overload?: boolean;
}

const pick = (scheduler: SchedulerName, rows: Row[]): string | number | null => {
  const vs = serviceInListOrder(
    scheduler,
    rows.map((r) => ({ id: r.id, weight: r.weight })),
  );
  for (const r of rows) {
    vs.setConns(r.id, { activeConns: r.active ?? 0, inactConns: r.inact ?? 0 });
    if (r.overload) vs.setOverload(r.id, true);
  }
  return vs.schedule(REQ);
};

test('lc: overhead = active*256 + inactive; strict <, so the first minimum in list order wins', () => {
  // c 256, b 1, a 1 -> b (first of the two minima).
  const rows: Row[] = [
    { id: 'c', weight: 1, active: 1 },
    { id: 'b', weight: 1, inact: 1 },
    { id: 'a', weight: 1, inact: 1 },
  ];
  assert.equal(pick('lc', rows), 'b');
  // All idle: the head of the list.
  assert.equal(
    pick('lc', [
      { id: 'c', weight: 1 },
      { id: 'b', weight: 1 },
    ]),
    'c',
  );
});

test('lc: weights other than 0 are ignored; weight 0 and OVERLOAD are skipped', () => {
  assert.equal(
    pick('lc', [
      { id: 'c', weight: 100, inact: 2 },
      { id: 'b', weight: 1, inact: 1 },
    ]),
    'b',
  );
  assert.equal(
    pick('lc', [
      { id: 'c', weight: 0 },
      { id: 'b', weight: 1, inact: 1, overload: true },
      { id: 'a', weight: 1, inact: 5 },
    ]),
    'a',
  );
  assert.equal(pick('lc', [{ id: 'c', weight: 0 }]), null);
});

test('lc: 255 inactive connections weigh less than one active one (<<8, not <<5)', () => {
  assert.equal(
    pick('lc', [
      { id: 'c', weight: 1, active: 1 },
      { id: 'b', weight: 1, inact: 255 },
    ]),
    'b',
  );
  // With <<5 this would be 32 vs 33 and pick c.
  assert.equal(
    pick('lc', [
      { id: 'c', weight: 1, active: 1 },
      { id: 'b', weight: 1, inact: 33 },
    ]),
    'b',
  );
});

test('wlc: least overhead/weight; equal ratios keep the earlier dest', () => {
  // c 512/1, b 256/2 = 128, a 256/3 = 85.3 -> a.
  assert.equal(
    pick('wlc', [
      { id: 'c', weight: 1, active: 2 },
      { id: 'b', weight: 2, active: 1 },
      { id: 'a', weight: 3, active: 1 },
    ]),
    'a',
  );
  // c 256/1 and b 512/2 tie -> c.
  assert.equal(
    pick('wlc', [
      { id: 'c', weight: 1, active: 1 },
      { id: 'b', weight: 2, active: 2 },
    ]),
    'c',
  );
});

test('wlc: a leading weight-0 dest is passed over; OVERLOAD dests are skipped', () => {
  assert.equal(
    pick('wlc', [
      { id: 'c', weight: 0 },
      { id: 'b', weight: 1, active: 3 },
      { id: 'a', weight: 1, active: 2, overload: true },
    ]),
    'b',
  );
  // A weight-0 dest after `least` never wins, even when idle.
  assert.equal(
    pick('wlc', [
      { id: 'c', weight: 1, active: 3 },
      { id: 'b', weight: 0 },
    ]),
    'c',
  );
});

test('sed ignores inactive connections where wlc counts them', () => {
  const rows: Row[] = [
    { id: 'c', weight: 1, inact: 300 },
    { id: 'b', weight: 1, active: 1 },
  ];
  assert.equal(pick('wlc', rows), 'b'); // 300 vs 256
  assert.equal(pick('sed', rows), 'c'); // (0+1)/1 vs (1+1)/1
});

test('sed: all idle, the expected delay 1/w favours the heavier dest; nq takes the first idle one', () => {
  const rows: Row[] = [
    { id: 'c', weight: 1 },
    { id: 'b', weight: 3 },
  ];
  assert.equal(pick('sed', rows), 'b');
  assert.equal(pick('nq', rows), 'c');
});

test('nq: an idle dest anywhere in the list wins at once; otherwise the sed choice', () => {
  assert.equal(
    pick('nq', [
      { id: 'c', weight: 1, active: 1 },
      { id: 'b', weight: 3, active: 2 },
      { id: 'a', weight: 1, inact: 50 },
    ]),
    'a',
  );
  // c (1+1)/1 = 2, b (2+1)/3 = 1 -> b.
  assert.equal(
    pick('nq', [
      { id: 'c', weight: 1, active: 1 },
      { id: 'b', weight: 3, active: 2 },
    ]),
    'b',
  );
  // Idle but weight 0 or overloaded does not count.
  assert.equal(
    pick('nq', [
      { id: 'c', weight: 0 },
      { id: 'b', weight: 1, overload: true },
      { id: 'a', weight: 1, active: 7 },
    ]),
    'a',
  );
});

test('sed/wlc products are 64-bit: x*x > (x+1)*(x-1) even where doubles round both to one value', () => {
  // x = 2^31 - 2. least = c with overhead x (active x-1) and weight x-1; b has overhead x+1, weight x.
  // loh * w(b) = x^2 > doh * w(c) = x^2 - 1, so b replaces c; in doubles both are the same number.
  const x = 0x7ffffffe;
  assert.equal(x * x, (x + 1) * (x - 1));
  assert.equal(
    pick('sed', [
      { id: 'c', weight: x - 1, active: x - 1 },
      { id: 'b', weight: x, active: x },
    ]),
    'b',
  );
});
