/**
 * What the real EC2 API does that a naive adapter gets wrong (issue 11): each case fails on the adapter
 * before the fix. The emulator behaves as EC2 does in each case; test/emulators/README.md names the source.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EC2Client, CreateRouteCommand, ReplaceRouteCommand } from '@aws-sdk/client-ec2';
import { awsConfig } from '../../../adapters/aws/index.ts';
import type { VipResource } from '../../../core/ports/index.ts';
import { checkProviders } from '../../../functions/shared/provider-schemas.ts';
import { failoverHarness } from '../../helpers/failover.ts';
import { awsLab, members, testPolicy } from './fixture.ts';

const [a, b] = members as [(typeof members)[0], (typeof members)[0]];
const route = (destination: string, tables = ['rtb-1', 'rtb-2']): VipResource => ({
  id: 'r',
  provider: 'aws',
  kind: 'route',
  spec: { routeTableIds: tables, destination },
});
const eip: VipResource = {
  id: 'eip',
  provider: 'aws',
  kind: 'elastic-ip',
  spec: { allocationId: 'eipalloc-1' },
};
const sip: VipResource = {
  id: 'sip',
  provider: 'aws',
  kind: 'secondary-ip',
  spec: { privateIp: '10.0.1.99' },
};
const writes = (reqs: Array<{ action: string }>): string[] =>
  reqs.map((r) => r.action).filter((x) => !x.startsWith('Describe'));

test('aws: a route deleted between read and ReplaceRoute is created instead (EC2 answers InvalidParameterValue)', async () => {
  const { ec2, provider } = await awsLab();
  try {
    ec2.state.addTable({ id: 'rtb-3', routes: [{ destination: '10.9.9.9/32', eniId: 'eni-b' }] });
    ec2.faults.beforeNext(/ReplaceRoute/, () => {
      const t = ec2.state.tables.get('rtb-3');
      if (t) t.routes = [];
    });
    const out = await provider.acquire(route('10.9.9.9/32', ['rtb-3']), a, 1, { takeover: true });
    assert.ok(out.kind === 'ok' && out.value.after.holder === 'a', JSON.stringify(out));
    assert.deepEqual(writes(ec2.requests), ['ReplaceRoute', 'CreateRoute']);
    assert.equal(ec2.state.route('rtb-3', '10.9.9.9/32')?.eniId, 'eni-a');
  } finally {
    await ec2.close();
  }
});

test('aws emulator: ReplaceRoute of a missing route answers as EC2 does; an IPv4 destination is stored canonical', async () => {
  const { ec2 } = await awsLab();
  const client = new EC2Client({
    region: 'us-east-1',
    endpoint: ec2.url,
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
    maxAttempts: 1,
  });
  try {
    await assert.rejects(
      client.send(
        new ReplaceRouteCommand({
          RouteTableId: 'rtb-1',
          DestinationCidrBlock: '10.7.0.0/16',
          NetworkInterfaceId: 'eni-a',
        }),
      ),
      (e: Error) => e.name === 'InvalidParameterValue' && /Use CreateRoute instead/.test(e.message),
    );
    await client.send(
      new CreateRouteCommand({
        RouteTableId: 'rtb-1',
        DestinationCidrBlock: '10.0.0.1/18',
        NetworkInterfaceId: 'eni-a',
      }),
    );
    await client.send(
      new CreateRouteCommand({
        RouteTableId: 'rtb-1',
        DestinationIpv6CidrBlock: 'FD00:0009::9/128',
        NetworkInterfaceId: 'eni-a',
      }),
    );
    const stored = ec2.state.tables.get('rtb-1')?.routes.map((r) => r.destination);
    assert.ok(stored?.includes('10.0.0.0/18') && !stored.includes('10.0.0.1/18'), JSON.stringify(stored));
    assert.equal(ec2.state.route('rtb-1', 'fd00:9::9/128')?.eniId, 'eni-a');
  } finally {
    client.destroy();
    await ec2.close();
  }
});

test('aws: a route destination with host bits set is refused at config time, naming the field and the network', async () => {
  const { ec2, provider } = await awsLab();
  try {
    for (const [bad, net] of [
      ['10.0.0.1/18', '10.0.0.0/18'],
      ['fd00:9::9/64', 'fd00:9::/64'],
    ] as const) {
      const out = await provider.acquire(route(bad), a, 1);
      assert.ok(
        out.kind === 'give-up' &&
          out.reason.includes('aws resource r: destination') &&
          out.reason.includes(net),
        JSON.stringify(out),
      );
      const problems = checkProviders({ aws: { type: 'aws', settings: { region: 'us-east-1' } } }, [
        {
          group: {
            id: 'g',
            members: [{ id: 'a', priority: 100, settings: { aws: { networkInterfaceId: 'eni-a' } } }],
            resources: [route(bad)],
          },
          at: ['groups', 0],
        },
      ]);
      assert.equal(problems.length, 1, JSON.stringify(problems));
      assert.deepEqual(problems[0]?.path, ['groups', 0, 'resources', 0, 'spec', 'destination']);
      assert.match(problems[0]?.message ?? '', new RegExp(`host bits.*${net.replace(/[.:/]/g, '\\$&')}`));
    }
    assert.equal(ec2.requests.length, 0, 'nothing was asked of EC2');
    // IPv6 text in another spelling is accepted and made canonical.
    const spec = awsConfig.kinds?.['route']?.parse({
      routeTableIds: ['rtb-1'],
      destination: 'FD00:0009:0::9/128',
    });
    assert.equal(spec?.['destination'], 'fd00:9::9/128');
  } finally {
    await ec2.close();
  }
});

test('aws: NotFound right after a create is retried, then it works (EC2 eventual consistency)', async () => {
  const { ec2, provider } = await awsLab();
  try {
    ec2.notYetVisible('eipalloc-1', 2);
    ec2.notYetVisible('eni-b', 2);
    ec2.failNext('AssociateAddress', 'IncorrectInstanceState', 'The instance is not in a valid state', 2);
    const out = await provider.acquire(eip, b, 1);
    assert.ok(out.kind === 'ok' && out.value.after.holder === 'b', JSON.stringify(out));
    assert.equal(ec2.state.addresses.get('eipalloc-1')?.eniId, 'eni-b');
    const r = await provider.acquire(route('10.9.9.9/32'), b, 1);
    assert.ok(r.kind === 'ok' && r.value.after.holder === 'b', JSON.stringify(r));
  } finally {
    await ec2.close();
  }
});

test('aws: a wrong id stays NotFound: after a bounded number of tries it is reported, naming the code', async () => {
  const { ec2, provider } = await awsLab();
  try {
    const out = await provider.acquire({ ...eip, spec: { allocationId: 'eipalloc-wrong' } }, a, 1);
    assert.ok(
      out.kind === 'give-up' && out.cause?.code === 'InvalidAllocationID.NotFound',
      JSON.stringify(out),
    );
    assert.match(out.reason, /eventually consistent/);
    assert.equal(ec2.requests.length, testPolicy.call.attempts);
  } finally {
    await ec2.close();
  }
});

test('aws: a secondary IP that lingers on the old ENI for a while is verified once it has left', async () => {
  const { ec2, provider } = await awsLab({ reassignLag: 3 });
  try {
    assert.equal((await provider.acquire(sip, a, 1)).kind, 'ok');
    const out = await provider.acquire(sip, b, 2, { takeover: true });
    assert.ok(out.kind === 'ok' && out.value.after.holder === 'b', JSON.stringify(out));
    assert.equal(out.value.after.state, undefined, 'verified: on b only');
    const describes = out.value.calls.filter((c) => c.operation === 'DescribeNetworkInterfaces').length;
    assert.ok(describes >= 4, `read + read-backs until eni-a let go, got ${describes}`);
  } finally {
    await ec2.close();
  }
});

test('aws: a secondary IP still on the old ENI after the move is not verified: the failover is partial', async () => {
  const { ec2, provider } = await awsLab({ reassignLag: 1_000 });
  try {
    const h = failoverHarness({
      providers: { aws: provider },
      resources: [sip],
      holders: members,
      provider: 'aws',
      policy: testPolicy,
    });
    assert.ok((await h.run('a')).kind === 'ok');
    const out = await h.run('b');
    assert.ok(out.kind === 'ok' && out.value.outcome === 'partial', JSON.stringify(out));
    assert.match(JSON.stringify(out.value.failed), /still also on eni-a/);
    const o = await provider.observe(sip);
    assert.ok(o.kind === 'ok' && o.value.state === 'mixed', JSON.stringify(o));
  } finally {
    await ec2.close();
  }
});

test('aws: route, EIP and secondary IP held by a non-member read as foreign; acquire leaves them alone', async () => {
  const { ec2, provider } = await awsLab();
  try {
    for (const t of ['rtb-1', 'rtb-2'])
      ec2.state.tables.get(t)?.routes.push({
        destination: '10.9.9.9/32',
        ipv6: false,
        eniId: null,
        instanceId: null,
        gatewayId: 'igw-1',
      });
    Object.assign(ec2.state.addresses.get('eipalloc-1') ?? {}, {
      associationId: 'eipassoc-x',
      eniId: 'eni-x',
      privateIp: '10.0.1.30',
    });
    const x = ec2.state.enis.get('eni-x');
    if (x) x.privateIps.push('10.0.1.99');
    for (const r of [route('10.9.9.9/32'), eip, sip]) {
      const o = await provider.observe(r);
      assert.ok(
        o.kind === 'ok' && o.value.holder === null && o.value.state === 'foreign',
        `${r.id}: ${JSON.stringify(o)}`,
      );
      const out = await provider.acquire(r, a, 1);
      assert.equal(out.kind, 'conflict', `${r.id}: ${JSON.stringify(out)}`);
    }
    assert.deepEqual(writes(ec2.requests), []);
  } finally {
    await ec2.close();
  }
});

test('aws: a route whose tables point at different members, or at a member and elsewhere, is mixed', async () => {
  const { ec2, provider } = await awsLab();
  try {
    const push = (t: string, r: { eniId?: string; gatewayId?: string }) =>
      ec2.state.tables.get(t)?.routes.push({
        destination: 'fd00:9::9/128',
        ipv6: true,
        eniId: r.eniId ?? null,
        instanceId: null,
        gatewayId: r.gatewayId ?? null,
      });
    push('rtb-1', { eniId: 'eni-a' });
    push('rtb-2', { gatewayId: 'igw-1' });
    const o = await provider.observe(route('fd00:9::9/128'));
    assert.ok(o.kind === 'ok' && o.value.holder === 'a' && o.value.state === 'mixed', JSON.stringify(o));
    const fixed = await provider.acquire(route('fd00:9::9/128'), a, 1, { takeover: true });
    assert.ok(fixed.kind === 'ok' && fixed.value.after.state === undefined, JSON.stringify(fixed));
    assert.equal(ec2.state.route('rtb-2', 'fd00:9::9/128')?.eniId, 'eni-a');
  } finally {
    await ec2.close();
  }
});

test('aws: a route EC2 shows in another spelling of the same IPv6 network is recognised', async () => {
  const { ec2, provider } = await awsLab();
  try {
    for (const t of ['rtb-1', 'rtb-2'])
      ec2.state.tables.get(t)?.routes.push({
        destination: 'FD00:0009:0:0::9/128',
        ipv6: true,
        eniId: 'eni-a',
        instanceId: null,
        gatewayId: null,
      });
    const out = await provider.acquire(route('fd00:9::9/128'), a, 1);
    assert.ok(
      out.kind === 'ok' && !out.value.changed && out.value.before.holder === 'a',
      JSON.stringify(out),
    );
    assert.deepEqual(writes(ec2.requests), []);
  } finally {
    await ec2.close();
  }
});
