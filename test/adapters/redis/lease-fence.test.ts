// @needs redis
/**
 * The split-brain arbiter of cloud mode on real Redis: two agents that both believe they are MASTER
 * claim the group's lease; only the preferred one (VRRP priority) acts, the other's fence says no; a
 * higher-priority node takes the lease over and the old holder's next check fails; with Redis
 * unreachable the VRRP mastership alone decides (a Redis outage never blocks a failover).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import { createVrrpFence } from '../../../core/app/index.ts';
import { silentLogger } from '../../../adapters/memory/index.ts';
import { controlKeys, leaseFence, redisLeaseTransport } from '../../../adapters/redis/index.ts';
import { dropPrefix, redisUrl } from '../../e2e/control-plane/fixture.ts';

function agent(redis: Redis, prefix: string, node: string, priority: number, address: string) {
  const vrrp = createVrrpFence();
  vrrp.setMaster(true);
  const unreachable: string[] = [];
  const fence = leaseFence({
    transport: redisLeaseTransport(redis, controlKeys(prefix), silentLogger),
    gate: vrrp,
    node,
    priority,
    address,
    ttlMs: 2000,
    onUnreachable: (_g, why) => unreachable.push(why),
  });
  return { vrrp, fence, unreachable };
}

test('two MASTERs: the lease lets one act; a preferred node takes it over and the other stops', async (t) => {
  const prefix = `t-arb-${randomUUID().slice(0, 8)}`;
  const redis = new Redis(redisUrl);
  t.after(async () => {
    redis.disconnect();
    await dropPrefix(redisUrl, prefix);
  });
  const low = agent(redis, prefix, 'lb-2', 100, '10.0.0.2');
  const high = agent(redis, prefix, 'lb-1', 200, '10.0.0.1');
  const a = await low.fence.acquire('web');
  assert.ok(a.kind === 'ok', 'free lease: the first MASTER gets it');
  assert.equal((await a.value.check()).kind, 'ok');
  const b = await high.fence.acquire('web');
  assert.ok(
    b.kind === 'ok' && b.value.epoch > a.value.epoch,
    'the preferred node preempts with a newer epoch',
  );
  assert.equal((await a.value.check()).kind, 'conflict', 'the preempted node stops before its next write');
  const again = await low.fence.acquire('web');
  assert.equal(again.kind, 'conflict', 'and cannot take it back while the preferred one holds it');
  // The preferred node leaves MASTER: its own checks fail at once, and the other may act.
  high.vrrp.setMaster(false);
  assert.equal((await b.value.check()).kind, 'conflict');
  await high.fence.stepDown();
  const c = await low.fence.acquire('web');
  assert.ok(c.kind === 'ok' && c.value.epoch > b.value.epoch);
  await low.fence.stepDown();
});

test('arbiter unreachable: the VRRP mastership alone decides, and says so', async () => {
  const dead = new Redis('redis://127.0.0.1:1', {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
  });
  dead.on('error', () => undefined);
  const x = agent(dead, 'none', 'lb-1', 200, '10.0.0.1');
  const got = await x.fence.acquire('web');
  assert.ok(got.kind === 'ok', JSON.stringify(got));
  assert.equal((await got.value.check()).kind, 'ok');
  assert.equal(x.unreachable.length, 1);
  x.vrrp.setMaster(false);
  assert.equal((await got.value.check()).kind, 'conflict', 'the gate still applies');
  dead.disconnect();
});
