// setScheduler re-binds over the current list (ip_vs_edit_service -> ip_vs_bind_scheduler -> init_service).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REQ, run, serviceInListOrder } from './helpers.ts';

const w432 = [
  { id: 'a', weight: 4 },
  { id: 'b', weight: 3 },
  { id: 'c', weight: 2 },
];

test('switching to wrr over present dests is the "bulk" init: aababcabc, not abc first', () => {
  const vs = serviceInListOrder('rr', w432);
  assert.equal(run(vs, 2), 'ab');
  vs.setScheduler('wrr');
  assert.equal(vs.scheduler, 'wrr');
  assert.equal(run(vs, 9), 'aababcabc');
});

test('setting the scheduler already bound changes nothing (no re-bind), as in the kernel', () => {
  const vs = serviceInListOrder('wrr', w432);
  assert.equal(run(vs, 1), 'a'); // incremental build: the cw=1 pass
  vs.setScheduler('wrr');
  assert.equal(run(vs, 2), 'bc');
});

test('switching to rr starts at the list head; to sh builds the table over the current dests', () => {
  const vs = serviceInListOrder('wlc', w432);
  vs.setScheduler('rr');
  assert.equal(run(vs, 4), 'abca');
  vs.setScheduler('sh');
  assert.equal(vs.table()!.slice(0, 9).join(''), 'aaaabbbcc');
  vs.setScheduler('lc');
  assert.equal(vs.table(), null);
});

test('switching away from lblc and back starts with an empty cache', () => {
  const vs = serviceInListOrder('lblc', [
    { id: 'c', weight: 1 },
    { id: 'b', weight: 1 },
  ]);
  assert.equal(vs.schedule(REQ), 'c');
  vs.setConns('c', { inactConns: 3 });
  assert.equal(vs.schedule(REQ), 'c');
  vs.setScheduler('wlc');
  vs.setScheduler('lblc');
  assert.equal(vs.schedule(REQ), 'b');
});

test('an unknown scheduler, or twos without random, is refused and the old one stays bound', () => {
  const vs = serviceInListOrder('rr', w432, { random: undefined });
  assert.throws(() => vs.setScheduler('bogus' as never), /setScheduler: unknown scheduler "bogus"/);
  assert.throws(() => vs.setScheduler('twos'), /setScheduler: the twos scheduler draws random numbers/);
  assert.equal(vs.scheduler, 'rr');
  assert.equal(run(vs, 3), 'abc');
});
