// Failover, graceful stop and preemption, with the takeover time computed from the last advert the backup
// accepted (taken from the wire log) and the RFC formulas.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VrrpSimulation } from './simulation.ts';
import { node } from './nodes.ts';

const skewV2 = (p: number): number => ((256 - p) * 1000) / 256;
const downV2 = (p: number): number => 3000 + skewV2(p);

/** Arrival time at `to` of the last advert `from` sent before `beforeMs`, with priority >= minPriority. */
function lastArrival(
  sim: VrrpSimulation,
  from: string,
  to: string,
  beforeMs: number,
  minPriority = 1,
): number {
  const w = sim.wire.filter(
    (x) =>
      x.from === from &&
      x.to === to &&
      x.arriveMs !== undefined &&
      x.arriveMs <= beforeMs &&
      x.priority >= minPriority,
  );
  const last = w[w.length - 1];
  assert.ok(last?.arriveMs !== undefined, `no advert from ${from} to ${to} before ${beforeMs}`);
  return last.arriveMs;
}

function pair(
  a: Parameters<typeof node>[2] = {},
  b: Parameters<typeof node>[2] = {},
  seed = 1,
): VrrpSimulation {
  const sim = new VrrpSimulation({ seed });
  sim.addNode(node('A', 1, { priority: 150, ...a }));
  sim.addNode(node('B', 2, { priority: 100, ...b }));
  sim.start('A', 0);
  sim.start('B', 0);
  return sim;
}

test('kill -9 of the master: the backup takes over exactly 3 x adv + skew after the last advert', () => {
  const sim = pair();
  sim.kill('A', 10_500);
  sim.runUntil(30_000);
  const last = lastArrival(sim, 'A', 'B', 10_500);
  assert.equal(last, 10_414.0625 + 1); // A adverts at 3414.0625 + k s, 1 ms on the wire
  assert.equal(sim.firstTransition('B', 'VI_1', 'MASTER'), last + downV2(100)); // + 3609.375 ms
  assert.deepEqual(sim.holders('10.0.0.100'), ['B']);
});

test('graceful stop: priority 0, VIPs removed, the backup is master after Skew_Time', () => {
  const sim = pair();
  sim.stop('A', 10_000);
  sim.runUntil(20_000);
  const zero = sim.wire.find((w) => w.from === 'A' && w.priority === 0);
  assert.equal(zero?.sentMs, 10_000);
  assert.equal(sim.firstTransition('B', 'VI_1', 'MASTER'), 10_001 + skewV2(100)); // + 609.375 ms
  const stopNote = sim
    .effectsOf('A', 'notify', 10_000)
    .map((e) => e.effect.kind === 'notify' && [e.effect.what, e.effect.priority]);
  assert.deepEqual(stopNote, [['STOP', 150]]);
  assert.deepEqual(sim.holders('10.0.0.100'), ['B']);
});

test('preemption: the recovered higher-priority node takes back the master role after its master-down', () => {
  const sim = pair();
  sim.kill('A', 10_500);
  sim.start('A', 20_000);
  sim.runUntil(40_000);
  // A discards B's lower-priority adverts, so its own master-down timer from the restart runs out
  assert.equal(sim.firstTransition('A', 'VI_1', 'MASTER', 20_000), 20_000 + downV2(150));
  assert.equal(sim.firstTransition('B', 'VI_1', 'BACKUP', 20_000), 20_000 + downV2(150) + 1);
  assert.deepEqual(sim.masters('VI_1'), ['A']);
  assert.ok(sim.dualMasterIntervals('VI_1').every(([s, e]) => e - s <= 1));
});

test('nopreempt: the recovered higher-priority node stays backup', () => {
  const sim = pair({ preempt: false }, { preempt: false });
  sim.kill('A', 10_500);
  sim.start('A', 20_000);
  sim.runUntil(60_000);
  assert.equal(sim.firstTransition('A', 'VI_1', 'MASTER', 20_000), undefined);
  assert.deepEqual(sim.masters('VI_1'), ['B']);
});

test('preempt_delay: lower-priority adverts are accepted for the delay, then the timer runs out', () => {
  const sim = pair({ preemptDelayMs: 5000 });
  sim.kill('A', 10_500);
  sim.start('A', 20_000);
  sim.runUntil(60_000);
  const bMaster = sim.firstTransition('B', 'VI_1', 'MASTER');
  assert.ok(bMaster !== undefined);
  // the delay runs from A's restart: B's adverts are accepted until 25 s, then discarded
  const arrivals = sim.wire
    .filter((w) => w.from === 'B' && w.to === 'A' && w.arriveMs !== undefined && w.arriveMs >= 20_000)
    .map((w) => w.arriveMs as number);
  const lastAccepted = arrivals.filter((t) => t < 25_000).pop() ?? NaN;
  assert.equal(sim.firstTransition('A', 'VI_1', 'MASTER', 20_000), lastAccepted + downV2(150));
});

test('a master whose priority falls below the backup keeps advertising; the backup takes over on its timer', () => {
  const sim = pair(
    { trackers: [{ id: 'script:chk', kind: 'script', weight: -60 }] },
    { trackers: [{ id: 'script:chk', kind: 'script', weight: -60 }] },
  );
  sim.tracker('A', 'script:chk', { kind: 'state', state: 'up' }, 0);
  sim.tracker('B', 'script:chk', { kind: 'state', state: 'up' }, 0);
  sim.tracker('A', 'script:chk', { kind: 'state', state: 'down' }, 10_200); // 150 -> 90 < 100
  sim.runUntil(30_000);
  const last150 = lastArrival(sim, 'A', 'B', 10_200, 100);
  const bMaster = sim.firstTransition('B', 'VI_1', 'MASTER');
  assert.equal(bMaster, last150 + downV2(100));
  // A hears B's first advert (100 > 90) one ms later and yields
  assert.equal(sim.firstTransition('A', 'VI_1', 'BACKUP', 10_200), (bMaster ?? 0) + 1);
  assert.ok(
    sim.wire.some((w) => w.from === 'A' && w.priority === 90),
    'A advertised its lowered priority',
  );
});
