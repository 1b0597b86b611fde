// twos (rule book §15): two weighted draws with get_random_u32_below(total + 1), keep the less loaded.
// List order a, b, c with weights 5, 3, 1: r in 0..5 -> a, 6..8 -> b, 9 -> c.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REQ, serviceInListOrder } from './helpers.ts';

const w531 = [
  { id: 'a', weight: 5 },
  { id: 'b', weight: 3 },
  { id: 'c', weight: 1 },
];

/** A random(n) that replays `draws` and records every n it was asked for. */
const scripted = (draws: number[]) => {
  const asked: number[] = [];
  let i = 0;
  const random = (n: number): number => {
    asked.push(n);
    const r = draws[i++];
    if (r === undefined) throw new Error('script exhausted');
    return r;
  };
  return { random, asked };
};

test('twos: with no connections every pair gives choice1; over all 100 pairs a, b, c = 60, 30, 10', () => {
  const draws: number[] = [];
  for (let r1 = 0; r1 < 10; r1++) for (let r2 = 0; r2 < 10; r2++) draws.push(r1, r2);
  const { random, asked } = scripted(draws);
  const vs = serviceInListOrder('twos', w531, { random });
  const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
  for (let i = 0; i < 100; i++) counts[String(vs.schedule(REQ))]!++;
  assert.deepEqual(counts, { a: 60, b: 30, c: 10 });
  assert.equal(asked.length, 200);
  assert.ok(
    asked.every((n) => n === 10),
    'total_weight + 1 = 10',
  );
});

test('twos: choice2 wins only when weight2 * overhead1 > weight1 * overhead2', () => {
  const { random } = scripted([0, 6, 0, 6, 6, 0]);
  const vs = serviceInListOrder('twos', w531, { random });
  vs.setConns('a', { activeConns: 1 }); // overhead 256
  // r1 = 0 -> a (w 5, oh 256), r2 = 6 -> b (w 3, oh 0): 3 * 256 > 5 * 0 -> b.
  assert.equal(vs.schedule(REQ), 'b');
  vs.setConns('b', { activeConns: 2 }); // 3 * 256 > 5 * 512 is false -> a
  assert.equal(vs.schedule(REQ), 'a');
  // r1 = 6 -> b (3, 512), r2 = 0 -> a (5, 256): 5 * 512 > 3 * 256 -> a.
  assert.equal(vs.schedule(REQ), 'a');
});

test('twos: OVERLOAD and weight-0 dests are left out of the total and the walk', () => {
  const { random, asked } = scripted([3, 3]);
  const vs = serviceInListOrder(
    'twos',
    [
      { id: 'a', weight: 5 },
      { id: 'z', weight: 0 },
      { id: 'b', weight: 3 },
    ],
    { random },
  );
  vs.setOverload('a', true);
  assert.equal(vs.schedule(REQ), 'b');
  assert.deepEqual(asked, [4, 4]);
});

test('twos: no eligible dest -> null without drawing', () => {
  const { random, asked } = scripted([]);
  const vs = serviceInListOrder('twos', [{ id: 'z', weight: 0 }], { random });
  assert.equal(vs.schedule(REQ), null);
  assert.deepEqual(asked, []);
});

test('twos: a random(n) outside [0, n) is refused with a clear error', () => {
  const vs = serviceInListOrder('twos', w531, { random: (n) => n });
  assert.throws(
    () => vs.schedule(REQ),
    /random: random\(10\) must return an integer in \[0, 10\), returned 10/,
  );
});
