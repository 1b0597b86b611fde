// keepalived 2.2.8+ `timer_expired_backup [PRIO]` (with nopreempt): a master that was frozen (SIGSTOP, a
// paused VM) for longer than 3 advert intervals + the Skew_Time of PRIO must assume the backup took over,
// and go BACKUP on waking instead of reclaiming the VIPs with a stale advert.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeInstanceSpec } from '../../core/vrrp/index.ts';
import { VrrpSimulation } from './simulation.ts';
import { node } from './nodes.ts';

function pair(timerExpiredBackup: number | undefined): VrrpSimulation {
  const sim = new VrrpSimulation({ seed: 3 });
  const a = { priority: 150, preempt: false, ...(timerExpiredBackup ? { timerExpiredBackup } : {}) };
  sim.addNode(node('A', 1, a));
  sim.addNode(node('B', 2, { priority: 100, preempt: false }));
  sim.start('A', 0);
  sim.start('B', 0);
  return sim;
}

const advertsFrom = (sim: VrrpSimulation, from: string, fromMs: number) =>
  sim.wire.filter((w) => w.from === from && w.sentMs >= fromMs && w.to === (from === 'A' ? 'B' : 'A'));

test('frozen past the takeover time: the master wakes up as BACKUP, sends nothing, and the backup keeps the VIP', () => {
  const sim = pair(254);
  sim.pause('A', 10_000, 16_000);
  sim.runUntil(30_000);
  // B took over while A was frozen (last A advert at ~9.4 s, + 3 s + skew(100)).
  const bMaster = sim.firstTransition('B', 'VI_1', 'MASTER');
  assert.ok(bMaster !== undefined && bMaster > 10_000 && bMaster < 16_000, String(bMaster));
  // A wakes at 16 s: its last advert is > 3 s + skew(254) old, so BACKUP at once, without an advert.
  assert.equal(sim.firstTransition('A', 'VI_1', 'BACKUP', 16_000), 16_000);
  assert.deepEqual(
    advertsFrom(sim, 'A', 10_000).map((w) => w.priority),
    [],
    'no stale advert from the frozen master',
  );
  assert.deepEqual(sim.masters('VI_1'), ['B']);
  assert.deepEqual(sim.holders('10.0.0.100'), ['B']);
  const notify = sim
    .effectsOf('A', 'notify', 16_000)
    .flatMap((e) => (e.effect.kind === 'notify' ? [[e.effect.what, e.effect.reason ?? '']] : []));
  assert.equal(notify[0]?.[0], 'BACKUP');
  assert.match(String(notify[0]?.[1]), /timer_expired_backup/);
});

test('without timer_expired_backup the woken master reclaims the role (keepalived < 2.2.8 behaviour)', () => {
  const sim = pair(undefined);
  sim.pause('A', 10_000, 16_000);
  sim.runUntil(30_000);
  assert.ok(advertsFrom(sim, 'A', 16_000).some((w) => w.priority === 150));
  assert.deepEqual(sim.masters('VI_1'), ['A']);
});

test('a freeze shorter than 3 intervals + skew(PRIO) changes nothing: the master carries on', () => {
  const sim = pair(254);
  sim.pause('A', 10_000, 12_000);
  sim.runUntil(30_000);
  assert.equal(sim.firstTransition('A', 'VI_1', 'BACKUP', 1), undefined);
  assert.equal(sim.firstTransition('B', 'VI_1', 'MASTER'), undefined);
  assert.deepEqual(sim.masters('VI_1'), ['A']);
});

test('PRIO sets the threshold: 3 s + (256 - PRIO)/256 s since the last advert sent', () => {
  // Last advert from A before the freeze is at 9414.0625 (v2: 3 s + skew(150) + k s). A freeze ending
  // 3 s + skew(1) = 3996.09375 ms later does not trip PRIO 1; one ending just after does.
  const last = 9414.0625;
  const threshold = 3000 + ((256 - 1) * 1000) / 256;
  for (const [end, expectBackup] of [
    [last + threshold - 1, false],
    [last + threshold, true],
  ] as const) {
    const sim = new VrrpSimulation({ seed: 3 });
    sim.addNode(node('A', 1, { priority: 150, preempt: false, timerExpiredBackup: 1 }));
    sim.start('A', 0);
    sim.pause('A', 9500, end);
    sim.runUntil(end + 100);
    assert.equal(sim.firstTransition('A', 'VI_1', 'BACKUP', 9500) !== undefined, expectBackup, `end ${end}`);
  }
});

test('timer_expired_backup needs nopreempt (keepalived resets it), and PRIO must be 1..254', () => {
  const base = { name: 'X', vrid: 1, sourceIp: '10.0.0.1', vips: ['10.0.0.100'] };
  const r = makeInstanceSpec({ ...base, timerExpiredBackup: 200 });
  assert.ok(r.ok);
  assert.equal(r.spec.timerExpiredBackup, undefined);
  assert.ok(r.warnings.some((w) => w.includes('timer_expired_backup requires nopreempt')));
  const ok = makeInstanceSpec({ ...base, preempt: false, timerExpiredBackup: 200 });
  assert.ok(ok.ok && ok.spec.timerExpiredBackup === 200);
  const bad = makeInstanceSpec({ ...base, preempt: false, timerExpiredBackup: 255 });
  assert.ok(!bad.ok && bad.errors.some((e) => e.includes('timer_expired_backup')));
});
