// @needs openssl
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AzureVipProvider, classifyAzureError } from '../../../adapters/azure/index.ts';
import { seededRandom } from '../../../adapters/memory/index.ts';
import type { VipResource } from '../../../core/ports/index.ts';
import { armSubscription } from '../../emulators/arm.ts';
import { testPolicy } from '../aws/fixture.ts';
import { azureLab, members, staticCredential, testCa } from './fixture.ts';

const [a, b] = members as [(typeof members)[0], (typeof members)[0]];
const udr = (addressPrefix = '10.9.9.9/32', tables = ['rt-1']): VipResource => ({
  id: 'udr',
  provider: 'azure',
  kind: 'route',
  spec: { routeTables: tables.map((name) => ({ resourceGroup: 'rg', name })), route: 'vip', addressPrefix },
});

test('azure: stale ETag: a writer sneaks in between our read and PUT -> 412, re-read, retry with the new ETag', async () => {
  const { arm, provider } = await azureLab();
  try {
    assert.equal((await provider.acquire(udr(), a, 1)).kind, 'ok');
    // Somebody else rewrites the route (same next hop kept as b's, new ETag) right before our PUT.
    arm.faults.beforeNext(/^PUT .*\/routes\/vip$/, () => {
      const t = arm.tables.get('rg/rt-1');
      const r = t?.routes.get('vip');
      if (t && r) {
        r.nextHopIpAddress = '10.1.0.4';
        t.etag = 'W/"someone-else"';
      }
    });
    const out = await provider.acquire(udr(), b, 2, { takeover: true });
    assert.ok(out.kind === 'ok' && out.value.after.holder === 'b', JSON.stringify(out));
    const puts = arm.requests.filter((r) => r.method === 'PUT');
    assert.deepEqual(
      puts.slice(-2).map((p) => p.status),
      [412, 200],
    );
    assert.equal(puts.at(-1)?.headers['if-match'], 'W/"someone-else"', 'retried with the ETag it re-read');
    const nonPut = arm.requests.filter((r) => r.method !== 'PUT');
    assert.ok(
      nonPut.every((r) => r.headers['if-match'] === undefined),
      'If-Match only ever on the PUT',
    );
    assert.ok(
      nonPut.some((r) => r.path.includes('/operations/')),
      'the LRO was polled',
    );
  } finally {
    await arm.close();
  }
});

test('azure: only routes/{name} is written; the table keeps its other routes', async () => {
  const { arm, provider } = await azureLab();
  try {
    const before = [...(arm.tables.get('rg/rt-2')?.routes.values() ?? [])].filter((r) => r.name !== 'vip');
    assert.equal((await provider.acquire(udr('fd00:9::9/128', ['rt-1', 'rt-2']), a, 1)).kind, 'ok');
    assert.equal(
      (await provider.acquire(udr('fd00:9::9/128', ['rt-1', 'rt-2']), b, 2, { takeover: true })).kind,
      'ok',
    );
    const after = [...(arm.tables.get('rg/rt-2')?.routes.values() ?? [])];
    assert.deepEqual(
      after.filter((r) => r.name !== 'vip'),
      before,
    );
    assert.equal(after.find((r) => r.name === 'vip')?.nextHopIpAddress, '10.1.0.5');
    const writes = arm.requests.filter((r) => r.method === 'PUT' || r.method === 'DELETE');
    assert.ok(
      writes.every((w) => /\/routeTables\/rt-\d\/routes\/vip$/.test(w.path)),
      'never the whole table',
    );
  } finally {
    await arm.close();
  }
});

test('azure: 409 AnotherOperationInProgress is retried no sooner than its Retry-After', async () => {
  const waits: number[] = [];
  const { arm } = await azureLab({ retryAfterMs: 4_000 });
  try {
    const provider = new AzureVipProvider({
      subscriptionId: armSubscription,
      credential: staticCredential,
      endpoint: arm.url,
      ca: testCa(),
      members,
      policy: testPolicy,
      lroPollMs: 1,
      random: seededRandom(1),
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    arm.faults.inject('busy', 2, /^PUT /);
    const out = await provider.acquire(udr(), a, 1);
    assert.ok(out.kind === 'ok', JSON.stringify(out));
    assert.equal(arm.requests.filter((r) => r.status === 409).length, 2);
    assert.ok(waits.filter((w) => w >= 4_000).length >= 2, `waits: ${waits.join(',')}`);
  } finally {
    await arm.close();
  }
});

test('azure: slow LROs and stale GETs still end verified', async () => {
  const { arm, provider } = await azureLab({ lroPolls: 4, staleReads: 2 });
  try {
    const pip: VipResource = {
      id: 'pip',
      provider: 'azure',
      kind: 'public-ip',
      spec: {
        publicIpId: `/subscriptions/${armSubscription}/resourceGroups/rg/providers/Microsoft.Network/publicIPAddresses/pip-vip`,
      },
    };
    assert.equal((await provider.acquire(pip, a, 1)).kind, 'ok');
    const out = await provider.acquire(pip, b, 2, { takeover: true });
    assert.ok(out.kind === 'ok' && out.value.after.holder === 'b', JSON.stringify(out));
    const nicA = arm.nics.get('rg/nic-a');
    assert.ok(
      nicA?.ipConfigurations.every((c) => !c.publicIPAddress),
      'detached from a',
    );
    assert.ok(
      arm.requests.filter((r) => r.path.includes('/operations/')).length >= 8,
      'each NIC PUT polled to the end',
    );
  } finally {
    await arm.close();
  }
});

test('azure: error classes', () => {
  const e = (statusCode: number, code: string, headers: Record<string, string> = {}) =>
    Object.assign(new Error(code), {
      statusCode,
      code,
      response: { headers: { get: (k: string) => headers[k] } },
    });
  assert.deepEqual(
    classifyAzureError(e(409, 'AnotherOperationInProgress', { 'retry-after': '11' })).retryAfterMs,
    11_000,
  );
  assert.equal(classifyAzureError(e(409, 'AnotherOperationInProgress')).class, 'throttling');
  assert.equal(classifyAzureError(e(429, 'TooManyRequests')).class, 'throttling');
  assert.equal(classifyAzureError(e(412, 'PreconditionFailed')).class, 'conflict');
  assert.equal(classifyAzureError(e(400, 'PublicIPAddressInUse')).class, 'conflict');
  assert.equal(classifyAzureError(e(503, 'ServiceUnavailable')).class, 'transient');
  assert.equal(classifyAzureError(e(403, 'AuthorizationFailed')).class, 'fatal');
});
