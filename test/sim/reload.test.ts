// SIGHUP reloads (keepalived semantics): unchanged instances keep their state with no flap; a master
// applies VIP changes in place; an instance whose identity changed leaves (priority 0) and starts afresh;
// an invalid configuration changes nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VrrpSimulation } from './simulation.ts';
import { instance, node } from './nodes.ts';

function pair(): VrrpSimulation {
  const sim = new VrrpSimulation({ seed: 41 });
  sim.addNode(node('A', 1, { priority: 150 }));
  sim.addNode(node('B', 2, { priority: 100 }));
  sim.start('A', 0);
  sim.start('B', 0);
  return sim;
}

test('reloading the same configuration changes nothing: no transition, no VIP or notify effect', () => {
  const sim = pair();
  sim.reload('A', node('A', 1, { priority: 150 }).router, 10_000);
  sim.runUntil(20_000);
  assert.equal(sim.transitions.filter((t) => t.atMs >= 10_000).length, 0);
  const kinds = sim.effectsOf('A', undefined, 10_000).map((e) => e.effect.kind);
  assert.ok(
    kinds.every((k) => k === 'send-advert' || k === 'arm-timer'),
    JSON.stringify([...new Set(kinds)]),
  );
  assert.deepEqual(sim.masters('VI_1'), ['A']);
});

test('a master applies an added VIP in place and announces it; the peer only reports the list mismatch', () => {
  const sim = pair();
  sim.reload('A', node('A', 1, { priority: 150, vips: ['10.0.0.100', '10.0.0.101'] }).router, 10_000);
  sim.runUntil(20_000);
  assert.equal(sim.transitions.filter((t) => t.atMs >= 10_000).length, 0);
  assert.deepEqual(sim.holders('10.0.0.101'), ['A']);
  const garp = sim.effectsOf('A', 'send-garp', 10_000)[0]?.effect;
  assert.deepEqual(garp?.kind === 'send-garp' && garp.addresses, ['10.0.0.101']);
  const b = sim.routerState('B').instances.VI_1;
  assert.ok((b?.stats.addr_list_err ?? 0) > 0);
  assert.equal(b?.state, 'BACKUP', 'RFC 9568: a list mismatch does not make the backup take over');
});

test('a changed VRID is a new instance: the old one leaves with priority 0 and the new one starts in BACKUP', () => {
  const sim = pair();
  sim.reload('A', { instances: [instance({ sourceIp: '10.0.0.1', priority: 150, vrid: 52 })] }, 10_000);
  sim.runUntil(30_000);
  assert.ok(sim.wire.some((w) => w.from === 'A' && w.priority === 0 && w.sentMs === 10_000));
  const deleted = sim.effectsOf('A', 'notify', 10_000)[0]?.effect;
  assert.equal(deleted?.kind === 'notify' && deleted.what, 'DELETED');
  assert.equal(sim.firstTransition('B', 'VI_1', 'MASTER'), 10_001 + (156 * 1000) / 256);
  // the new A instance (VRID 52) has no competitor and becomes master on its own timer
  assert.equal(sim.firstTransition('A', 'VI_1', 'MASTER', 10_000), 10_000 + 3000 + (106 * 1000) / 256);
});

test('an invalid configuration is refused with its errors and the running state stays', () => {
  const sim = pair();
  const bad = node('A', 1, { priority: 150 }).router;
  sim.reload('A', { ...bad, syncGroups: [{ name: 'G', members: ['NOPE'] }] }, 10_000);
  sim.runUntil(20_000);
  assert.deepEqual(sim.reloadErrors, ['vrrp_sync_group G: member NOPE is not an instance']);
  assert.deepEqual(sim.masters('VI_1'), ['A']);
});
