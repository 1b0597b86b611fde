/**
 * Issue 10's adapter-level regressions, through the real SDKs against the emulators: a route whose tables
 * disagree is repaired (AWS, Azure), one unreadable resource does not block the others (AWS), Route 53
 * takes over by compare-and-set (DELETE exact + CREATE in one batch), and a lost fence stops a move
 * before its write (the DriverProvider path every adapter shares).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { conflict, ok } from '../../core/model/index.ts';
import type { VipResource } from '../../core/ports/index.ts';
import { failoverHarness } from '../helpers/failover.ts';
import { awsLab, members as awsMembers, testPolicy } from './aws/fixture.ts';
import { azureLab, members as azureMembers } from './azure/fixture.ts';
import { dnsLab, members as dnsMembers } from './dns/fixture.ts';

const awsRoute = (tables: string[]): VipResource => ({
  id: 'rt',
  provider: 'aws',
  kind: 'route',
  spec: { routeTableIds: tables, destination: '10.9.9.9/32' },
});
const writes = (reqs: Array<{ action: string }>): string[] =>
  reqs.map((r) => r.action).filter((x) => !x.startsWith('Describe'));

test('aws: a route half-moved across tables reads as mixed and a failover repairs the stale table', async (t) => {
  const { ec2, provider } = await awsLab();
  t.after(() => ec2.close());
  ec2.state.addTable({ id: 'rtb-7', routes: [{ destination: '10.9.9.9/32', eniId: 'eni-b' }] });
  ec2.state.addTable({ id: 'rtb-8', routes: [{ destination: '10.9.9.9/32', eniId: 'eni-a' }] });
  const r = awsRoute(['rtb-7', 'rtb-8']);
  const seen = await provider.observe(r);
  assert.ok(
    seen.kind === 'ok' && seen.value.holder === 'b' && seen.value.state === 'mixed',
    JSON.stringify(seen),
  );
  const h = failoverHarness({
    providers: { aws: provider },
    resources: [r],
    holders: awsMembers,
    provider: 'aws',
    policy: testPolicy,
  });
  const out = await h.run('b');
  assert.ok(out.kind === 'ok' && out.value.outcome === 'committed', JSON.stringify(out));
  assert.equal(ec2.state.route('rtb-8', '10.9.9.9/32')?.eniId, 'eni-b', 'the stale table now points at b');
  assert.deepEqual(writes(ec2.requests), ['ReplaceRoute']);
  const again = await provider.observe(r);
  assert.ok(again.kind === 'ok' && again.value.state === undefined);
});

test('aws: a stale allocation id is reported; the route and the other address still move', async (t) => {
  const { ec2, provider } = await awsLab();
  t.after(() => ec2.close());
  ec2.state.addAddress({ allocationId: 'eipalloc-2', publicIp: '198.51.100.8' });
  const eip = (id: string, alloc: string): VipResource => ({
    id,
    provider: 'aws',
    kind: 'elastic-ip',
    spec: { allocationId: alloc },
  });
  const resources = [eip('good', 'eipalloc-2'), eip('stale', 'eipalloc-gone'), awsRoute(['rtb-1'])];
  const h = failoverHarness({
    providers: { aws: provider },
    resources,
    holders: awsMembers,
    provider: 'aws',
    policy: testPolicy,
  });
  const out = await h.run('a');
  assert.ok(out.kind === 'ok', JSON.stringify(out));
  assert.equal(out.value.outcome, 'partial');
  assert.deepEqual(
    out.value.failed.map((f) => [f.resource, f.cause?.code]),
    [['stale', 'InvalidAllocationID.NotFound']],
  );
  assert.equal(ec2.state.addresses.get('eipalloc-2')?.eniId, 'eni-a');
  assert.equal(ec2.state.route('rtb-1', '10.9.9.9/32')?.eniId, 'eni-a');
});

test('aws: the fence is checked before every write stage: a lost fence writes nothing', async (t) => {
  const { ec2, provider } = await awsLab();
  t.after(() => ec2.close());
  let checks = 0;
  const out = await provider.acquire(awsRoute(['rtb-1', 'rtb-2']), awsMembers[0]!, 5, {
    takeover: true,
    fence: () => {
      checks++;
      return Promise.resolve(conflict('epoch 5 was superseded'));
    },
  });
  assert.equal(out.kind, 'conflict');
  assert.equal(checks, 1);
  assert.deepEqual(writes(ec2.requests), [], 'no CreateRoute went out');
  const fine = await provider.acquire(awsRoute(['rtb-1']), awsMembers[0]!, 6, {
    fence: () => Promise.resolve(ok(undefined)),
  });
  assert.equal(fine.kind, 'ok');
});

test('azure: a route whose tables disagree is mixed and is repaired by a failover', async (t) => {
  const { arm, provider } = await azureLab();
  t.after(() => arm.close());
  const r: VipResource = {
    id: 'udr',
    provider: 'azure',
    kind: 'route',
    spec: {
      routeTables: [
        { resourceGroup: 'rg', name: 'rt-1' },
        { resourceGroup: 'rg', name: 'rt-2' },
      ],
      route: 'vip',
      addressPrefix: '10.9.9.9/32',
    },
  };
  assert.equal((await provider.acquire(r, azureMembers[0]!, 1)).kind, 'ok');
  // rt-2's route is changed to b behind our back: half moved.
  const stale = arm.tables.get('rg/rt-2')?.routes.get('vip');
  if (stale) Object.assign(stale, { nextHopIpAddress: '10.1.0.5', etag: 'W/"x"' });
  const seen = await provider.observe(r);
  assert.ok(
    seen.kind === 'ok' && seen.value.holder === 'a' && seen.value.state === 'mixed',
    JSON.stringify(seen),
  );
  const h = failoverHarness({
    providers: { azure: provider },
    resources: [r],
    holders: azureMembers,
    provider: 'azure',
    policy: testPolicy,
  });
  const out = await h.run('a');
  assert.ok(out.kind === 'ok' && out.value.outcome === 'committed', JSON.stringify(out));
  assert.equal(arm.tables.get('rg/rt-2')?.routes.get('vip')?.nextHopIpAddress, '10.1.0.4');
});

test('route 53: a takeover is a compare-and-set: DELETE of the exact record read + CREATE, in one batch', async (t) => {
  const { r53, provider } = await dnsLab();
  t.after(() => r53.close());
  const rec: VipResource = {
    id: 'rec',
    provider: 'dns',
    kind: 'record',
    spec: { hostedZoneId: 'Z0FIPTEST', name: 'web.example.com', type: 'A' },
  };
  assert.equal((await provider.acquire(rec, dnsMembers[0]!, 1)).kind, 'ok');
  // Someone else points the record elsewhere between our read and our change batch.
  r53.faults.beforeNext(/^POST .*\/rrset/, () => {
    const zone = r53.zones.get('Z0FIPTEST');
    const cur = zone?.get('web.example.com.|A');
    if (cur) cur.values = ['192.0.2.99'];
  });
  const out = await provider.acquire(rec, dnsMembers[1]!, 2, { takeover: true });
  // The batch was refused (its DELETE no longer matched), re-read, and the foreign value is not ours to take.
  assert.equal(out.kind, 'conflict', JSON.stringify(out));
  assert.deepEqual(
    r53.zones.get('Z0FIPTEST')?.get('web.example.com.|A')?.values,
    ['192.0.2.99'],
    'the other writer is not overwritten',
  );
  const taken = await provider.acquire(rec, dnsMembers[1]!, 3, { takeover: true });
  assert.ok(taken.kind === 'ok', 'an operator takeover (the planner fenced the unknown holder) goes through');
  assert.deepEqual(r53.zones.get('Z0FIPTEST')?.get('web.example.com.|A')?.values, [
    dnsMembers[1]!.spec['address'],
  ]);
});
