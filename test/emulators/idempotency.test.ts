import { test } from 'node:test';
import assert from 'node:assert/strict';
import compute from '@google-cloud/compute';
import { AssociateAddressCommand, EC2Client, ReplaceRouteCommand } from '@aws-sdk/client-ec2';
import { staticAuth } from '../adapters/gcp/fixture.ts';
import { startEc2Emulator } from './ec2.ts';
import { startGceEmulator } from './gce.ts';

// Repeats of the same API call, through the real SDKs: what floatip's retries rely on.

test('gce: a mutation repeated with the same requestId returns the first operation and changes nothing', async (t) => {
  const gce = await startGceEmulator();
  gce.addInstance('z', 'vm-a', '10.2.0.4');
  const routes = new compute.RoutesClient({
    apiEndpoint: '127.0.0.1',
    port: gce.port,
    protocol: 'http',
    fallback: true,
    authClient: staticAuth(),
  } as ConstructorParameters<typeof compute.RoutesClient>[0]);
  t.after(async () => {
    await routes.close();
    await gce.close();
  });
  const body = {
    name: 'r',
    network: 'global/networks/default',
    destRange: '10.9.9.9/32',
    nextHopInstance: gce.instanceUrl('z', 'vm-a'),
  };
  const requestId = '0b5e8f2c-1111-4222-8333-444455556666';
  const [first] = await routes.insert(
    { project: gce.project, routeResource: body, requestId },
    { maxRetries: 0 },
  );
  const [again] = await routes.insert(
    { project: gce.project, routeResource: body, requestId },
    { maxRetries: 0 },
  );
  const name = (op: unknown) => (op as { latestResponse?: { name?: string } }).latestResponse?.name;
  assert.equal(name(again), name(first));
  assert.equal(gce.routes.size, 1);
  await assert.rejects(
    routes.insert(
      { project: gce.project, routeResource: body, requestId: '0b5e8f2c-1111-4222-8333-777788889999' },
      { maxRetries: 0 },
    ),
    (e: { code?: number }) => e.code === 409,
    'a new request id for the same name is refused: routes are immutable',
  );
});

test('ec2: AssociateAddress and ReplaceRoute repeated change nothing and keep the association id', async (t) => {
  const ec2 = await startEc2Emulator();
  t.after(() => ec2.close());
  ec2.state.addEni({ id: 'eni-a', privateIps: ['10.0.1.10'] });
  ec2.state.addAddress({ allocationId: 'eipalloc-1', publicIp: '198.51.100.7' });
  ec2.state.addTable({ id: 'rtb-1', routes: [{ destination: '10.9.9.9/32', eniId: 'eni-a' }] });
  const client = new EC2Client({
    region: 'us-east-1',
    endpoint: ec2.url,
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'x' },
    maxAttempts: 1,
  });
  const assoc = new AssociateAddressCommand({
    AllocationId: 'eipalloc-1',
    NetworkInterfaceId: 'eni-a',
    AllowReassociation: false,
  });
  const a1 = await client.send(assoc);
  const a2 = await client.send(assoc);
  assert.equal(a2.AssociationId, a1.AssociationId);
  const replace = new ReplaceRouteCommand({
    RouteTableId: 'rtb-1',
    DestinationCidrBlock: '10.9.9.9/32',
    NetworkInterfaceId: 'eni-a',
  });
  await client.send(replace);
  await client.send(replace);
  assert.equal(ec2.state.tables.get('rtb-1')?.routes.length, 1);
});
