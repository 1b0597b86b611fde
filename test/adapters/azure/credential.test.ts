// @needs openssl
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { armScope } from '../../../adapters/azure/client.ts';
import { azureConfig } from '../../../adapters/azure/config.ts';
import { seededRandom } from '../../../adapters/memory/index.ts';
import { validateCloudSection } from '../../../core/config/cloud.ts';
import { buildCloud } from '../../../functions/agent/cloud-setup.ts';
import { armSubscription, startArmEmulator } from '../../emulators/arm.ts';
import { serve } from '../../emulators/http.ts';
import { loopbackCertificate } from '../../emulators/tls.ts';

test('armScope: the token audience follows the configured ARM endpoint (sovereign clouds too)', () => {
  assert.equal(armScope('https://management.azure.com'), 'https://management.azure.com/.default');
  assert.equal(armScope('https://management.azure.com/'), 'https://management.azure.com/.default');
  assert.equal(
    armScope('https://management.usgovcloudapi.net'),
    'https://management.usgovcloudapi.net/.default',
  );
  assert.equal(
    armScope('https://management.chinacloudapi.cn'),
    'https://management.chinacloudapi.cn/.default',
  );
  assert.equal(armScope('https://127.0.0.1:8443'), 'https://127.0.0.1:8443/.default');
});

test('azure config: a static token (tokenEnv) is for emulators only: it needs an explicit endpoint', () => {
  const check = azureConfig.check;
  assert.ok(check);
  assert.match(
    check({ subscriptionId: 's', tokenEnv: 'T' }, { T: 'x' }).join('\n'),
    /needs an explicit endpoint/,
  );
  assert.deepEqual(
    check({ subscriptionId: 's', endpoint: 'https://127.0.0.1:1', tokenEnv: 'T' }, { T: 'x' }),
    [],
  );
});

test('agent composition: Azure authenticates with managed identity (IMDS-style endpoint), and an expiring token is renewed, not a 401 storm', async (t) => {
  // A fake App Service managed identity endpoint (IDENTITY_ENDPOINT / IDENTITY_HEADER, as @azure/identity's
  // ManagedIdentityCredential reads them through MSAL): it hands out short-lived tokens.
  const header = 'fip-identity-header';
  const issued = new Map<string, number>(); // token -> expiry (ms)
  const resources: string[] = [];
  let refused = 0;
  const mi = await serve(async (req) => {
    if (req.headers['x-identity-header'] !== header) {
      refused++;
      return { status: 401, body: '{"error":"invalid header"}' };
    }
    resources.push(req.query.get('resource') ?? '');
    const token = `mi-token-${issued.size + 1}`;
    const expiresOn = Math.floor((Date.now() + 2_500) / 1000); // seconds, as the endpoint answers
    issued.set(token, expiresOn * 1000);
    return {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        access_token: token,
        expires_on: String(expiresOn),
        resource: req.query.get('resource'),
        token_type: 'Bearer',
      }),
    };
  });
  const cert = loopbackCertificate();
  const arm = await startArmEmulator({
    lroPolls: 1,
    tls: cert,
    acceptToken: (tok) => (issued.get(tok) ?? 0) > Date.now(),
  });
  arm.addTable('rg', 'rt-1', [{ name: 'default', addressPrefix: '0.0.0.0/0', nextHopType: 'Internet' }]);
  const dir = mkdtempSync(join(tmpdir(), 'fip-az-mi-'));
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, cert.cert);
  const vars = ['IDENTITY_ENDPOINT', 'IDENTITY_HEADER', 'MSI_ENDPOINT', 'MSI_SECRET', 'IMDS_ENDPOINT'];
  const saved = Object.fromEntries(vars.map((k) => [k, process.env[k]]));
  for (const k of vars) delete process.env[k];
  process.env['IDENTITY_ENDPOINT'] = `${mi.url}/msi/token`;
  process.env['IDENTITY_HEADER'] = header;
  t.after(async () => {
    for (const k of vars)
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    await Promise.all([arm.close(), mi.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  const section = validateCloudSection({
    providers: {
      azure: { type: 'azure', subscriptionId: armSubscription, endpoint: arm.url, caFile, lroPollMs: 2 },
    },
    members: { a: { azure: { privateIp: '10.1.0.4' } }, b: { azure: { privateIp: '10.1.0.5' } } },
    resources: [
      {
        id: 'udr',
        provider: 'azure',
        kind: 'route',
        spec: {
          routeTables: [{ resourceGroup: 'rg', name: 'rt-1' }],
          route: 'vip',
          addressPrefix: '10.9.9.9/32',
        },
      },
    ],
  });
  assert.ok(section.ok, JSON.stringify(section));
  const rt = buildCloud(section.value, { random: seededRandom(3) });
  assert.ok(rt.ok, JSON.stringify(rt));
  t.after(() => rt.value.close());
  const provider = rt.value.providers.get('azure');
  assert.ok(provider);
  const resource = section.value.group.resources[0];
  const [a, b] = section.value.group.members.map((m) => ({ id: m.id, spec: m.settings['azure'] ?? {} }));
  assert.ok(resource && a && b);

  const first = await provider.acquire(resource, a, 1);
  assert.ok(first.kind === 'ok' && first.value.after.holder === 'a', JSON.stringify(first));
  assert.equal(refused, 0);
  assert.ok(issued.size >= 1);
  assert.equal(resources[0], new URL(arm.url).origin, 'the token was asked for the configured endpoint');
  const firstToken = arm.requests[0]?.headers['authorization'];
  assert.match(firstToken ?? '', /^Bearer mi-token-\d+$/);

  // Every token issued so far expires; the next failover must get a fresh one before calling ARM.
  const latest = Math.max(...issued.values());
  await delay(Math.max(0, latest - Date.now()) + 100);
  const from = arm.requests.length;
  const second = await provider.acquire(resource, b, 2, { takeover: true });
  assert.ok(second.kind === 'ok' && second.value.after.holder === 'b', JSON.stringify(second));
  const later = arm.requests.slice(from);
  assert.deepEqual(
    later.filter((r) => r.status === 401).map((r) => r.path),
    [],
    'no request went out with an expired token',
  );
  assert.notEqual(later[0]?.headers['authorization'], firstToken, 'a renewed token');
  assert.equal(arm.requests.filter((r) => r.status === 401).length, 0);
});
