import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { planFailover, planRelease } from '../../../core/failover/index.ts';
import type { Observation } from '../../../core/ports/index.ts';

const obs = (resource: string, holder: string | null): Observation => ({ resource, holder, detail: {} });
const members = ['a', 'b', 'c'];

test('unowned resources are acquired without takeover; own ones are kept', () => {
  const plan = planFailover({
    observed: [obs('r2', 'a'), obs('r1', null)],
    desired: 'a',
    epoch: 3,
    fenced: [],
    members,
  });
  assert.deepEqual(plan.actions, [
    { kind: 'acquire', resource: 'r1', holder: 'a', from: null, takeover: false, epoch: 3 },
    { kind: 'keep', resource: 'r2', holder: 'a', epoch: 3 },
  ]);
});

test('takeover only from a fenced member; a live member or a stranger blocks', () => {
  const plan = planFailover({
    observed: [obs('x', 'b'), obs('y', 'c'), obs('z', 'i-stranger')],
    desired: 'a',
    epoch: 9,
    fenced: ['b'],
    members,
  });
  assert.deepEqual(
    plan.actions.map((a) => [a.kind, a.resource, a.kind === 'acquire' ? a.takeover : null]),
    [
      ['acquire', 'x', true],
      ['blocked', 'y', null],
      ['blocked', 'z', null],
    ],
  );
  const forced = planFailover({
    observed: [obs('z', 'i-stranger')],
    desired: 'a',
    epoch: 9,
    fenced: [],
    members,
    takeUnknown: true,
  });
  assert.equal(forced.actions[0]?.kind, 'acquire');
});

test('a plan older than the applied epoch is stale and empty; the same epoch re-applies', () => {
  const base = { observed: [obs('x', null)], desired: 'a', fenced: [], members };
  assert.deepEqual(planFailover({ ...base, epoch: 4, appliedEpoch: 5 }).actions, []);
  assert.equal(planFailover({ ...base, epoch: 4, appliedEpoch: 5 }).stale, true);
  assert.equal(planFailover({ ...base, epoch: 5, appliedEpoch: 5 }).actions.length, 1);
});

test('release plans only what the member holds', () => {
  assert.deepEqual(planRelease([obs('b1', 'b'), obs('a1', 'a')], 'a', 2), [
    { kind: 'release', resource: 'a1', holder: 'a', epoch: 2 },
  ]);
});

test('property: every resource gets exactly one action, never a takeover from a live member', () => {
  const holderArb = fc.constantFrom<string | null>(null, 'a', 'b', 'c', 'x');
  fc.assert(
    fc.property(
      fc.array(holderArb, { maxLength: 20 }),
      fc.subarray(members),
      fc.constantFrom(...members),
      (holders, fenced, desired) => {
        const observed = holders.map((h, i) => obs(`r${i}`, h));
        const plan = planFailover({ observed, desired, epoch: 1, fenced, members });
        assert.equal(plan.actions.length, observed.length);
        assert.deepEqual(new Set(plan.actions.map((a) => a.resource)).size, observed.length);
        for (const a of plan.actions) {
          const was = observed.find((o) => o.resource === a.resource)?.holder ?? null;
          if (a.kind === 'acquire') {
            assert.notEqual(was, desired);
            if (was !== null) assert.ok(fenced.includes(was), 'takeover only from fenced');
            assert.equal(a.takeover, was !== null);
          }
          if (a.kind === 'keep') assert.equal(was, desired);
        }
        // Idempotence: after applying, the plan is all keeps.
        const after = plan.actions.map((a) =>
          obs(a.resource, a.kind === 'acquire' || a.kind === 'keep' ? desired : a.holder),
        );
        const again = planFailover({ observed: after, desired, epoch: 1, fenced, members });
        assert.ok(again.actions.every((a) => a.kind !== 'acquire'));
      },
    ),
  );
});
