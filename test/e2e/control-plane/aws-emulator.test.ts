// @needs redis
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startServe } from '../../../functions/serve/index.ts';
import { startWorker } from '../../../functions/worker/index.ts';
import { startEc2Emulator } from '../../emulators/ec2.ts';
import { controlFixture, eventually, opsToken } from './fixture.ts';

test('control plane on the AWS provider: an alert moves the elastic IP through the real EC2 SDK to the emulator', async (t) => {
  // The SDK's credential chain reads these; the emulator checks nothing but the wire format.
  process.env.AWS_ACCESS_KEY_ID = 'AKIDTEST';
  process.env.AWS_SECRET_ACCESS_KEY = 'test-secret';
  const ec2 = await startEc2Emulator();
  t.after(() => ec2.close());
  ec2.state.addEni({ id: 'eni-a', instanceId: 'i-a', privateIps: ['10.0.1.10'] });
  ec2.state.addEni({ id: 'eni-b', instanceId: 'i-b', privateIps: ['10.0.1.20'] });
  ec2.state.addAddress({ allocationId: 'eipalloc-1', publicIp: '198.51.100.7' });

  const { cp, defer } = await controlFixture(t, {
    providers: 'from-config',
    patch: {
      providers: { aws: { region: 'us-east-1', endpoint: ec2.url } },
      worker: { concurrency: 4, lockTtlMs: 30_000, attempts: 3, backoffMs: 50 },
      alerts: [{ match: { alertname: 'NodeDown' }, group: 'edge', memberLabel: 'instance' }],
      groups: [
        {
          id: 'edge',
          members: {
            a: { priority: 200, aws: { networkInterfaceId: 'eni-a' } },
            b: { priority: 100, aws: { networkInterfaceId: 'eni-b' } },
          },
          resources: [
            { id: 'edge-eip', provider: 'aws', kind: 'elastic-ip', spec: { allocationId: 'eipalloc-1' } },
          ],
        },
      ],
    },
  });
  const server = await startServe(cp, { port: 0 });
  defer(() => server.close());
  const worker = await startWorker(cp, { schedule: false });
  defer(() => worker.close());
  const post = (path: string, body: unknown) =>
    fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${opsToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  // Dry run first: the exact EC2 call, and nothing written.
  const dry = await post('/v1/groups/edge/failover', { dryRun: true });
  assert.equal(dry.status, 200, await dry.clone().text());
  const plan = (await dry.json()) as { to: string; calls: { service: string; operation: string }[] };
  assert.equal(plan.to, 'a');
  assert.deepEqual(
    plan.calls.map((c) => `${c.service}:${c.operation}`),
    ['ec2:AssociateAddress'],
  );
  assert.equal(ec2.state.addresses.get('eipalloc-1')?.eniId, null);
  assert.ok(!ec2.requests.some((r) => r.action === 'AssociateAddress'));

  // The sweep assigns the unassigned address to the best member, then an alert moves it away.
  assert.equal((await cp.handle({ kind: 'sweep', key: 'first' }, { id: 's', attempt: 1 })).kind, 'ok');
  await eventually(
    async () => (ec2.state.addresses.get('eipalloc-1')?.eniId === 'eni-a' ? true : undefined),
    'EIP on a',
  );
  const alert = await post('/v1/webhooks/alertmanager', {
    version: '4',
    status: 'firing',
    alerts: [
      {
        status: 'firing',
        labels: { alertname: 'NodeDown', instance: 'a' },
        startsAt: '2026-01-01T00:00:00Z',
        fingerprint: 'aws-1',
      },
    ],
  });
  assert.equal(alert.status, 202);
  await eventually(
    async () => (ec2.state.addresses.get('eipalloc-1')?.eniId === 'eni-b' ? true : undefined),
    'EIP on b',
  );
  const entries = await eventually(async () => {
    const a = await cp.api.audit.list({ group: 'edge', limit: 10 });
    return a.kind === 'ok' && a.value.length === 2 ? a.value : undefined;
  }, 'the alert failover to commit');
  const last = entries[0];
  assert.equal(last?.from, 'a');
  assert.equal(last?.to, 'b');
  assert.ok(last?.calls.some((c) => c.operation === 'AssociateAddress'));
  assert.equal(ec2.requests.filter((r) => r.action === 'AssociateAddress').length, 2);
});
