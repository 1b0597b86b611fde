import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { moveResource, type KindDriver } from '../../../core/failover/index.ts';
import { seededRandom } from '../../../adapters/memory/index.ts';
import type { Outcome } from '../../../core/model/index.ts';

/** A one-slot provider as a KindDriver: `holder` is the state; writes may be made to fail. */
function slot(initial: string | null, target: string, faults: Array<'conflict' | 'retry' | 'ok'>) {
  const world = { holder: initial, writes: 0, reads: 0 };
  const driver: KindDriver<string | null> = {
    read: async () => {
      world.reads++;
      return { kind: 'ok', value: world.holder };
    },
    observe: (h) => ({ resource: 'r', holder: h, detail: {} }),
    acquireWrites: (h) =>
      h === target
        ? { kind: 'ok', value: [] }
        : {
            kind: 'ok',
            value: [
              {
                call: { service: 't', operation: 'set', params: { to: target } },
                run: async (): Promise<Outcome<unknown>> => {
                  world.writes++;
                  const f = faults.shift() ?? 'ok';
                  if (f === 'ok') world.holder = target;
                  return f === 'ok' ? { kind: 'ok', value: undefined } : { kind: f, reason: f };
                },
              },
            ],
          },
    releaseWrites: (h) =>
      h !== target
        ? { kind: 'ok', value: [] }
        : {
            kind: 'ok',
            value: [
              {
                call: { service: 't', operation: 'clear', params: {} },
                run: async () => {
                  world.writes++;
                  world.holder = null;
                  return { kind: 'ok', value: undefined };
                },
              },
            ],
          },
  };
  return { world, driver };
}

const deps = {
  verify: { attempts: 3, baseMs: 0, capMs: 0, factor: 1, jitter: 'none' as const },
  random: seededRandom(1),
  sleep: async () => {},
};

test('property: never writes without takeover when another member holds; never writes when already right', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom<string | null>(null, 'a', 'b'),
      fc.boolean(),
      fc.boolean(),
      fc.array(fc.constantFrom<'conflict' | 'retry' | 'ok'>('conflict', 'retry', 'ok'), { maxLength: 5 }),
      async (initial, takeover, dryRun, faults) => {
        const { world, driver } = slot(initial, 'a', [...faults]);
        const out = await moveResource(driver, 'acquire', 'a', { takeover, dryRun }, deps);
        if (initial === 'a') {
          assert.equal(world.writes, 0);
          assert.ok(out.kind === 'ok' && !out.value.changed);
        } else if (initial === 'b' && !takeover) {
          assert.equal(world.writes, 0);
          assert.equal(out.kind, 'conflict');
        } else if (dryRun) {
          assert.equal(world.writes, 0);
          assert.ok(out.kind === 'ok' && out.value.calls.length === 1 && out.value.after.holder === 'a');
        } else if (out.kind === 'ok') {
          assert.equal(world.holder, 'a', 'ok means read back');
          assert.equal(out.value.after.holder, 'a');
        } else assert.notEqual(out.kind, 'give-up');
        // Whatever happened, conflicts are retried a bounded number of times.
        assert.ok(world.writes <= 4);
      },
    ),
  );
});

test('release by the holder frees; by anyone else is a no-op', async () => {
  const mine = slot('a', 'a', []);
  const out = await moveResource(mine.driver, 'release', 'a', {}, deps);
  assert.ok(out.kind === 'ok' && out.value.changed && mine.world.holder === null);
  const other = slot('b', 'a', []);
  const noop = await moveResource(other.driver, 'release', 'a', {}, deps);
  assert.ok(noop.kind === 'ok' && !noop.value.changed && other.world.writes === 0);
});
