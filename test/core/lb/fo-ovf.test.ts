// fo and ovf (rule book §13, §14).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REQ, run, serviceInListOrder } from './helpers.ts';

test('fo: the first dest with the highest weight; OVERLOAD skipped; weight 0 never', () => {
  const vs = serviceInListOrder('fo', [
    { id: 'c', weight: 5 },
    { id: 'b', weight: 7 },
    { id: 'a', weight: 7 },
  ]);
  assert.equal(run(vs, 3), 'bbb');
  vs.setOverload('b', true);
  assert.equal(vs.schedule(REQ), 'a');
  vs.setOverload('a', true);
  assert.equal(vs.schedule(REQ), 'c');
  vs.setOverload('c', true);
  assert.equal(vs.schedule(REQ), null);
  const zero = serviceInListOrder('fo', [{ id: 'z', weight: 0 }]);
  assert.equal(zero.schedule(REQ), null);
});

test('ovf: active == weight is still eligible, active > weight is not; highest weight, first on ties', () => {
  const vs = serviceInListOrder('ovf', [
    { id: 'c', weight: 2 },
    { id: 'b', weight: 3 },
    { id: 'a', weight: 1 },
  ]);
  vs.setConns('c', { activeConns: 2 });
  vs.setConns('b', { activeConns: 4 });
  assert.equal(vs.schedule(REQ), 'c');
  vs.setConns('c', { activeConns: 3 });
  assert.equal(vs.schedule(REQ), 'a');
  vs.setConns('b', { activeConns: 3 });
  assert.equal(vs.schedule(REQ), 'b');
  // Inactive connections do not matter to ovf.
  vs.setConns('b', { inactConns: 1000 });
  assert.equal(vs.schedule(REQ), 'b');
  vs.setOverload('b', true);
  vs.setOverload('a', true);
  assert.equal(vs.schedule(REQ), null);
});
