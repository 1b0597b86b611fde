import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyGcpOperationError } from '../../../adapters/gcp/errors.ts';
import { gcpClients, noRetry } from '../../../adapters/gcp/context.ts';
import type { VipResource } from '../../../core/ports/index.ts';
import { alias, closeSharedGcpLab, members, sharedGcpLab, staticAuth } from './fixture.ts';

after(closeSharedGcpLab);

const [a, b] = members as [(typeof members)[0], (typeof members)[0]];
const route: VipResource = {
  id: 'rt',
  provider: 'gcp',
  kind: 'route',
  spec: { namePrefix: 'fip-vip', network: 'global/networks/default', destRange: '10.9.9.9/32' },
};

test('gcp route: a next hop VM without canIpForward is refused before anything is written', async () => {
  const { gce, provider } = await sharedGcpLab();
  const vmB = gce.instances.get('europe-west1-c/vm-b');
  assert.ok(vmB);
  vmB.canIpForward = false;
  const out = await provider.acquire(route, b, 1);
  assert.equal(out.kind, 'give-up', JSON.stringify(out));
  assert.match(out.kind === 'give-up' ? out.reason : '', /canIpForward off.*NEXT_HOP_CANNOT_IP_FORWARD/);
  assert.equal(gce.routes.size, 0);
  assert.ok(gce.requests.every((r) => r.method === 'GET'));
  assert.equal((await provider.acquire(route, a, 2)).kind, 'ok', 'a VM that forwards is fine');
});

test('gcp route: a next hop VM that does not exist is refused by name, nothing written', async () => {
  const { gce, provider } = await sharedGcpLab();
  gce.instances.delete('europe-west1-c/vm-b');
  const out = await provider.acquire(route, b, 1);
  assert.equal(out.kind, 'give-up', JSON.stringify(out));
  assert.match(out.kind === 'give-up' ? out.reason : '', /next hop VM europe-west1-c\/vm-b not found/);
  assert.equal(gce.routes.size, 0);
});

test("gcp route: GCE's NEXT_HOP_CANNOT_IP_FORWARD warning on a route (made by someone else) is reported by observe", async () => {
  const { gce, provider } = await sharedGcpLab();
  const vmB = gce.instances.get('europe-west1-c/vm-b');
  assert.ok(vmB);
  vmB.canIpForward = false;
  const clients = gcpClients({ endpoint: gce.url, authClient: staticAuth() });
  try {
    await clients.routes.insert(
      {
        project: gce.project,
        routeResource: {
          name: 'fip-vip-a',
          network: 'global/networks/default',
          destRange: '10.9.9.9/32',
          priority: 1000,
          nextHopInstance: `projects/${gce.project}/zones/europe-west1-c/instances/vm-b`,
        },
      },
      noRetry,
    );
  } finally {
    await clients.routes.close();
  }
  assert.equal(gce.routes.get('fip-vip-a')?.warnings?.[0]?.code, 'NEXT_HOP_CANNOT_IP_FORWARD');
  const seen = await provider.observe(route);
  assert.ok(seen.kind === 'ok', JSON.stringify(seen));
  assert.equal(seen.value.holder, 'b');
  const warnings = seen.value.detail['warnings'] as string[];
  assert.equal(warnings.length, 1);
  assert.match(warnings[0] ?? '', /^route fip-vip-a: NEXT_HOP_CANNOT_IP_FORWARD/);
});

test('gcp: an Operation that ends with RESOURCE_NOT_READY is sent again under a new requestId, and lands', async () => {
  const { gce, provider } = await sharedGcpLab();
  gce.failOperations('RESOURCE_NOT_READY', 1, /updateNetworkInterface/);
  const out = await provider.acquire(alias, a, 1);
  assert.ok(out.kind === 'ok' && out.value.after.holder === 'a', JSON.stringify(out));
  const patches = gce.requests.filter((r) => r.method === 'PATCH');
  assert.equal(patches.length, 2);
  assert.notEqual(patches[0]?.query.requestId, patches[1]?.query.requestId);
  assert.deepEqual(
    gce.instances.get('europe-west1-b/vm-a')?.networkInterfaces[0]?.aliasIpRanges.map((r) => r.ipCidrRange),
    ['10.2.9.9/32'],
  );
});

test('gcp: an Operation that keeps ending with QUOTA_EXCEEDED is a retry carrying its cause; RESOURCE_NOT_FOUND gives up', async () => {
  const { gce, provider } = await sharedGcpLab();
  gce.failOperations('QUOTA_EXCEEDED', 100, /^POST .*\/global\/routes$/);
  const out = await provider.acquire(route, a, 1);
  assert.equal(out.kind, 'retry', JSON.stringify(out));
  assert.deepEqual(out.kind === 'retry' ? out.cause : null, {
    provider: 'gcp',
    service: 'compute',
    operation: 'routes.insert',
    code: 'QUOTA_EXCEEDED',
    class: 'transient',
  });
  assert.equal(gce.routes.size, 0, 'a failed operation changed nothing');

  gce.reset();
  gce.addInstance('europe-west1-b', 'vm-a', '10.2.0.4');
  gce.addInstance('europe-west1-c', 'vm-b', '10.2.0.5');
  gce.failOperations('RESOURCE_NOT_FOUND', 1, /^POST .*\/global\/routes$/);
  const fatal = await provider.acquire(route, a, 1);
  assert.equal(fatal.kind, 'give-up', JSON.stringify(fatal));
  assert.equal(fatal.kind === 'give-up' ? fatal.cause?.code : null, 'RESOURCE_NOT_FOUND');
});

test('gcp: operation error codes are classified', () => {
  const c = (code: string) => classifyGcpOperationError(code, '').class;
  assert.equal(c('QUOTA_EXCEEDED'), 'transient');
  assert.equal(c('RESOURCE_NOT_READY'), 'transient');
  assert.equal(c('RESOURCE_OPERATION_RATE_EXCEEDED'), 'throttling');
  assert.equal(c('CONDITION_NOT_MET'), 'conflict');
  assert.equal(c('RESOURCE_ALREADY_EXISTS'), 'conflict');
  assert.equal(c('RESOURCE_NOT_FOUND'), 'fatal');
});
