// @needs redis redis-server
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryVipProvider } from '../../../adapters/memory/index.ts';
import { startServe } from '../../../functions/serve/index.ts';
import { startWorker } from '../../../functions/worker/index.ts';
import { GatedProvider, gate } from '../../core/app/gated-provider.ts';
import { controlFixture, eventually, opsToken } from './fixture.ts';
import { privateRedis } from './redis-server.ts';

const webhook = (fingerprint: string) =>
  JSON.stringify({
    version: '4',
    status: 'firing',
    alerts: [
      {
        status: 'firing',
        labels: { alertname: 'NodeDown', floatip_group: 'web', instance: 'a' },
        annotations: { summary: 'a down' },
        startsAt: '2026-11-23T10:00:00Z',
        fingerprint,
      },
    ],
  });

test('Redis stopped mid-failover and restarted: the job completes once; webhooks meanwhile get 503', async (t) => {
  const redis = await privateRedis();
  await redis.start();
  const memory = new MemoryVipProvider('memory');
  memory.set('web-vip', 'a');
  const gated = new GatedProvider(memory);
  const hold = gate();
  const entered = gate();
  gated.beforeAcquire = async () => {
    entered.open();
    await hold.wait;
  };
  const { cp, defer } = await controlFixture(t, { url: redis.url, providers: { memory: gated } });
  t.after(() => redis.dispose());
  const server = await startServe(cp, { port: 0 });
  defer(() => server.close());
  const worker = await startWorker(cp, { schedule: false });
  defer(() => worker.close());
  const post = (body: string) =>
    fetch(`${server.url}/v1/webhooks/alertmanager`, {
      method: 'POST',
      headers: { authorization: `Bearer ${opsToken}`, 'content-type': 'application/json' },
      body,
    });

  assert.equal((await post(webhook('incident-1'))).status, 202);
  await entered.wait; // the failover is inside its provider call
  await redis.kill();
  await eventually(async () => (cp.apiRedis.status === 'ready' ? undefined : true), 'API to see Redis gone');

  for (const body of [webhook('incident-1'), webhook('incident-2')]) {
    const res = await post(body);
    assert.equal(res.status, 503);
    assert.match(res.headers.get('retry-after') ?? '', /^\d+$/);
    const err = (await res.json()) as { error: { code: string } };
    assert.equal(err.error.code, 'store_unavailable');
  }
  const ready = await fetch(`${server.url}/readyz`);
  assert.equal(ready.status, 503);

  hold.open(); // the provider call finishes while Redis is down; the commit waits for Redis
  await redis.start();
  const state = await eventually(async () => {
    const s = await cp.api.state.get('web');
    return s.kind === 'ok' && s.value?.holder === 'b' ? s.value : undefined;
  }, 'failover to commit after Redis returns');
  assert.equal(state.epoch, 1);
  await eventually(
    async () => ((await (await cp.queue()).getJobCounts()).completed === 1 ? true : undefined),
    'job completed',
  );
  const counts = await (await cp.queue()).getJobCounts();
  assert.equal(counts.failed, 0);
  const audit = await cp.api.audit.list({ group: 'web', limit: 10 });
  assert.equal(audit.kind === 'ok' && audit.value.length, 1, 'one audit entry');
  assert.equal(memory.calls.filter((c) => c.operation === 'set').length, 1, 'one provider write');
  assert.deepEqual(gated.acquireEpochs, [1]);

  // The sender's retry of the first incident after the outage is a duplicate, not a second failover.
  const again = await eventually(async () => {
    const r = await post(webhook('incident-1'));
    return r.status === 202 ? ((await r.json()) as { jobs: { duplicate: boolean }[] }) : undefined;
  }, 'API back');
  assert.equal(again.jobs[0]?.duplicate, true);
});
