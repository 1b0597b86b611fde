import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyGcpError } from '../../../adapters/gcp/index.ts';
import type { VipResource } from '../../../core/ports/index.ts';
import { alias, closeSharedGcpLab, members, sharedGcpLab } from './fixture.ts';

after(closeSharedGcpLab);

const [a, b] = members as [(typeof members)[0], (typeof members)[0]];
const route: VipResource = {
  id: 'rt',
  provider: 'gcp',
  kind: 'route',
  spec: {
    namePrefix: 'fip-vip',
    network: 'global/networks/default',
    destRange: '10.9.9.9/32',
    priority: 900,
  },
};

test('gcp: routes move make-before-break: never two routes on one priority, never a moment without one', async () => {
  const { gce, provider } = await sharedGcpLab();
  assert.equal((await provider.acquire(route, a, 1)).kind, 'ok');
  for (const [to, epoch] of [
    [b, 2],
    [a, 3],
    [b, 4],
  ] as const) {
    const out = await provider.acquire(route, to, epoch, { takeover: true });
    assert.ok(out.kind === 'ok' && out.value.after.holder === to.id, JSON.stringify(out));
    const live = [...gce.routes.values()].filter((r) => r.destRange === '10.9.9.9/32');
    assert.equal(live.length, 1, 'the old route is gone once the move is verified');
  }
  // Two members racing to take it over from a fenced third state: still one winner, no equal priorities.
  await Promise.all([
    provider.acquire(route, a, 5, { takeover: true }),
    provider.acquire(route, b, 5, { takeover: true }),
  ]);
  assert.equal(gce.conflictsSeen, 0, 'no two routes for one destination shared a priority');
  assert.equal(gce.gapsSeen, 0, 'the destination always had a route while moving');
  const priorities = [...gce.routes.values()].map((r) => r.priority);
  assert.ok(priorities.every((p) => p === 900 || p === 901));
});

test('gcp: a stale fingerprint (412) is re-read and retried; every mutation carries a requestId', async () => {
  const { gce, provider } = await sharedGcpLab();
  assert.equal((await provider.acquire(alias, a, 1)).kind, 'ok');
  gce.faults.beforeNext(/updateNetworkInterface/, () => {
    const nic = gce.instances.get('europe-west1-c/vm-b')?.networkInterfaces[0];
    if (nic) {
      nic.aliasIpRanges.push({ ipCidrRange: '10.2.7.7/32' }); // someone else edits vm-b meanwhile
      nic.fingerprint = 'Y2hhbmdlZA==';
    }
  });
  const out = await provider.acquire(alias, b, 2, { takeover: true });
  assert.ok(out.kind === 'ok' && out.value.after.holder === 'b', JSON.stringify(out));
  const nicB = gce.instances.get('europe-west1-c/vm-b')?.networkInterfaces[0];
  assert.deepEqual(
    nicB?.aliasIpRanges.map((r) => r.ipCidrRange).sort(),
    ['10.2.7.7/32', '10.2.9.9/32'],
    'the other alias survived',
  );
  const mutations = gce.requests.filter((r) => r.method !== 'GET' && !r.path.endsWith('/wait'));
  assert.ok(mutations.length >= 3 && mutations.every((m) => /^[0-9a-f-]{36}$/.test(m.query.requestId ?? '')));
});

test('gcp: a repeated acquire of the current holder makes no mutation at all', async () => {
  const { gce, provider } = await sharedGcpLab();
  const ac: VipResource = {
    id: 'ac',
    provider: 'gcp',
    kind: 'access-config',
    spec: { natIp: '203.0.113.9' },
  };
  for (const r of [route, alias, ac]) assert.equal((await provider.acquire(r, a, 1)).kind, 'ok');
  const before = gce.requests.length;
  for (const r of [route, alias, ac]) {
    const again = await provider.acquire(r, a, 1);
    assert.ok(again.kind === 'ok' && !again.value.changed);
  }
  assert.ok(gce.requests.slice(before).every((r) => r.method === 'GET'));
});

test('gcp: error classes', () => {
  const e = (code: number, reason: string) =>
    Object.assign(new Error(JSON.stringify({ error: { code, errors: [{ reason }] } })), { code });
  assert.equal(classifyGcpError(e(429, 'rateLimitExceeded')).class, 'throttling');
  assert.equal(classifyGcpError(e(403, 'rateLimitExceeded')).class, 'throttling');
  assert.equal(classifyGcpError(e(412, 'conditionNotMet')).class, 'conflict');
  assert.equal(classifyGcpError(e(409, 'alreadyExists')).class, 'conflict');
  assert.equal(classifyGcpError(e(503, 'backendError')).class, 'transient');
  assert.equal(classifyGcpError(e(404, 'notFound')).class, 'fatal');
});
