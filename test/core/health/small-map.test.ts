import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SmallMap } from '../../../core/health/small-map.ts';

type Op =
  | { kind: 'set'; key: string; value: number }
  | { kind: 'delete'; key: string }
  | { kind: 'get'; key: string }
  | { kind: 'has'; key: string }
  | { kind: 'clear' };

const key = fc.constantFrom('a', 'b', 'c', 'd', 'e');
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), key, value: fc.integer() }),
  fc.record({ kind: fc.constant('delete' as const), key }),
  fc.record({ kind: fc.constant('get' as const), key }),
  fc.record({ kind: fc.constant('has' as const), key }),
  fc.constant({ kind: 'clear' as const }),
);

test('a SmallMap answers every operation as a Map does, entries in the same (insertion) order', () => {
  fc.assert(
    fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
      const small = new SmallMap<string, number>();
      const map = new Map<string, number>();
      for (const o of ops) {
        switch (o.kind) {
          case 'set':
            assert.equal(small.set(o.key, o.value), small);
            map.set(o.key, o.value);
            break;
          case 'delete':
            assert.equal(small.delete(o.key), map.delete(o.key));
            break;
          case 'get':
            assert.equal(small.get(o.key), map.get(o.key));
            break;
          case 'has':
            assert.equal(small.has(o.key), map.has(o.key));
            break;
          case 'clear':
            small.clear();
            map.clear();
            break;
        }
        assert.equal(small.size, map.size);
        assert.deepEqual([...small], [...map]);
        assert.deepEqual([...small.entries()], [...map.entries()]);
        assert.deepEqual([...small.values()], [...map.values()]);
      }
    }),
  );
});

test('an iteration in progress sees the entries it began with, whatever is deleted or added meanwhile', () => {
  const m = new SmallMap<string, number>().set('a', 1).set('b', 2).set('c', 3);
  const seen: Array<[string, number]> = [];
  for (const [k, v] of m) {
    seen.push([k, v]);
    m.delete(k); // deleting the current entry, as the health engine's #dropStale does
    if (k === 'a') m.set('d', 4); // added after the iteration began: not visited
  }
  assert.deepEqual(seen, [
    ['a', 1],
    ['b', 2],
    ['c', 3],
  ]);
  assert.deepEqual([...m], [['d', 4]]);
  const values = new SmallMap<string, number>().set('x', 1).set('y', 2);
  const got: number[] = [];
  for (const v of values.values()) got.push(v);
  assert.deepEqual(got, [1, 2]);
});
