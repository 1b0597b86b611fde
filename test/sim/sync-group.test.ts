// Sync groups (keepalived vrrp_sync.c): members move together. One member's FAULT faults the group; one
// member going BACKUP drags the others; a node becomes MASTER only when every member wants it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { InstanceSpecInput } from '../../core/vrrp/index.ts';
import { VrrpSimulation, type SimNodeSpec } from './simulation.ts';
import { instance } from './nodes.ts';

const eth1 = { id: 'interface:eth1', kind: 'interface' as const, weight: 0 };

function groupNode(
  name: string,
  host: number,
  p1: number,
  p2: number,
  extra: Partial<InstanceSpecInput> = {},
): SimNodeSpec {
  const address = `10.0.0.${host}`;
  return {
    name,
    address,
    router: {
      instances: [
        instance({ name: 'EXT', vrid: 51, sourceIp: address, vips: ['10.0.0.100'], priority: p1, ...extra }),
        instance({
          name: 'INT',
          vrid: 52,
          sourceIp: address,
          vips: ['10.0.0.200'],
          priority: p2,
          trackers: [eth1, ...(extra.trackers ?? [])],
        }),
      ],
      syncGroups: [{ name: 'G', members: ['EXT', 'INT'] }],
    },
  };
}

test('one member FAULT takes the whole group down; the peer takes both over after skew', () => {
  const sim = new VrrpSimulation({ seed: 21 });
  sim.addNode(groupNode('A', 1, 150, 150));
  sim.addNode(groupNode('B', 2, 100, 100));
  sim.start('A', 0);
  sim.start('B', 0);
  sim.tracker('A', 'interface:eth1', { kind: 'state', state: 'down' }, 10_000);
  sim.runUntil(20_000);
  assert.equal(sim.firstTransition('A', 'EXT', 'MASTER'), 3000 + (106 * 1000) / 256);
  assert.equal(sim.firstTransition('A', 'INT', 'FAULT'), 10_000);
  assert.equal(sim.firstTransition('A', 'EXT', 'FAULT'), 10_000, 'EXT is dragged into FAULT');
  // both members of A sent priority 0, so B takes both over after Skew_Time
  assert.equal(sim.firstTransition('B', 'EXT', 'MASTER'), 10_001 + (156 * 1000) / 256);
  assert.equal(sim.firstTransition('B', 'INT', 'MASTER'), 10_001 + (156 * 1000) / 256);
  assert.deepEqual(sim.holders('10.0.0.100'), ['B']);
  assert.deepEqual(sim.holders('10.0.0.200'), ['B']);
  const groupNotes = sim
    .effectsOf('A', 'notify')
    .flatMap((e) => (e.effect.kind === 'notify' && e.effect.target.type === 'group' ? [e.effect.what] : []));
  assert.deepEqual(groupNotes, ['BACKUP', 'MASTER', 'FAULT']);
  const seqs = sim.effectsOf('A', 'notify').map((e) => (e.effect.kind === 'notify' ? e.effect.seq : 0));
  assert.deepEqual(
    seqs,
    seqs.map((_, i) => i + 1),
    'one ordered notify sequence per node',
  );
});

test('one member yielding to a higher priority drags the other member to BACKUP at once', () => {
  const boost = { id: 'script:boost', kind: 'script' as const, weight: 100 };
  const sim = new VrrpSimulation({ seed: 22 });
  sim.addNode(groupNode('A', 1, 150, 150));
  sim.addNode(groupNode('B', 2, 100, 100, { trackers: [boost] }));
  sim.start('A', 0);
  sim.start('B', 0);
  sim.tracker('B', 'script:boost', { kind: 'state', state: 'down' }, 0);
  sim.tracker('B', 'script:boost', { kind: 'state', state: 'up' }, 10_000); // B: 100 -> 200 on both
  sim.runUntil(40_000);
  const bExt = sim.firstTransition('B', 'EXT', 'MASTER');
  assert.ok(bExt !== undefined && bExt > 10_000);
  assert.equal(sim.firstTransition('B', 'INT', 'MASTER'), bExt, 'B takes both members in one step');
  // A hears B's EXT advert first; its INT goes BACKUP in the same step, before B's INT advert arrives
  assert.equal(sim.firstTransition('A', 'EXT', 'BACKUP', 10_000), bExt + 1);
  assert.equal(sim.firstTransition('A', 'INT', 'BACKUP', 10_000), bExt + 1);
  const dragged = sim
    .effectsOf('A', 'notify', bExt)
    .find((e) => e.effect.kind === 'notify' && e.effect.target.name === 'INT' && e.effect.what === 'BACKUP');
  assert.equal(dragged?.effect.kind === 'notify' && dragged.effect.reason, 'sync group member went backup');
  assert.deepEqual(sim.masters('EXT'), ['B']);
  assert.deepEqual(sim.masters('INT'), ['B']);
  assert.deepEqual(sim.holders('10.0.0.200'), ['B']);
});

test('a priority rise on one member alone cannot take the group over (every member must want MASTER)', () => {
  const boost = { id: 'script:boost', kind: 'script' as const, weight: 100 };
  const sim = new VrrpSimulation({ seed: 24 });
  sim.addNode(groupNode('A', 1, 150, 150));
  const b = groupNode('B', 2, 100, 100);
  const [ext, int] = b.router.instances;
  assert.ok(ext && int);
  sim.addNode({
    ...b,
    router: { ...b.router, instances: [{ ...ext, trackers: [boost] }, int] },
  });
  sim.start('A', 0);
  sim.start('B', 0);
  sim.tracker('B', 'script:boost', { kind: 'state', state: 'up' }, 10_000); // only B's EXT: 200
  sim.runUntil(40_000);
  assert.equal(sim.firstTransition('B', 'EXT', 'MASTER'), undefined);
  assert.equal(sim.routerState('B').instances.EXT?.wantMaster, true, 'B.EXT waits for INT');
  assert.deepEqual(sim.masters('EXT'), ['A']);
  assert.deepEqual(sim.masters('INT'), ['A']);
});

test('mixed priorities: ungrouped the instances split between nodes; grouped they always move together', () => {
  const run = (grouped: boolean): VrrpSimulation => {
    const sim = new VrrpSimulation({ seed: 23 });
    for (const [name, host, p1, p2] of [
      ['A', 1, 150, 100],
      ['B', 2, 100, 150],
    ] as const) {
      const n = groupNode(name, host, p1, p2);
      sim.addNode(grouped ? n : { ...n, router: { instances: n.router.instances } });
    }
    sim.start('A', 0);
    sim.start('B', 0);
    sim.runUntil(30_000);
    return sim;
  };
  const ungrouped = run(false);
  assert.deepEqual([ungrouped.masters('EXT'), ungrouped.masters('INT')], [['A'], ['B']]);
  // Grouped, every member change happens for both members in the same step. (With opposed priorities the
  // group thrashes between both-master and both-backup, as keepalived does: reference §6 P12.)
  const grouped = run(true);
  for (const name of ['A', 'B']) {
    const moves = (inst: string): string[] =>
      grouped.transitions
        .filter((t) => t.node === name && t.instance === inst)
        .map((t) => `${t.atMs}:${t.to}`);
    assert.deepEqual(moves('EXT'), moves('INT'), `node ${name}`);
    assert.ok(moves('EXT').length > 2);
  }
});
