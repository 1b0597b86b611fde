// @needs redis
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import { runFailover } from '../../../core/app/index.ts';
import type { ControlDeps } from '../../../core/app/index.ts';
import type { FailoverJob } from '../../../core/ports/index.ts';
import { MemoryVipProvider } from '../../../adapters/memory/index.ts';
import { controlKeys } from '../../../adapters/redis/index.ts';
import { controlFixture, eventually, redisUrl } from '../../e2e/control-plane/fixture.ts';
import { GatedProvider, gate } from './gated-provider.ts';

const job = (key: string, to: string): FailoverJob => ({
  kind: 'failover',
  key,
  group: 'web',
  to,
  action: 'switchover',
  reason: 'test',
  source: 'test',
});

test('two workers racing on one group: one acts, the stale one is refused by the provider on epoch', async (t) => {
  const memory = new MemoryVipProvider('memory');
  memory.set('web-vip', 'a');
  const gated = new GatedProvider(memory);
  const { cp, prefix } = await controlFixture(t, {
    providers: { memory: gated },
    patch: { worker: { lockTtlMs: 150, attempts: 1, backoffMs: 10 } },
  });
  const workerA: ControlDeps = { ...cp.worker, owner: 'worker-A' };
  const workerB: ControlDeps = { ...cp.worker, owner: 'worker-B' };
  const hold = gate();
  const entered = gate();
  gated.beforeAcquire = async (epoch) => {
    if (epoch === 1) {
      entered.open();
      await hold.wait; // worker A stalls inside its provider call (a GC pause, a slow network)
    }
  };
  const a = runFailover(workerA, job('race-a', 'b'));
  await entered.wait;
  // A's lock expires while it is stalled; B takes the group with a newer epoch and acts.
  const redis = new Redis(redisUrl);
  t.after(() => redis.disconnect());
  await eventually(
    async () => ((await redis.exists(controlKeys(prefix).lock('web'))) === 0 ? true : undefined),
    'A lock to expire',
  );
  const b = await runFailover(workerB, job('race-b', 'c'));
  assert.equal(b.kind, 'ok');
  assert.equal(b.kind === 'ok' && b.value.epoch, 2);
  hold.open();
  const ra = await a;
  assert.equal(ra.kind, 'conflict', 'the stale worker is refused');
  assert.match(ra.kind === 'conflict' ? ra.reason : '', /epoch 1/);

  assert.deepEqual(gated.acquireEpochs, [1, 2], "A's provider call carried epoch 1, B's epoch 2");
  const seen = await memory.observe({ id: 'web-vip', provider: 'memory', kind: 'address', spec: {} });
  assert.equal(seen.kind === 'ok' && seen.value.holder, 'c', 'the newer decision stands');
  const state = await cp.worker.state.get('web');
  assert.equal(state.kind === 'ok' && state.value?.holder, 'c');
  assert.equal(state.kind === 'ok' && state.value?.epoch, 2);
  const audit = await cp.worker.audit.list({ group: 'web', limit: 10 });
  const entries = audit.kind === 'ok' ? audit.value : [];
  assert.deepEqual(
    entries.map((e) => [e.action, e.epoch, e.outcome]),
    [
      ['refused', 1, 'conflict'],
      ['switchover', 2, 'ok'],
    ],
  );
});

test('a worker whose lock was taken over stops at the fence check before calling the provider', async (t) => {
  const memory = new MemoryVipProvider('memory');
  memory.set('web-vip', 'a');
  const gated = new GatedProvider(memory);
  const { cp, prefix } = await controlFixture(t, { providers: { memory: gated } });
  const workerA: ControlDeps = { ...cp.worker, owner: 'worker-A' };
  const got = await cp.worker.fence.acquire('web', 'worker-A', 10_000, 0);
  assert.equal(got.kind, 'ok');
  // Another owner cannot take the lock while A holds it: it is told to try later.
  const other = await cp.worker.fence.acquire('web', 'worker-B', 10_000, 0);
  assert.equal(other.kind, 'retry');
  // The lock vanishes (operator cleared it) and B bumps the epoch: A's epoch 1 is no longer current.
  const redis = new Redis(redisUrl);
  t.after(() => redis.disconnect());
  await redis.del(controlKeys(prefix).lock('web'));
  const b = await cp.worker.fence.acquire('web', 'worker-B', 10_000, 0);
  assert.equal(b.kind === 'ok' && b.value.epoch, 2);
  const check = await workerA.fence.check('web', 'worker-A', 1);
  assert.equal(check.kind, 'conflict');
  // A late commit under epoch 1 writes nothing.
  const commit = await cp.worker.state.commit(
    'web',
    1,
    { holder: 'b', job: 'late' },
    {
      atMs: 0,
      group: 'web',
      action: 'failover',
      epoch: 1,
      job: 'late',
      source: 'test',
      from: 'a',
      to: 'b',
      outcome: 'ok',
      reason: '',
      before: [],
      after: [],
      calls: [],
    },
  );
  assert.equal(commit.kind, 'conflict');
  const state = await cp.worker.state.get('web');
  assert.equal(state.kind === 'ok' ? state.value : 'x', null, 'nothing was written');
  // While B holds the lock, a failover job is told to retry later and touches no provider.
  const r = await runFailover(workerA, job('blocked', 'b'));
  assert.equal(r.kind, 'retry');
  assert.deepEqual(gated.acquireEpochs, []);
});
