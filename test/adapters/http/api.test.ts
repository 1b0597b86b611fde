// @needs redis
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startServe } from '../../../functions/serve/index.ts';
import { startWorker } from '../../../functions/worker/index.ts';
import { controlFixture, eventually, opsToken, viewerToken } from '../../e2e/control-plane/fixture.ts';

test('manual failover: dry run lists the API calls and changes nothing; a real one is queued and runs', async (t) => {
  const { cp, provider, defer } = await controlFixture(t);
  const server = await startServe(cp, { port: 0 });
  defer(() => server.close());
  const call = (method: string, path: string, token: string | null, body?: unknown) =>
    fetch(`${server.url}${path}`, {
      method,
      headers: {
        ...(token === null ? {} : { authorization: `Bearer ${token}` }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  const dry = await call('POST', '/v1/groups/web/switchover', opsToken, { to: 'c', dryRun: true });
  assert.equal(dry.status, 200);
  const plan = (await dry.json()) as {
    from: string;
    to: string;
    calls: { operation: string; params: { holder: string } }[];
  };
  assert.equal(plan.from, 'a');
  assert.equal(plan.to, 'c');
  assert.deepEqual(
    plan.calls.map((c) => [c.operation, c.params.holder]),
    [['set', 'c']],
  );
  assert.equal(provider.calls.filter((c) => c.operation === 'set').length, 0, 'dry run wrote nothing');
  assert.equal(await (await cp.queue()).count(), 0);

  // Scopes: a read-only token may look but not move.
  assert.equal((await call('POST', '/v1/groups/web/failover', viewerToken, {})).status, 403);
  assert.equal((await call('GET', '/v1/groups', null)).status, 401);

  const queued = await call('POST', '/v1/groups/web/switchover', opsToken, { to: 'c' });
  assert.equal(queued.status, 202);
  const worker = await startWorker(cp, { schedule: false });
  defer(() => worker.close());
  await eventually(async () => {
    const r = (await (await call('GET', '/v1/groups/web', viewerToken)).json()) as { holder: string | null };
    return r.holder === 'c' ? true : undefined;
  }, 'switchover to c');
  const group = (await (await call('GET', '/v1/groups/web', viewerToken)).json()) as {
    epoch: number;
    members: { id: string; holder: boolean }[];
  };
  assert.equal(group.epoch, 1);
  assert.deepEqual(
    group.members.filter((m) => m.holder).map((m) => m.id),
    ['c'],
  );
  const audit = (await (await call('GET', '/v1/audit?group=web', viewerToken)).json()) as {
    entries: { action: string; from: string; to: string; source: string }[];
  };
  assert.deepEqual(
    audit.entries.map((e) => [e.action, e.from, e.to, e.source]),
    [['switchover', 'a', 'c', 'manual']],
  );
  assert.equal((await call('GET', '/v1/audit?limit=0', viewerToken)).status, 400);

  const metrics = await (await call('GET', '/metrics', viewerToken)).text();
  assert.match(
    metrics,
    /floatip_failover_duration_seconds_count\{group="web",action="switchover",outcome="committed"\} 1/,
  );
  assert.match(metrics, /floatip_group_holder\{group="web",member="c"\} 1/);
  assert.match(metrics, /floatip_group_holder\{group="web",member="a"\} 0/);

  const doc = (await (await call('GET', '/openapi.json', null)).json()) as {
    openapi: string;
    paths: Record<string, unknown>;
  };
  assert.equal(doc.openapi, '3.1.0');
  assert.ok(doc.paths['/v1/webhooks/sns']);
  assert.equal((await call('GET', '/healthz', null)).status, 200);
});

test('rate limit answers 429 with Retry-After once a client passes its budget', async (t) => {
  const { cp, defer } = await controlFixture(t, { patch: { http: { ratePerMinute: 3 } } });
  const server = await startServe(cp, { port: 0 });
  defer(() => server.close());
  const statuses: number[] = [];
  let retryAfter: string | null = null;
  for (let i = 0; i < 5; i++) {
    const r = await fetch(`${server.url}/v1/groups`, { headers: { authorization: `Bearer ${viewerToken}` } });
    statuses.push(r.status);
    if (r.status === 429) retryAfter = r.headers.get('retry-after');
  }
  assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
  assert.match(retryAfter ?? '', /^\d+$/);
});
