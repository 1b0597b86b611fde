// rr, traced by hand from ip_vs_rr.c (rule book §1). Servers are named by list position.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REQ, ids, run, serviceInListOrder } from './helpers.ts';

const abc = [
  { id: 'c', weight: 1 },
  { id: 'b', weight: 1 },
  { id: 'a', weight: 1 },
];

test('rr: adding a, b, c gives the list c, b, a and a rotation in that order', () => {
  const vs = serviceInListOrder('rr', abc);
  assert.deepEqual(ids(vs), ['c', 'b', 'a']);
  assert.equal(run(vs, 7), 'cbacbac');
});

test('rr: weight 0 and OVERLOAD are skipped; weights above 0 do not matter', () => {
  const vs = serviceInListOrder('rr', [
    { id: 'c', weight: 9 },
    { id: 'b', weight: 0 },
    { id: 'a', weight: 1 },
  ]);
  assert.equal(run(vs, 4), 'caca');
  vs.setOverload('a', true);
  assert.equal(run(vs, 2), 'cc');
});

test('rr: deleting the current dest moves the position to its predecessor, so its successor is next', () => {
  const vs = serviceInListOrder('rr', abc);
  assert.equal(run(vs, 2), 'cb');
  vs.removeServer('b');
  assert.equal(run(vs, 3), 'aca');
});

test('rr: deleting the first dest while it is the position restarts from the head', () => {
  const vs = serviceInListOrder('rr', abc);
  assert.equal(run(vs, 1), 'c');
  vs.removeServer('c');
  assert.equal(run(vs, 3), 'bab');
});

test('rr: a new dest goes to the head and is reached after the rotation wraps', () => {
  const vs = serviceInListOrder('rr', abc);
  assert.equal(run(vs, 2), 'cb');
  vs.addServer({ id: 'd', addr: '10.0.9.9', port: 80, weight: 1 });
  assert.deepEqual(ids(vs), ['d', 'c', 'b', 'a']);
  assert.equal(run(vs, 5), 'adcba');
});

test('rr: the second pass checks the previous position itself, then gives up', () => {
  const vs = serviceInListOrder('rr', abc);
  assert.equal(run(vs, 2), 'cb');
  for (const id of ['a', 'b', 'c']) vs.setOverload(id, true);
  assert.equal(vs.schedule(REQ), null);
  vs.setOverload('b', false);
  // From b: a (overloaded), then the second pass c (overloaded), b -> b.
  assert.equal(run(vs, 2), 'bb');
  vs.setOverload('c', false);
  assert.equal(run(vs, 2), 'cb');
});
