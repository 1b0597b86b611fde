/** vrrp_script rise/fall as keepalived counts it: the first result decides, then rise OKs / fall failures flip. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { nextCounter } from '../../../core/app/track-scripts.ts';

/** Feeds results from keepalived's initial counter and returns OK/failed after each. */
function run(results: boolean[], rise: number, fall: number, initFail = false): boolean[] {
  let c = initFail ? 0 : rise - 1;
  return results.map((ok) => (c = nextCounter(c, ok, rise, fall)) >= rise);
}

it('with rise 1 / fall 1 every result decides', () => {
  assert.deepEqual(run([true, false, true, true, false], 1, 1), [true, false, true, true, false]);
});

it('the first result decides, later flips need rise OKs or fall failures', () => {
  assert.deepEqual(run([true, false, false, false, true, true], 2, 3), [
    true,
    true,
    true,
    false,
    false,
    true,
  ]);
  assert.deepEqual(run([false, true, true], 2, 3), [false, false, true]);
});

it('init_fail starts failed and needs rise OKs', () => {
  assert.deepEqual(run([true, true, true], 3, 1, true), [false, false, true]);
});
