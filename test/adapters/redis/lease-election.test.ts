// @needs redis
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import { createLeaseElection } from '../../../core/app/index.ts';
import type { LeaseElection } from '../../../core/app/index.ts';
import type { VipResource } from '../../../core/ports/index.ts';
import { MemoryVipProvider } from '../../../adapters/memory/index.ts';
import { controlKeys, nodeTimers, redisLeaseTransport } from '../../../adapters/redis/index.ts';
import { systemClock } from '../../../adapters/system/index.ts';
import { dropPrefix, eventually, quietLogger, redisUrl } from '../../e2e/control-plane/fixture.ts';

const vip: VipResource = { id: 'vip', provider: 'memory', kind: 'address', spec: {} };

test('lease election over Redis: VRRP priorities pick the master, a stop hands over, preemption fences the old master', async (t) => {
  const prefix = `t-lease-${randomUUID().slice(0, 8)}`;
  const keys = controlKeys(prefix);
  const redis = new Redis(redisUrl);
  const provider = new MemoryVipProvider('memory');
  const events: string[] = [];
  const running: LeaseElection[] = [];
  t.after(async () => {
    for (const e of running) await e.stop().catch(() => undefined);
    redis.disconnect();
    await dropPrefix(redisUrl, prefix);
  });
  const transport = redisLeaseTransport(redis, keys, quietLogger);
  const node = (name: string, priority: number, address: string): LeaseElection => {
    const e = createLeaseElection({
      scope: 'web',
      node: name,
      address,
      priority,
      intervalMs: 50,
      vips: ['192.0.2.10'],
      transport,
      timers: nodeTimers(systemClock),
      clock: systemClock,
      logger: quietLogger,
      onMaster: async (epoch) => {
        events.push(`${name} master ${epoch}`);
        // The provider call carries the lease epoch: a node preempted later cannot undo it.
        await provider.acquire(vip, { id: name, spec: {} }, epoch, { takeover: true });
      },
      onLeaseLost: (epoch) => events.push(`${name} lost ${epoch}`),
    });
    running.push(e);
    return e;
  };
  const high = node('n200', 200, '10.0.0.3');
  const mid = node('n150', 150, '10.0.0.2');
  const low = node('n100', 100, '10.0.0.1');
  await Promise.all([high.start(), mid.start(), low.start()]);

  const roles = (): string => [high, mid, low].map((e) => e.role).join(',');
  await eventually(async () => (roles() === 'MASTER,BACKUP,BACKUP' ? true : undefined), 'n200 elected');
  const holder = async () => {
    const o = await provider.observe(vip);
    return o.kind === 'ok' ? o.value.holder : null;
  };
  await eventually(async () => ((await holder()) === 'n200' ? true : undefined), 'n200 holds the VIP');
  // Started together, a lower node may win the lease for an instant before it hears n200 (VRRP converges
  // by adverts); whatever happened, n200 holds it last, under the newest epoch.
  const e1 = high.epoch ?? -1;
  assert.equal(events.at(-1), `n200 master ${e1}`);

  // The master stops: priority-0 advert, lease released; the next priority takes over after Skew_Time.
  await high.stop();
  await eventually(
    async () => (mid.role === 'MASTER' && (await holder()) === 'n150' ? true : undefined),
    'n150 takes over',
  );
  assert.equal(low.role, 'BACKUP');
  assert.equal(mid.epoch, e1 + 1);

  // n200 comes back and preempts: its claim fences n150's epoch, and a late call under that epoch is refused.
  const back = node('n200b', 200, '10.0.0.3');
  await back.start();
  await eventually(
    async () =>
      back.role === 'MASTER' && mid.role === 'BACKUP' && (await holder()) === 'n200b' ? true : undefined,
    'n200b preempts',
  );
  assert.ok(events.includes(`n150 master ${e1 + 1}`));
  assert.ok(events.includes(`n200b master ${e1 + 2}`));
  const stale = await provider.acquire(vip, { id: 'n150', spec: {} }, e1 + 1, { takeover: true });
  assert.equal(stale.kind, 'conflict');
  assert.equal(await holder(), 'n200b');
  assert.equal(low.role, 'BACKUP');
});
