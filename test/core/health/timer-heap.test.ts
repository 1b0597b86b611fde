import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { TimerHeap } from '../../../core/health/index.ts';

test('the timer heap pops by due time, ties in insertion order, whatever the push order', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 200 }), (dues) => {
      const heap = new TimerHeap<number>();
      dues.forEach((at, i) => heap.push(at, i));
      const out: Array<[number, number]> = [];
      for (let item = heap.pop(); item !== undefined; item = heap.pop()) out.push([item.atMs, item.value]);
      const expected = dues
        .map((at, i): [number, number] => [at, i])
        .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      assert.deepEqual(out, expected);
      assert.equal(heap.size, 0);
    }),
  );
});
