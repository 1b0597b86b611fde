// @needs redis openssl
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { startServe } from '../../../functions/serve/index.ts';
import { startWorker } from '../../../functions/worker/index.ts';
import { armSubscription, startArmEmulator } from '../../emulators/arm.ts';
import { azureLab, staticCredential } from '../../adapters/azure/fixture.ts';
import { addNvaNics, addNvaRouteTable, nvaGroup } from '../../helpers/azure-nva.ts';
import { loopbackCertificate } from '../../emulators/tls.ts';
import { controlFixture, eventually, opsToken } from './fixture.ts';

/** An ARM emulator (TLS) with two NVA NICs and a route table, and a control plane built from config. */
async function azureControl(t: TestContext) {
  const cert = loopbackCertificate();
  const arm = await startArmEmulator({ lroPolls: 1, retryAfterMs: 5, tls: cert });
  t.after(() => arm.close());
  addNvaNics(arm);
  addNvaRouteTable(arm, [{ name: 'default', addressPrefix: '0.0.0.0/0', nextHopType: 'Internet' }]);
  const dir = mkdtempSync(join(tmpdir(), 'fip-cp-azure-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const caFile = join(dir, 'arm-ca.pem');
  writeFileSync(caFile, cert.cert);
  const fixture = await controlFixture(t, {
    providers: 'from-config',
    overrides: { azureCredential: staticCredential },
    patch: {
      providers: { azure: { subscriptionId: armSubscription, endpoint: arm.url, caFile, lroPollMs: 2 } },
      worker: { concurrency: 4, lockTtlMs: 180_000, attempts: 3, backoffMs: 50 },
      alerts: [{ match: { alertname: 'NvaDown' }, group: 'nva', memberLabel: 'instance' }],
      groups: [nvaGroup],
    },
  });
  const nextHop = () => arm.tables.get('rg/rt-1')?.routes.get('vip')?.nextHopIpAddress;
  return { arm, nextHop, ...fixture };
}

test('control plane on the Azure provider: an alert moves the route next hop through the real ARM SDK to the emulator', async (t) => {
  const { arm, cp, defer, nextHop } = await azureControl(t);
  const server = await startServe(cp, { port: 0 });
  defer(() => server.close());
  const worker = await startWorker(cp, { schedule: false });
  defer(() => worker.close());
  assert.equal(nextHop(), '10.1.0.4');

  const alert = await fetch(`${server.url}/v1/webhooks/alertmanager`, {
    method: 'POST',
    headers: { authorization: `Bearer ${opsToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      version: '4',
      status: 'firing',
      alerts: [
        {
          status: 'firing',
          labels: { alertname: 'NvaDown', instance: 'a' },
          startsAt: '2026-01-01T00:00:00Z',
          fingerprint: 'azure-1',
        },
      ],
    }),
  });
  assert.equal(alert.status, 202, await alert.clone().text());
  await eventually(async () => (nextHop() === '10.1.0.5' ? true : undefined), 'route next hop on b');
  const entries = await eventually(async () => {
    const a = await cp.api.audit.list({ group: 'nva', limit: 10 });
    return a.kind === 'ok' && a.value.length === 1 ? a.value : undefined;
  }, 'the failover to commit');
  assert.equal(entries[0]?.from, 'a');
  assert.equal(entries[0]?.to, 'b');
  assert.ok(entries[0]?.calls.some((c) => c.operation === 'routes.createOrUpdate'));
  // Only the route child was written (a PUT on routes/vip), with the bearer token of the credential.
  const writes = arm.requests.filter((r) => r.method === 'PUT');
  assert.ok(writes.length >= 1);
  for (const w of writes) {
    assert.match(w.path, /\/routeTables\/rt-1\/routes\/vip$/);
    assert.equal(w.headers.authorization, 'Bearer fip-cloud-test-token');
  }
});

test('a throttled ARM call shows up in /metrics by provider, class and the provider error code', async (t) => {
  const { arm, provider } = await azureLab(); // fast retry policy: the throttles exhaust the retries quickly
  t.after(() => arm.close());
  const { cp, defer } = await controlFixture(t, {
    providers: { azure: provider },
    patch: {
      providers: { azure: { subscriptionId: armSubscription, endpoint: arm.url } },
      worker: { concurrency: 4, lockTtlMs: 180_000, attempts: 3, backoffMs: 50 },
      alerts: [],
      groups: [nvaGroup],
    },
  });
  const server = await startServe(cp, { port: 0 });
  defer(() => server.close());
  const metrics = async () =>
    (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${opsToken}` } })).text();
  const series = /^floatip_provider_api_errors_total\{(.*)\} (\d+)$/gm;
  assert.deepEqual([...(await metrics()).matchAll(series)], []);

  arm.faults.inject('throttle', 1000, /^PUT /); // every write answers 429 TooManyRequests
  const job = {
    kind: 'failover' as const,
    key: 'throttled-1',
    group: 'nva',
    to: 'b',
    action: 'switchover' as const,
    reason: 'test',
    source: 'manual',
  };
  const r = await cp.handle(job, { id: 'j1', attempt: 1 });
  assert.equal(r.kind, 'retry', JSON.stringify(r));
  assert.ok(arm.faults.counts.throttle > 0);
  const found = [...(await metrics()).matchAll(series)].map((m) => [m[1], m[2]]);
  assert.deepEqual(found, [['provider="azure",class="throttling",code="TooManyRequests"', '1']]);
});
