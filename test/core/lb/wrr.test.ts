// wrr, traced by hand from ip_vs_wrr.c (rule book §2 and its worked examples).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REQ, boundOverList, run, serviceInListOrder } from './helpers.ts';

const w432 = [
  { id: 'a', weight: 4 },
  { id: 'b', weight: 3 },
  { id: 'c', weight: 2 },
];

test('wrr 4,3,2 bound over all dests ("bulk"): aababcabc repeating', () => {
  assert.equal(run(boundOverList('wrr', w432), 27), 'aababcabc'.repeat(3));
});

test('wrr 4,3,2 built dest by dest (NEW_DEST c, b, a): one cw=1 pass abc, then aababcabc', () => {
  assert.equal(run(serviceInListOrder('wrr', w432), 21), 'abc' + 'aababcabc'.repeat(2));
});

test('wrr 6,4,2 (di=2, mw=5, passes 5,3,1) gives the same sequence as 3,2,1', () => {
  const w621 = [
    { id: 'a', weight: 6 },
    { id: 'b', weight: 4 },
    { id: 'c', weight: 2 },
  ];
  const w321 = [
    { id: 'a', weight: 3 },
    { id: 'b', weight: 2 },
    { id: 'c', weight: 1 },
  ];
  assert.equal(run(boundOverList('wrr', w621), 12), 'aababc'.repeat(2));
  assert.equal(run(boundOverList('wrr', w321), 12), 'aababc'.repeat(2));
  // Incremental 6,4,2: cw stays 1 through the adds ((1/2)*2+1), so one abc pass comes first.
  assert.equal(run(serviceInListOrder('wrr', w621), 9), 'abc' + 'aababc');
});

test('wrr skips an OVERLOAD dest but keeps its weight in gcd/max: b b c b c', () => {
  const vs = boundOverList('wrr', w432);
  vs.setOverload('a', true);
  assert.equal(run(vs, 10), 'bbcbc'.repeat(2));
});

test('wrr with every dest overloaded returns null, then restarts from the head at cw = mw', () => {
  const vs = boundOverList('wrr', w432);
  assert.equal(run(vs, 1), 'a');
  for (const id of ['a', 'b', 'c']) vs.setOverload(id, true);
  assert.equal(vs.schedule(REQ), null);
  for (const id of ['a', 'b', 'c']) vs.setOverload(id, false);
  assert.equal(run(vs, 9), 'aababcabc');
});

test('wrr: every edit (even a no-op) resets the position to the head and keeps cw when it fits', () => {
  const vs = boundOverList('wrr', w432);
  assert.equal(run(vs, 2), 'aa'); // cw = 3 now, position a
  vs.editServer('c', {});
  // cl = head, cw stays 3: a, b at cw 3; then cw 2: a b c ...
  assert.equal(run(vs, 7), 'ababcab');
});

test('wrr: all weights 0 -> mw = 0 -> null', () => {
  const vs = boundOverList('wrr', [
    { id: 'a', weight: 0 },
    { id: 'b', weight: 0 },
  ]);
  assert.equal(vs.schedule(REQ), null);
});
