// @needs moto
/**
 * A whole failover against moto, a peer we did not write: one group holding an elastic IP, a secondary
 * private IP, an IPv4 and an IPv6 route (each in two route tables) and a Route 53 record, moved a -> b
 * -> a through the one failover use case. Every move is checked in moto itself (not only through the
 * adapter), a second run makes no write (idempotent, counted in the relay's request log) and a dry run
 * makes none either.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DeleteRouteCommand,
  DescribeAddressesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
} from '@aws-sdk/client-ec2';
import { ListResourceRecordSetsCommand } from '@aws-sdk/client-route-53';
import { AwsVipProvider } from '../../../adapters/aws/index.ts';
import { DnsVipProvider } from '../../../adapters/dns/index.ts';
import { seededRandom } from '../../../adapters/memory/index.ts';
import type { VipResource } from '../../../core/ports/index.ts';
import { failoverHarness } from '../../helpers/failover.ts';
import { motoCredentials, seedAws, startMoto, type AwsSeed, type Moto } from '../../helpers/moto.ts';
import { testPolicy } from './fixture.ts';

let moto: Moto | undefined;
after(async () => {
  await moto?.close();
});

const SIP = '10.0.1.99';
const V4 = '10.9.9.9/32';
const V6 = 'fd00:9::9/128';
const dnsAddress = { a: '198.51.100.10', b: '203.0.113.20' };

/** Where moto says each resource is, read with moto's own API (not through the adapter). */
async function whereInMoto(m: Moto, s: AwsSeed): Promise<Record<string, unknown>> {
  const eniOf: Record<string, string> = { [s.enis.a]: 'a', [s.enis.b]: 'b', [s.enis.x]: 'x' };
  const addr = (await m.ec2.send(new DescribeAddressesCommand({ AllocationIds: [s.allocationId] })))
    .Addresses?.[0];
  const enis =
    (await m.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [s.enis.a, s.enis.b] })))
      .NetworkInterfaces ?? [];
  const tables =
    (await m.ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: s.routeTableIds }))).RouteTables ?? [];
  const routeTo = (dest: string) =>
    s.routeTableIds.map((id) => {
      const r = tables
        .find((t) => t.RouteTableId === id)
        ?.Routes?.find((x) => (x.DestinationCidrBlock ?? x.DestinationIpv6CidrBlock) === dest);
      return r ? (eniOf[r.NetworkInterfaceId ?? ''] ?? '?') : null;
    });
  const rec = (
    await m.route53.send(
      new ListResourceRecordSetsCommand({
        HostedZoneId: s.hostedZoneId,
        StartRecordName: `vip.${s.zone}.`,
        StartRecordType: 'A',
        MaxItems: 1,
      }),
    )
  ).ResourceRecordSets?.[0];
  return {
    eip: addr?.NetworkInterfaceId ? (eniOf[addr.NetworkInterfaceId] ?? '?') : null,
    sip: enis
      .filter((e) => (e.PrivateIpAddresses ?? []).some((p) => p.PrivateIpAddress === SIP))
      .map((e) => eniOf[e.NetworkInterfaceId ?? '']),
    v4: routeTo(V4),
    v6: routeTo(V6),
    record: rec?.Name === `vip.${s.zone}.` ? (rec.ResourceRecords ?? []).map((r) => r.Value) : [],
  };
}

const onlyOn = (who: 'a' | 'b') => ({
  eip: who,
  sip: [who],
  v4: [who, who],
  v6: [who, who],
  record: [dnsAddress[who]],
});

test('moto: EIP, secondary IP, IPv4 and IPv6 routes in two tables and a Route 53 record move both ways; repeats and dry runs write nothing', async () => {
  moto = await startMoto();
  const m = moto;
  const s = await seedAws(m);
  const awsMembers = [
    { id: 'a', spec: { networkInterfaceId: s.enis.a } },
    { id: 'b', spec: { networkInterfaceId: s.enis.b } },
  ];
  const dnsMembers = [
    { id: 'a', spec: { address: dnsAddress.a } },
    { id: 'b', spec: { address: dnsAddress.b } },
  ];
  const aws = new AwsVipProvider({
    region: 'us-east-1',
    endpoint: m.url,
    credentials: motoCredentials,
    members: awsMembers,
    policy: testPolicy,
    random: seededRandom(1),
  });
  const dns = new DnsVipProvider({
    endpoint: m.url,
    credentials: motoCredentials,
    members: dnsMembers,
    policy: testPolicy,
    random: seededRandom(2),
  });
  const resources: VipResource[] = [
    { id: 'eip', provider: 'aws', kind: 'elastic-ip', spec: { allocationId: s.allocationId } },
    { id: 'sip', provider: 'aws', kind: 'secondary-ip', spec: { privateIp: SIP } },
    { id: 'r4', provider: 'aws', kind: 'route', spec: { routeTableIds: s.routeTableIds, destination: V4 } },
    { id: 'r6', provider: 'aws', kind: 'route', spec: { routeTableIds: s.routeTableIds, destination: V6 } },
    {
      id: 'rec',
      provider: 'dns',
      kind: 'record',
      spec: { hostedZoneId: s.hostedZoneId, name: `vip.${s.zone}`, type: 'A' },
    },
  ];
  const h = failoverHarness({
    providers: { aws, dns },
    resources,
    holders: awsMembers,
    provider: 'aws',
    policy: testPolicy,
  });
  for (const member of h.group.members)
    member.settings['dns'] = { ...dnsMembers.find((d) => d.id === member.id)?.spec };
  const ids = resources.map((r) => r.id).sort();
  const writes = () => m.writes().length;

  for (const who of ['a', 'b', 'a'] as const) {
    const before = writes();
    const dry = await h.run(who, { dryRun: true });
    assert.ok(dry.kind === 'ok' && dry.value.outcome === 'dry-run', JSON.stringify(dry));
    assert.equal(writes(), before, `dry run towards ${who} wrote nothing`);

    const out = await h.run(who);
    assert.ok(out.kind === 'ok' && out.value.outcome === 'committed', JSON.stringify(out));
    assert.deepEqual(
      out.value.resources
        .filter((r) => r.changed)
        .map((r) => r.resource)
        .sort(),
      ids,
    );
    assert.deepEqual(await whereInMoto(m, s), onlyOn(who), `everything on ${who}, and only there`);
    assert.ok(writes() > before);

    const settled = writes();
    const again = await h.run(who);
    assert.ok(again.kind === 'ok' && again.value.outcome === 'noop', JSON.stringify(again));
    assert.equal(writes(), settled, `a second run towards ${who} makes no write`);
  }
});

test('moto: a route deleted between our read and ReplaceRoute is created instead (moto, like EC2, answers InvalidParameterValue)', async () => {
  moto ??= await startMoto();
  const m = moto;
  await m.reset();
  const s = await seedAws(m);
  const members = [
    { id: 'a', spec: { networkInterfaceId: s.enis.a } },
    { id: 'b', spec: { networkInterfaceId: s.enis.b } },
  ];
  const aws = new AwsVipProvider({
    region: 'us-east-1',
    endpoint: m.url,
    credentials: motoCredentials,
    members,
    policy: testPolicy,
    random: seededRandom(1),
  });
  const r: VipResource = {
    id: 'r',
    provider: 'aws',
    kind: 'route',
    spec: { routeTableIds: [s.routeTableIds[0]], destination: V4 },
  };
  assert.equal((await aws.acquire(r, { id: 'b', spec: members[1]?.spec ?? {} }, 1)).kind, 'ok');
  m.beforeNext('ReplaceRoute', async () => {
    await m.ec2.send(new DeleteRouteCommand({ RouteTableId: s.routeTableIds[0], DestinationCidrBlock: V4 }));
  });
  const out = await aws.acquire(r, { id: 'a', spec: members[0]?.spec ?? {} }, 2, { takeover: true });
  assert.ok(out.kind === 'ok' && out.value.after.holder === 'a', JSON.stringify(out));
  assert.deepEqual(
    m.writes().map((w) => w.action),
    ['CreateRoute', 'ReplaceRoute', 'CreateRoute'],
  );
  assert.deepEqual((await whereInMoto(m, s))['v4'], ['a', null]);
});
