// Random kill / restart / stop / partition schedules over three routers (fast-check drives the schedule,
// the simulator's seed drives jitter): once the segment is whole again and quiet, exactly one router is
// master, the highest-priority one alive, and no split brain starts after the dust settles.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { VrrpSimulation } from './simulation.ts';
import { node } from './nodes.ts';

type Op =
  | { at: number; kind: 'kill' | 'stop' | 'start'; who: number }
  | { at: number; kind: 'partition'; lone: number }
  | { at: number; kind: 'heal' };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    at: fc.integer({ min: 0, max: 40_000 }),
    kind: fc.constantFrom('kill' as const, 'stop' as const, 'start' as const),
    who: fc.integer({ min: 0, max: 2 }),
  }),
  fc.record({
    at: fc.integer({ min: 0, max: 40_000 }),
    kind: fc.constant('partition' as const),
    lone: fc.integer({ min: 0, max: 2 }),
  }),
  fc.record({ at: fc.integer({ min: 0, max: 40_000 }), kind: fc.constant('heal' as const) }),
);

test('after any schedule of failures and partitions, the highest-priority live router ends up sole master', () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.integer({ min: 1, max: 254 }), { minLength: 3, maxLength: 3 }),
      fc.array(op, { maxLength: 12 }),
      fc.integer({ min: 0, max: 1000 }),
      (priorities, ops, seed) => {
        const names = ['A', 'B', 'C'];
        const sim = new VrrpSimulation({ seed, network: { delayMs: 1, jitterMs: 10 } });
        names.forEach((n, i) => sim.addNode(node(n, i + 1, { priority: priorities[i] ?? 100 })));
        const alive = new Set(names);
        names.forEach((n) => sim.start(n, 0));
        for (const o of [...ops].sort((a, b) => a.at - b.at)) {
          const at = o.at + 1; // after the boot at 0
          if (o.kind === 'heal') sim.heal(at);
          else if (o.kind === 'partition') {
            const lone = names[o.lone] ?? 'A';
            sim.partition([[lone], names.filter((n) => n !== lone)], at);
          } else {
            const who = names[o.who] ?? 'A';
            if (o.kind === 'start' && !alive.has(who)) {
              alive.add(who);
              sim.start(who, at);
            } else if (o.kind !== 'start' && alive.has(who)) {
              alive.delete(who);
              if (o.kind === 'kill') sim.kill(who, at);
              else sim.stop(who, at);
            }
          }
        }
        sim.heal(45_000);
        sim.runUntil(60_000);
        const expected = [...alive].sort(
          (x, y) => (priorities[names.indexOf(y)] ?? 0) - (priorities[names.indexOf(x)] ?? 0),
        )[0];
        assert.deepEqual(sim.masters('VI_1'), expected === undefined ? [] : [expected]);
        const settled = 45_000 + 3000 + 1000 + sim.network.maxDelayMs; // a restarted node's first master-down
        for (const [start] of sim.dualMasterIntervals('VI_1'))
          assert.ok(start < settled, `split brain at ${start}`);
        if (expected !== undefined) assert.deepEqual(sim.holders('10.0.0.100'), [expected]);
      },
    ),
    { numRuns: 100 },
  );
});
