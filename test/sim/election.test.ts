// Elections on a simulated segment (1 ms one-way delay), with exact times from the RFC formulas:
// Master_Down_Interval = 3 x Advertisement_Interval + (256 - priority)/256 s (v2).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VrrpSimulation } from './simulation.ts';
import { node } from './nodes.ts';

const skewV2 = (p: number): number => ((256 - p) * 1000) / 256;
const downV2 = (p: number): number => 3000 + skewV2(p);

test('priorities 150 vs 100: the higher one is master at 3 x adv + skew, the other stays backup', () => {
  const sim = new VrrpSimulation({ seed: 1 });
  sim.addNode(node('A', 1, { priority: 150 }));
  sim.addNode(node('B', 2, { priority: 100 }));
  sim.start('A', 0);
  sim.start('B', 0);
  sim.runUntil(30_000);
  assert.equal(sim.firstTransition('A', 'VI_1', 'MASTER'), downV2(150)); // 3414.0625 ms, as keepalived's 3414062 µs
  assert.equal(sim.firstTransition('B', 'VI_1', 'MASTER'), undefined);
  assert.deepEqual(sim.masters('VI_1'), ['A']);
  assert.deepEqual(sim.holders('10.0.0.100'), ['A']);
  assert.deepEqual(sim.dualMasterIntervals('VI_1'), []);
});

test('both "state MASTER" at equal priority: the first to time out wins, no address tie-break in BACKUP', () => {
  const sim = new VrrpSimulation({ seed: 2 });
  // B has the higher address but starts 200 ms later
  sim.addNode(node('A', 1, { priority: 100, initialState: 'MASTER' }));
  sim.addNode(node('B', 2, { priority: 100, initialState: 'MASTER' }));
  sim.start('A', 0);
  sim.start('B', 200);
  sim.runUntil(20_000);
  assert.equal(sim.firstTransition('A', 'VI_1', 'BACKUP'), 0, 'state MASTER still starts in BACKUP');
  assert.equal(sim.firstTransition('A', 'VI_1', 'MASTER'), downV2(100));
  assert.deepEqual(sim.masters('VI_1'), ['A']);
});

test('equal priority, simultaneous timeout: both become master and the higher address wins at once', () => {
  const sim = new VrrpSimulation({ seed: 3 });
  sim.addNode(node('A', 1, { priority: 100 }));
  sim.addNode(node('B', 2, { priority: 100 }));
  sim.start('A', 0);
  sim.start('B', 0);
  sim.runUntil(20_000);
  const t = downV2(100);
  assert.equal(sim.firstTransition('A', 'VI_1', 'MASTER'), t);
  assert.equal(sim.firstTransition('B', 'VI_1', 'MASTER'), t);
  // each hears the other's first advert 1 ms later: A (lower address) yields
  assert.equal(sim.firstTransition('A', 'VI_1', 'BACKUP', t), t + 1);
  assert.deepEqual(sim.masters('VI_1'), ['B']);
  assert.deepEqual(sim.dualMasterIntervals('VI_1'), [[t, t + 1]]);
  // the winner heard a competing master and re-announced (floatip default)
  const notes = sim
    .effectsOf('B', 'notify', t)
    .map((e) => e.effect.kind === 'notify' && [e.effect.what, e.effect.reason]);
  assert.ok(
    notes.some((n) => n && n[0] === 'MASTER' && n[1] === 'reannounce'),
    JSON.stringify(notes),
  );
});

test('the priority-255 owner is master at start; a state MASTER peer stays backup', () => {
  const sim = new VrrpSimulation({ seed: 4 });
  sim.addNode(node('OWNER', 1, { priority: 255 }));
  sim.addNode(node('B', 2, { priority: 100, initialState: 'MASTER' }));
  sim.start('OWNER', 0);
  sim.start('B', 0);
  sim.runUntil(10_000);
  assert.equal(sim.firstTransition('OWNER', 'VI_1', 'MASTER'), 0);
  assert.equal(sim.firstTransition('B', 'VI_1', 'MASTER'), undefined);
});

test('three routers 100/150/200: the highest wins at its own master-down', () => {
  const sim = new VrrpSimulation({ seed: 5 });
  sim.addNode(node('A', 1, { priority: 100 }));
  sim.addNode(node('B', 2, { priority: 150 }));
  sim.addNode(node('C', 3, { priority: 200 }));
  for (const n of ['A', 'B', 'C']) sim.start(n, 0);
  sim.runUntil(30_000);
  assert.equal(sim.firstTransition('C', 'VI_1', 'MASTER'), downV2(200)); // 3218.75 ms
  assert.deepEqual(sim.masters('VI_1'), ['C']);
  assert.deepEqual(sim.dualMasterIntervals('VI_1'), []);
  assert.deepEqual(sim.holders('10.0.0.100'), ['C']);
});

test('the same seed replays the same run; the adverts on the wire go through the real codec', () => {
  const once = (): string => {
    const sim = new VrrpSimulation({ seed: 42, network: { delayMs: 1, jitterMs: 5, lossRate: 0.2 } });
    sim.addNode(node('A', 1, { priority: 150 }));
    sim.addNode(node('B', 2, { priority: 100 }));
    sim.start('A', 0);
    sim.start('B', 0);
    sim.runUntil(20_000);
    return JSON.stringify([sim.transitions, sim.wire.length]);
  };
  assert.equal(once(), once());
  const sim = new VrrpSimulation({ seed: 6 });
  sim.addNode(node('A', 1, { priority: 150, auth: { type: 'pass', password: 'secret' } }));
  sim.addNode(node('B', 2, { priority: 100, auth: { type: 'pass', password: 'other' } }));
  sim.start('A', 0);
  sim.start('B', 0);
  sim.runUntil(10_000);
  // B cannot authenticate A's adverts, so it discards them (counted) and also becomes master
  assert.deepEqual(sim.masters('VI_1').sort(), ['A', 'B']);
  assert.ok((sim.routerState('B').instances.VI_1?.stats.auth_failure ?? 0) >= 5);
});

test('unicast peers (v3): adverts go only to listed peers; a router nobody lists cannot see the master', () => {
  const sim = new VrrpSimulation({ seed: 9 });
  sim.addNode(node('A', 1, { version: 3, priority: 150, unicastPeers: ['10.0.0.2'] }));
  sim.addNode(node('B', 2, { version: 3, priority: 100, unicastPeers: ['10.0.0.1'] }));
  // C is configured as a peer of nobody: it hears no adverts and elects itself
  sim.addNode(node('C', 3, { version: 3, priority: 50, unicastPeers: ['10.0.0.1'] }));
  for (const n of ['A', 'B', 'C']) sim.start(n, 0);
  sim.stop('A', 10_000);
  sim.runUntil(20_000);
  assert.equal(sim.firstTransition('A', 'VI_1', 'MASTER'), 3000 + (106 * 1000) / 256);
  assert.ok(sim.wire.every((w) => !(w.from === 'A' && w.to === 'C')));
  assert.equal(sim.firstTransition('C', 'VI_1', 'MASTER'), 3000 + (206 * 1000) / 256);
  // C's adverts reach A, which reports the stranger (foreign sender) and stays master
  const reports = sim.effectsOf('A', 'report').map((e) => e.effect.kind === 'report' && e.effect.report.kind);
  assert.ok(reports.includes('foreign-sender'), JSON.stringify(reports));
  assert.equal(sim.firstTransition('B', 'VI_1', 'MASTER'), 10_001 + (156 * 1000) / 256);
});
