// Two address owners (priority 255) on one VRID, resolved as keepalived 2.3.3+ does (fsm/duplicate-owner.ts),
// and owner_ignore_adverts (2.3.3+): an owner that ignores adverts keeps 255; the other one backs off.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VrrpSimulation } from './simulation.ts';
import { node } from './nodes.ts';

const owner = { priority: 255, initialState: 'MASTER' as const };

function owners(a: object = {}, b: object = {}): VrrpSimulation {
  const sim = new VrrpSimulation({ seed: 5 });
  sim.addNode(node('A', 1, { ...owner, ...a }));
  sim.addNode(node('B', 2, { ...owner, ...b }));
  sim.start('A', 0);
  sim.start('B', 0);
  return sim;
}

const instanceOf = (sim: VrrpSimulation, n: string) => sim.routerState(n).instances['VI_1']!;

test('both owners start MASTER; the lower address yields at once, the higher keeps 255 once the other is silent', () => {
  const sim = owners();
  sim.runUntil(20_000);
  assert.deepEqual(sim.masters('VI_1'), ['B']);
  assert.equal(instanceOf(sim, 'B').effectivePriority, 255);
  assert.equal(instanceOf(sim, 'B').ownerReduced ?? false, false);
  assert.equal(sim.stateOf('A', 'VI_1'), 'BACKUP');
  assert.equal(instanceOf(sim, 'A').effectivePriority, 255);
  // Two masters only until the first adverts crossed (1 ms wire delay).
  assert.ok(sim.dualMasterIntervals('VI_1').every(([s, e]) => e - s <= 1));
  assert.deepEqual(sim.holders('10.0.0.100'), ['B']);
});

test('a rogue owner that keeps advertising (owner_ignore_adverts): the higher address drops to 254 after 2 adverts and yields', () => {
  const sim = owners({ ownerIgnoreAdverts: true });
  sim.runUntil(20_000);
  assert.deepEqual(sim.masters('VI_1'), ['A']);
  const b = instanceOf(sim, 'B');
  assert.equal(b.state, 'BACKUP');
  assert.equal(b.effectivePriority, 254);
  assert.equal(b.ownerReduced, true);
  // B heard A at ~1 ms, then sent its 2 periodic adverts (1 s, 2 s), then A's next advert fell in the
  // 1.2 s window: B gave up at about 3 s.
  const yielded = sim.firstTransition('B', 'VI_1', 'BACKUP', 1)!;
  assert.ok(yielded > 2000 && yielded <= 3300, String(yielded));
  // A dropped B's adverts without counting them (keepalived: before advert_rcvd).
  assert.equal(instanceOf(sim, 'A').stats.advert_rcvd, 0);
  assert.deepEqual(sim.holders('10.0.0.100'), ['A']);

  // The rogue goes away: B takes over after its master-down and is an owner at 255 again.
  sim.kill('A', 20_000);
  sim.runUntil(30_000);
  assert.deepEqual(sim.masters('VI_1'), ['B']);
  assert.equal(instanceOf(sim, 'B').effectivePriority, 255);
  assert.equal(instanceOf(sim, 'B').ownerReduced, false);
});

test('an owner at 254 as BACKUP takes 255 back when it hears an advert below 255 (here the priority 0 of a stop)', () => {
  const sim = owners({ ownerIgnoreAdverts: true });
  sim.runUntil(10_000);
  assert.equal(instanceOf(sim, 'B').effectivePriority, 254);
  sim.stop('A', 10_500);
  sim.runUntil(10_502); // the priority-0 advert arrived at 10 501; B is still BACKUP until Skew_Time passes
  assert.equal(sim.stateOf('B', 'VI_1'), 'BACKUP');
  assert.equal(instanceOf(sim, 'B').effectivePriority, 255);
  sim.runUntil(20_000);
  assert.deepEqual(sim.masters('VI_1'), ['B']);
  assert.equal(sim.firstTransition('B', 'VI_1', 'MASTER', 10_500), 10_501 + 1000 / 256);
});

test('owner_ignore_adverts does nothing below 255: the advert is counted and obeyed', () => {
  const sim = new VrrpSimulation({ seed: 5 });
  sim.addNode(node('A', 1, { priority: 100, ownerIgnoreAdverts: true }));
  sim.addNode(node('B', 2, { priority: 150 }));
  sim.start('A', 0);
  sim.start('B', 0);
  sim.runUntil(10_000);
  assert.deepEqual(sim.masters('VI_1'), ['B']);
  assert.ok(instanceOf(sim, 'A').stats.advert_rcvd > 0);
});
