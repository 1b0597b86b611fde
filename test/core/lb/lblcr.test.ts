// lblcr (rule book §10): server sets per destination address, growth, shrink after lblcr_expiration,
// the collector. List order c, b, a, all weight 1, lblcrExpiration 100 s unless said otherwise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Request } from '../../../core/lb/index.ts';
import { REQ, serviceInListOrder } from './helpers.ts';

const cba = [
  { id: 'c', weight: 1 },
  { id: 'b', weight: 1 },
  { id: 'a', weight: 1 },
];
const X = (time: number): Request => ({ ...REQ, daddr: '203.0.113.7', time });

/** t=0 X -> c; t=10 c is loaded (active 2 > weight 1) so b joins the set: [b, c], lastmod 10. */
const grown = () => {
  const vs = serviceInListOrder('lblcr', cba, { lblcrExpiration: 100 });
  assert.equal(vs.schedule(X(0)), 'c');
  vs.setConns('c', { activeConns: 2 });
  assert.equal(vs.schedule(X(10)), 'b');
  assert.equal(vs.schedule(X(50)), 'b'); // set_min over [b, c]: b (0) beats c (512)
  return vs;
};

test('lblcr: the set grows when its least-loaded member is overloaded', () => {
  const vs = grown();
  vs.setConns('b', { activeConns: 2 });
  // set_min [b, c] = b (ties keep the first); is_overloaded(b) -> wlc over the service -> a.
  assert.equal(vs.schedule(X(60)), 'a');
  vs.setConns('a', { activeConns: 1 });
  vs.setConns('b', { activeConns: 0 });
  assert.equal(vs.schedule(X(70)), 'b'); // a is in the set now, but b is the least loaded member
});

test('lblcr: the set shrinks only when now > lastmod + lblcr_expiration (strictly)', () => {
  const kept = grown();
  const shrunk = grown();
  assert.equal(kept.schedule(X(110)), 'b'); // 110 is not after 10 + 100
  assert.equal(shrunk.schedule(X(111)), 'b'); // set_max = c (most loaded) leaves the set
  for (const vs of [kept, shrunk]) {
    vs.setConns('c', { activeConns: 0, inactConns: 1 });
    vs.setConns('b', { activeConns: 2 });
  }
  // With c still a member, set_min picks c; without it, b is overloaded and wlc over c(1), b(512),
  // a(0) picks a.
  assert.equal(kept.schedule(X(120)), 'c');
  assert.equal(shrunk.schedule(X(120)), 'a');
});

test('lblcr: the member chosen before the shrink is used even when the shrink removed it', () => {
  const vs = grown();
  vs.setOverload('b', true); // set_min skips b; set_max does not look at the flag
  vs.setConns('b', { activeConns: 0 });
  vs.setConns('c', { activeConns: 0, inactConns: 1 });
  assert.equal(vs.schedule(X(111)), 'c'); // least = c; then c (1) > b (0) is the max and is removed
  // Now the set is [b]: b is OVERLOAD, so set_min is null and wlc over the service picks a (0 < 1).
  assert.equal(vs.schedule(X(112)), 'a');
});

test('lblcr: the OVERLOAD flag skips members in set_min; removed members are not AVAILABLE', () => {
  const vs = grown();
  vs.removeServer('b');
  vs.setConns('c', { activeConns: 0 });
  assert.equal(vs.schedule(X(60)), 'c');
});

test('lblcr collector: an entry idle for lblcr_expiration goes at the next full sweep', () => {
  const at = (time: number): string | number | null => {
    const vs = serviceInListOrder('lblcr', cba, { lblcrExpiration: 100 });
    assert.equal(vs.schedule(X(0)), 'c');
    vs.setConns('c', { inactConns: 5 });
    return vs.schedule(X(time));
  };
  assert.equal(at(1799), 'c');
  assert.equal(at(1800), 'b');
});

test('lblcr: no usable dest -> null, and no entry is made', () => {
  const vs = serviceInListOrder('lblcr', [{ id: 'c', weight: 0 }]);
  assert.equal(vs.schedule(X(0)), null);
  vs.editServer('c', { weight: 1 });
  assert.equal(vs.schedule(X(1)), 'c');
});
