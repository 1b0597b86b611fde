// @needs redis
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startServe } from '../../../functions/serve/index.ts';
import { startWorker } from '../../../functions/worker/index.ts';
import { controlFixture, eventually, opsToken } from './fixture.ts';

const alert = (status: 'firing' | 'resolved') => ({
  version: '4',
  groupKey: '{}:{alertname="NodeDown"}',
  status,
  receiver: 'floatip',
  groupLabels: { alertname: 'NodeDown' },
  commonLabels: {},
  commonAnnotations: {},
  externalURL: 'http://alertmanager.local',
  truncatedAlerts: 0,
  alerts: [
    {
      status,
      labels: { alertname: 'NodeDown', floatip_group: 'web', instance: 'a' },
      annotations: { summary: 'node a is down' },
      startsAt: '2026-11-23T10:00:00Z',
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus.local/graph',
      fingerprint: '3f2a9c0d11aa22bb',
    },
  ],
});

test('1,000 concurrent duplicate webhooks for one incident make one failover and one audit entry', async (t) => {
  const { cp, provider, config, defer } = await controlFixture(t);
  const server = await startServe(cp, { port: 0 });
  defer(() => server.close());
  const body = JSON.stringify(alert('firing'));
  const send = () =>
    fetch(`${server.url}/v1/webhooks/alertmanager`, {
      method: 'POST',
      headers: { authorization: `Bearer ${opsToken}`, 'content-type': 'application/json' },
      body,
    });
  // All duplicates land before any worker runs: the queue alone must collapse them.
  const statuses = await Promise.all(
    Array.from({ length: 1000 }, async () => {
      const r = await send();
      if (r.status !== 202) console.log(await r.text());
      return r.status;
    }),
  );
  assert.deepEqual([...new Set(statuses)], [202]);
  assert.equal(await (await cp.queue()).count(), 1, 'one job queued');

  const worker = await startWorker(cp, { schedule: false });
  defer(() => worker.close());
  const state = await eventually(async () => {
    const s = await cp.api.state.get('web');
    return s.kind === 'ok' && s.value?.holder === 'b' ? s.value : undefined;
  }, 'group web to move to b');
  assert.equal(state.health.a, 'down');
  // More duplicates after the failover ran: still nothing new.
  const late = await Promise.all(Array.from({ length: 50 }, async () => (await send()).json()));
  assert.ok(late.every((r) => (r as { jobs: { duplicate: boolean }[] }).jobs[0]?.duplicate === true));
  await eventually(
    async () => ((await (await cp.queue()).getJobCounts()).active === 0 ? true : undefined),
    'queue idle',
  );

  const audit = await cp.api.audit.list({ group: 'web', limit: 100 });
  assert.equal(audit.kind, 'ok');
  assert.equal(audit.kind === 'ok' && audit.value.length, 1, 'exactly one audit entry');
  const entry = audit.kind === 'ok' ? audit.value[0] : undefined;
  assert.equal(entry?.from, 'a');
  assert.equal(entry?.to, 'b');
  assert.equal(entry?.before[0]?.holder, 'a');
  assert.equal(entry?.after[0]?.holder, 'b');
  const writes = provider.calls.filter((c) => c.operation === 'set');
  assert.equal(writes.length, 1, 'exactly one provider write');
  assert.equal(config.groups.length, 2);
});
