// @needs redis
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HttpRequest, InvocationContext } from '@azure/functions';
import type { Timer } from '@azure/functions';
import { azureHttpHandler, azureTimerHandler } from '../../../functions/azure-functions/handlers.ts';
import { controlFixture, opsToken } from '../../e2e/control-plane/fixture.ts';

test('Azure HTTP trigger: an Azure Monitor alert through the /api route prefix makes a job', async (t) => {
  const { cp } = await controlFixture(t);
  const handler = azureHttpHandler(cp);
  const body = JSON.stringify({
    schemaId: 'azureMonitorCommonAlertSchema',
    data: {
      essentials: {
        alertId: 'alert-1',
        alertRule: 'WebDown',
        monitorCondition: 'Fired',
        severity: 'Sev1',
        configurationItems: ['vm-a'],
      },
      alertContext: {},
      customProperties: { host: 'host-a' },
    },
  });
  const req = new HttpRequest({
    method: 'POST',
    url: `https://floatip.azurewebsites.net/api/v1/webhooks/azure-monitor?token=${opsToken}`,
    headers: { 'content-type': 'application/json' },
    body: { string: body },
  });
  const res = await handler(req, new InvocationContext({ invocationId: 'inv-1', functionName: 'floatip' }));
  assert.equal(res.status, 202, new TextDecoder().decode(res.body as Uint8Array));
  assert.equal(await (await cp.queue()).count(), 1);
  const bad = await handler(
    new HttpRequest({
      method: 'POST',
      url: 'https://floatip.azurewebsites.net/api/v1/webhooks/azure-monitor',
      body: { string: body },
    }),
    new InvocationContext({ invocationId: 'inv-2', functionName: 'floatip' }),
  );
  assert.equal(bad.status, 401);
});

test('Azure timer trigger: a sweep and a bounded drain', async (t) => {
  const { cp, provider } = await controlFixture(t);
  provider.set('db-vip', 'somebody-else'); // a holder outside the group: reported, not taken
  const timer: Timer = {
    isPastDue: false,
    schedule: { adjustForDST: true },
    scheduleStatus: {
      last: '2026-11-23T10:00:00Z',
      next: '2026-11-23T10:01:00Z',
      lastUpdated: '2026-11-23T10:00:00Z',
    },
  };
  const r = await azureTimerHandler(cp, 30_000)(
    timer,
    new InvocationContext({ invocationId: 'inv-3', functionName: 'floatipSweep' }),
  );
  assert.equal(r.sweep.kind, 'ok');
  assert.equal(r.drain.completed, 1, 'the sweep');
  assert.equal(r.drain.failed, 1, 'the db failover gives up: its address is held by a non-member');
  const failed = await cp.api.queue.list('failed', 10);
  assert.equal(failed.kind, 'ok');
  const jobs = failed.kind === 'ok' ? failed.value : [];
  assert.equal(jobs[0]?.job?.kind === 'failover' && jobs[0].job.group, 'db');
  assert.match(jobs[0]?.failedReason ?? '', /db-vip.*not a member/);
});
