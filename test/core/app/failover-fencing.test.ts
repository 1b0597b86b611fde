// @needs redis
/** The failover use case on the real Redis fence and store: racing workers, lost locks, busy groups. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import { findGroup, runFailover } from '../../../core/app/index.ts';
import type { ControlDeps } from '../../../core/app/index.ts';
import type { FailoverJob } from '../../../core/ports/index.ts';
import { MemoryVipProvider } from '../../../adapters/memory/index.ts';
import { controlKeys, redisFence } from '../../../adapters/redis/index.ts';
import type { ControlPlane } from '../../../functions/control-plane/index.ts';
import { controlFixture, redisUrl } from '../../e2e/control-plane/fixture.ts';
import { GatedProvider, gate } from './gated-provider.ts';

const job = (key: string, to: string, seq?: number): FailoverJob => ({
  kind: 'failover',
  key,
  group: 'web',
  to,
  action: 'switchover',
  reason: 'test',
  source: 'test',
  ...(seq === undefined ? {} : { seq }),
});

/** The worker deps of `cp` as another process would have them (its own lock owner id). */
function workerAs(cp: ControlPlane, owner: string, waitMs?: number): ControlDeps {
  const fence = redisFence(cp.workerRedis, controlKeys(cp.config.redis.prefix), {
    owner,
    ttlMs: cp.config.worker.lockTtlMs,
    nowMs: () => Date.now(),
    pollMs: 5,
  });
  return {
    ...cp.worker,
    fence: waitMs === undefined ? fence : { ...fence, acquire: (g) => fence.acquire(g, { waitMs }) },
  };
}

test('two workers: the one whose lock was lost mid-move is stopped by the fence before it writes', async (t) => {
  const memory = new MemoryVipProvider('memory');
  memory.set('web-vip', 'a');
  const gated = new GatedProvider(memory);
  const { cp, prefix } = await controlFixture(t, {
    providers: { memory: gated },
    patch: { worker: { lockTtlMs: 1000, attempts: 1, backoffMs: 10 } },
  });
  const group = findGroup(cp.config, 'web');
  assert.ok(group);
  const workerA = workerAs(cp, 'worker-A');
  const workerB = workerAs(cp, 'worker-B');
  const hold = gate();
  const entered = gate();
  gated.beforeAcquire = async (epoch) => {
    if (epoch === 1) {
      entered.open();
      await hold.wait; // worker A stalls inside its provider call (a slow network, a paused VM)
    }
  };
  const a = runFailover(workerA, { group, job: job('race-a', 'b') });
  await entered.wait;
  // A's lock disappears (it expired while the store was unreachable); B takes the group and acts.
  const redis = new Redis(redisUrl);
  t.after(() => redis.disconnect());
  await redis.del(controlKeys(prefix).lock('web'));
  const b = await runFailover(workerB, { group, job: job('race-b', 'c') });
  assert.ok(b.kind === 'ok' && b.value.epoch === 2 && b.value.outcome === 'committed');
  hold.open();
  const ra = await a;
  assert.equal(ra.kind, 'conflict', 'the stale worker is refused');
  assert.match(ra.kind === 'conflict' ? ra.reason : '', /epoch 1/);
  assert.deepEqual(gated.acquireEpochs, [1, 2]);
  assert.deepEqual(
    memory.calls.filter((c) => c.operation === 'set').map((c) => c.params['epoch']),
    [2],
    "A's provider call never wrote: the fence check before the write stopped it",
  );
  const state = await cp.worker.state.get('web');
  assert.equal(state.kind === 'ok' && state.value?.holder, 'c');
  assert.equal(state.kind === 'ok' && state.value?.epoch, 2);
  const audit = await cp.worker.audit.list({ group: 'web', limit: 10 });
  assert.deepEqual(
    (audit.kind === 'ok' ? audit.value : []).map((e) => [e.action, e.epoch, e.outcome]),
    [
      ['refused', 1, 'conflict'],
      ['switchover', 2, 'ok'],
    ],
  );
});

test('a worker holding the lock longer than its ttl keeps it (heartbeat); the other waits and then runs', async (t) => {
  const memory = new MemoryVipProvider('memory');
  memory.set('web-vip', 'a');
  const gated = new GatedProvider(memory);
  const { cp } = await controlFixture(t, {
    providers: { memory: gated },
    patch: { worker: { lockTtlMs: 200, attempts: 1, backoffMs: 10 } },
  });
  const group = findGroup(cp.config, 'web');
  assert.ok(group);
  gated.beforeAcquire = (epoch) => (epoch === 1 ? new Promise((r) => setTimeout(r, 900)) : undefined);
  const [a, b] = await Promise.all([
    runFailover(workerAs(cp, 'A'), { group, job: job('slow', 'b', 1) }),
    new Promise((r) => setTimeout(r, 50)).then(() =>
      runFailover(workerAs(cp, 'B', 5000), { group, job: job('next', 'c', 2) }),
    ),
  ]);
  assert.ok(
    a.kind === 'ok' && a.value.outcome === 'committed' && a.value.epoch === 1,
    'kept its lock 4.5 ttls',
  );
  assert.ok(
    b.kind === 'ok' && b.value.outcome === 'committed' && b.value.epoch === 2,
    'waited, did not fail',
  );
  const audit = await cp.worker.audit.list({ group: 'web', limit: 10 });
  assert.deepEqual(
    (audit.kind === 'ok' ? audit.value : []).reverse().map((e) => [e.from, e.to]),
    [
      ['a', 'b'],
      ['b', 'c'],
    ],
    'an unbroken from -> to chain',
  );
});

test('a busy group answers retry(busy) after the wait, and touches no provider', async (t) => {
  const memory = new MemoryVipProvider('memory');
  const gated = new GatedProvider(memory);
  const { cp } = await controlFixture(t, { providers: { memory: gated } });
  const group = findGroup(cp.config, 'web');
  assert.ok(group);
  const other = await workerAs(cp, 'B').fence.acquire('web');
  assert.ok(other.kind === 'ok');
  const r = await runFailover(workerAs(cp, 'A', 50), { group, job: job('blocked', 'b') });
  assert.ok(r.kind === 'retry' && r.busy === true);
  assert.deepEqual(gated.acquireEpochs, []);
  await other.value.release();
});
