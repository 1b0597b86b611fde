import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AwsVipProvider, classifyAwsError } from '../../../adapters/aws/index.ts';
import type { VipResource } from '../../../core/ports/index.ts';
import { failoverHarness } from '../../helpers/failover.ts';
import { awsLab, members, testPolicy } from './fixture.ts';

const [a, b] = members as [(typeof members)[0], (typeof members)[0]];
const route = (id: string, destination: string, tables = ['rtb-1', 'rtb-2'], extra = {}): VipResource => ({
  id,
  provider: 'aws',
  kind: 'route',
  spec: { routeTableIds: tables, destination, ...extra },
});
const eip: VipResource = {
  id: 'eip',
  provider: 'aws',
  kind: 'elastic-ip',
  spec: { allocationId: 'eipalloc-1' },
};
const writes = (reqs: Array<{ action: string }>): string[] =>
  reqs.map((r) => r.action).filter((x) => !x.startsWith('Describe'));

const harness = (provider: AwsVipProvider, resources: VipResource[]) =>
  failoverHarness({
    providers: { aws: provider },
    resources,
    holders: members,
    provider: 'aws',
    policy: testPolicy,
  });
const changedIds = (r: { resources: Array<{ resource: string; changed: boolean }> }): string[] =>
  r.resources.filter((x) => x.changed).map((x) => x.resource);

test('aws: ReplaceRoute where the route exists, CreateRoute where it is missing; other routes untouched', async () => {
  const { ec2, provider } = await awsLab();
  try {
    ec2.state.addTable({
      id: 'rtb-3',
      routes: [
        { destination: '10.9.9.9/32', eniId: 'eni-b' },
        { destination: '0.0.0.0/0', gatewayId: 'igw-1' },
      ],
    });
    const r = route('r', '10.9.9.9/32', ['rtb-1', 'rtb-3']);
    const out = await provider.acquire(r, a, 1, { takeover: true });
    assert.ok(out.kind === 'ok' && out.value.changed, JSON.stringify(out));
    assert.deepEqual(writes(ec2.requests).sort(), ['CreateRoute', 'ReplaceRoute']);
    assert.equal(ec2.state.route('rtb-1', '10.9.9.9/32')?.eniId, 'eni-a');
    assert.equal(ec2.state.route('rtb-3', '10.9.9.9/32')?.eniId, 'eni-a');
    assert.equal(ec2.state.route('rtb-3', '0.0.0.0/0')?.gatewayId, 'igw-1');
  } finally {
    await ec2.close();
  }
});

test('aws: eventual consistency: describes show the old state for a while, acquire still verifies', async () => {
  const { ec2, provider } = await awsLab({ staleReads: 3 });
  try {
    const out = await provider.acquire(eip, a, 1);
    assert.ok(out.kind === 'ok' && out.value.changed && out.value.after.holder === 'a', JSON.stringify(out));
    const describes = out.value.calls.filter((c) => c.operation === 'DescribeAddresses').length;
    assert.ok(describes >= 4, `read + stale read-backs + the consistent one, got ${describes}`);
    assert.equal(
      writes(ec2.requests).length,
      1,
      'one AssociateAddress; staleness never causes a second write',
    );
  } finally {
    await ec2.close();
  }
});

test('aws: AllowReassociation is sent true only on a takeover', async () => {
  const { ec2, provider } = await awsLab();
  try {
    await provider.acquire(eip, a, 1);
    await provider.acquire(eip, b, 2, { takeover: true });
    const flags = ec2.requests
      .filter((r) => r.action === 'AssociateAddress')
      .map((r) => r.params.AllowReassociation);
    assert.deepEqual(flags, ['false', 'true']);
  } finally {
    await ec2.close();
  }
});

test('aws: an EIP held by a non-member is not taken without takeover, and nothing is written', async () => {
  const { ec2, provider } = await awsLab();
  try {
    const addr = ec2.state.addresses.get('eipalloc-1');
    Object.assign(addr ?? {}, { associationId: 'eipassoc-x', eniId: 'eni-x', privateIp: '10.0.1.30' });
    const out = await provider.acquire(eip, a, 1);
    assert.equal(out.kind, 'conflict');
    assert.deepEqual(writes(ec2.requests), []);
  } finally {
    await ec2.close();
  }
});

test('aws: source/dest check on the next hop: refused with a clear reason, or turned off when allowed', async () => {
  const { ec2, provider } = await awsLab();
  try {
    const eniA = ec2.state.enis.get('eni-a');
    if (eniA) eniA.sourceDestCheck = true;
    const refused = await provider.acquire(route('r', '10.9.9.9/32'), a, 1);
    assert.ok(
      refused.kind === 'give-up' && /source\/dest check/.test(refused.reason),
      JSON.stringify(refused),
    );
    assert.deepEqual(writes(ec2.requests), []);
    const fixed = await provider.acquire(
      route('r', '10.9.9.9/32', undefined, { disableSourceDestCheck: true }),
      a,
      1,
    );
    assert.ok(fixed.kind === 'ok', JSON.stringify(fixed));
    assert.equal(eniA?.sourceDestCheck, false);
    assert.ok(writes(ec2.requests).includes('ModifyNetworkInterfaceAttribute'));
  } finally {
    await ec2.close();
  }
});

test('aws: 5xx and throttling in the middle of a 10-route failover: it completes, each route verified', async () => {
  const { ec2, provider } = await awsLab({}, 3);
  try {
    const rs = Array.from({ length: 10 }, (_, i) =>
      route(`r${i}`, `10.9.0.${i}/32`, ['rtb-1', 'rtb-2', 'rtb-3']),
    );
    const h = harness(provider, rs);
    const first = await h.run('b');
    assert.ok(first.kind === 'ok' && first.value.outcome === 'committed', JSON.stringify(first));
    ec2.faults.inject('server-error', 3, 'ReplaceRoute');
    ec2.faults.inject('throttle', 5, /ReplaceRoute|DescribeRouteTables/);
    const out = await h.run('a');
    assert.ok(out.kind === 'ok' && out.value.outcome === 'committed', JSON.stringify(out));
    assert.equal(changedIds(out.value).length, 10);
    for (const t of ['rtb-1', 'rtb-2', 'rtb-3'])
      for (let i = 0; i < 10; i++) assert.equal(ec2.state.route(t, `10.9.0.${i}/32`)?.eniId, 'eni-a');
    assert.ok(ec2.faults.counts.throttle >= 5 && ec2.faults.counts['server-error'] >= 3);
  } finally {
    await ec2.close();
  }
});

test('aws: reconcile after a partition heals puts everything back on the elected owner; a repeat writes nothing', async () => {
  const { ec2, provider } = await awsLab();
  try {
    const rs = [
      eip,
      route('r6', 'fd00:9::9/128'),
      { id: 'sip', provider: 'aws', kind: 'secondary-ip', spec: { privateIp: '10.0.1.99' } },
    ];
    const h = harness(provider, rs);
    const ids = rs.map((r) => r.id);
    assert.ok((await h.run('a')).kind === 'ok');
    // During the partition b believed it was master and took everything.
    const split = await h.run('b');
    assert.ok(split.kind === 'ok' && split.value.outcome === 'committed');
    // The partition heals; a wins the election and reconciles.
    const healed = await h.run('a');
    assert.ok(healed.kind === 'ok' && healed.value.outcome === 'committed');
    assert.deepEqual(changedIds(healed.value).sort(), [...ids].sort());
    for (const r of rs) {
      const o = await provider.observe(r);
      assert.ok(o.kind === 'ok' && o.value.holder === 'a', `${r.id}: ${JSON.stringify(o)}`);
    }
    const before = writes(ec2.requests).length;
    const again = await h.run('a');
    assert.ok(again.kind === 'ok' && again.value.outcome === 'noop');
    assert.equal(writes(ec2.requests).length, before, 'reconcile of a healthy state makes no write');
  } finally {
    await ec2.close();
  }
});

test('aws: a dry run returns the exact calls and the emulator sees no write', async () => {
  const { ec2, provider } = await awsLab();
  try {
    const r = route('r', '10.9.9.9/32');
    const out = await harness(provider, [r]).run('b', { dryRun: true });
    assert.ok(out.kind === 'ok' && out.value.outcome === 'dry-run');
    assert.deepEqual(out.value.calls, [
      {
        service: 'ec2',
        operation: 'CreateRoute',
        params: { RouteTableId: 'rtb-1', DestinationCidrBlock: '10.9.9.9/32', NetworkInterfaceId: 'eni-b' },
      },
      {
        service: 'ec2',
        operation: 'CreateRoute',
        params: { RouteTableId: 'rtb-2', DestinationCidrBlock: '10.9.9.9/32', NetworkInterfaceId: 'eni-b' },
      },
    ]);
    assert.deepEqual(writes(ec2.requests), []);
  } finally {
    await ec2.close();
  }
});

test('aws: reads are coalesced: a 20-route failover makes at most read + write + verify calls per route', async () => {
  const { ec2, provider } = await awsLab({}, 3);
  try {
    const rs = Array.from({ length: 20 }, (_, i) => route(`r${i}`, `10.8.0.${i}/32`, ['rtb-1', 'rtb-2']));
    const out = await harness(provider, rs).run('a');
    assert.ok(out.kind === 'ok' && out.value.outcome === 'committed');
    const writesPerRoute = 2; // one per table
    assert.equal(writes(ec2.requests).length, 20 * writesPerRoute);
    assert.ok(ec2.requests.length <= 20 * (writesPerRoute + 2), `${ec2.requests.length} calls`);
  } finally {
    await ec2.close();
  }
});

test('aws: bad spec or member gives a clear reason naming the field, and calls nothing', async () => {
  const { ec2, provider } = await awsLab();
  try {
    const out = await provider.acquire(route('bad', 'not-a-cidr'), a, 1);
    assert.ok(
      out.kind === 'give-up' && /aws resource bad: destination/.test(out.reason),
      JSON.stringify(out),
    );
    assert.equal(ec2.requests.length, 0);
    assert.throws(
      () => new AwsVipProvider({ region: 'x', members: [{ id: 'm', spec: { networkInterfaceId: 'nope' } }] }),
      /aws member m: networkInterfaceId/,
    );
  } finally {
    await ec2.close();
  }
});

test('aws: error classes', () => {
  const e = (name: string, status = 400) =>
    Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
  assert.equal(classifyAwsError(e('RequestLimitExceeded', 503)).class, 'throttling');
  assert.equal(classifyAwsError(e('InternalError', 500)).class, 'transient');
  assert.equal(classifyAwsError(e('Resource.AlreadyAssociated')).class, 'conflict');
  assert.equal(classifyAwsError(e('RouteAlreadyExists')).class, 'conflict');
  assert.equal(classifyAwsError(e('UnauthorizedOperation', 403)).class, 'fatal');
  assert.equal(classifyAwsError(Object.assign(new Error('x'), { code: 'ECONNRESET' })).class, 'transient');
});
