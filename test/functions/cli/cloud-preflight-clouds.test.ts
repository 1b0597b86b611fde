/**
 * `floatip cloud preflight` and `cloud inspect` on Azure, GCP and Route 53, through the real SDKs against
 * the emulators: each cloud's permission check (Azure's permissions API, Compute Engine's
 * testIamPermissions) names the missing permission, the topology reads name what is missing or does not
 * match (a route table, an instance, a hosted zone, IP forwarding, canIpForward), and nothing changes.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { armSubscription, startArmEmulator } from '../../emulators/arm.ts';
import { startGceEmulator } from '../../emulators/gce.ts';
import { startRoute53Emulator } from '../../emulators/route53.ts';
import { loopbackCertificate } from '../../emulators/tls.ts';
import { runCli, type CliRun } from '../../helpers/cli.ts';

interface Finding {
  resource: string;
  status: string;
  subject: string;
  detail: string;
}

const env: Record<string, string> = {
  AWS_ACCESS_KEY_ID: 'AKIDTEST',
  AWS_SECRET_ACCESS_KEY: 'r53-secret-never-printed',
  FIP_AZ_TOKEN: 'az-token-never-printed',
  FIP_GCP_TOKEN: 'gcp-token-never-printed',
};

const cli = (args: string[]): Promise<CliRun> => runCli(args, env);

const subnet = `/subscriptions/${armSubscription}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s`;
const ipconfig = (ip: string) => ({
  name: 'ipconfig1',
  privateIPAddress: ip,
  privateIPAllocationMethod: 'Static',
  primary: true,
  subnet: { id: subnet },
});

async function clouds(t: TestContext) {
  const cert = loopbackCertificate();
  const arm = await startArmEmulator({ lroPolls: 1, retryAfterMs: 5, tls: cert });
  arm.addTable('rg', 'rt-1', [
    {
      name: 'vip',
      addressPrefix: '10.9.9.9/32',
      nextHopType: 'VirtualAppliance',
      nextHopIpAddress: '10.1.0.4',
    },
  ]);
  arm.addNic('rg', 'nic-a', [ipconfig('10.1.0.4')]);
  arm.addNic('rg', 'nic-b', [ipconfig('10.1.0.5')]).enableIPForwarding = false;
  const gce = await startGceEmulator({ opPolls: 1 });
  gce.addInstance('zone-a', 'vm-a', '10.2.0.4').canIpForward = true;
  gce.addInstance('zone-a', 'vm-b', '10.2.0.5', { canIpForward: false });
  const r53 = await startRoute53Emulator({ changePolls: 1 });
  const dir = mkdtempSync(join(tmpdir(), 'fip-preflight-clouds-'));
  const caFile = join(dir, 'arm-ca.pem');
  writeFileSync(caFile, cert.cert);
  t.after(async () => {
    await Promise.all([arm.close(), gce.close(), r53.close()]);
    rmSync(dir, { recursive: true, force: true });
  });
  const file = join(dir, 'floatip.yaml');
  writeFileSync(
    file,
    stringify({
      cloud: {
        group: 'web',
        providers: {
          azure: { subscriptionId: armSubscription, endpoint: arm.url, caFile, tokenEnv: 'FIP_AZ_TOKEN' },
          gcp: { project: gce.project, endpoint: gce.url, tokenEnv: 'FIP_GCP_TOKEN' },
          r53: { type: 'dns', endpoint: r53.url },
        },
        members: {
          'lb-1': {
            azure: { privateIp: '10.1.0.4', networkInterface: { resourceGroup: 'rg', name: 'nic-a' } },
            gcp: { zone: 'zone-a', instance: 'vm-a' },
            r53: { address: '203.0.113.10' },
          },
          'lb-2': {
            azure: { privateIp: '10.1.0.5', networkInterface: { resourceGroup: 'rg', name: 'nic-b' } },
            gcp: { zone: 'zone-a', instance: 'vm-b' },
            r53: { address: '203.0.113.20' },
          },
          'lb-3': { gcp: { zone: 'zone-a', instance: 'vm-gone' } },
        },
        resources: [
          {
            id: 'az-route',
            provider: 'azure',
            kind: 'route',
            spec: {
              routeTables: [
                { resourceGroup: 'rg', name: 'rt-1' },
                { resourceGroup: 'rg', name: 'rt-gone' },
              ],
              route: 'vip',
              addressPrefix: '10.9.9.9/32',
            },
          },
          { id: 'gcp-alias', provider: 'gcp', kind: 'alias-ip', spec: { ipCidrRange: '10.2.9.9/32' } },
          {
            id: 'gcp-route',
            provider: 'gcp',
            kind: 'route',
            spec: { namePrefix: 'fip-vip', network: 'default', destRange: '10.9.9.9/32' },
          },
          {
            id: 'rec',
            provider: 'r53',
            kind: 'record',
            spec: { hostedZoneId: 'Z0FIPTEST', name: 'web.example.com', type: 'A' },
          },
          {
            id: 'rec-gone',
            provider: 'r53',
            kind: 'record',
            spec: { hostedZoneId: 'ZGONE', name: 'web.example.org', type: 'A' },
          },
        ],
        policy: { call: { baseMs: 1, capMs: 5 }, verify: { baseMs: 1, capMs: 5 } },
      },
    }),
  );
  const snapshot = () =>
    JSON.stringify({
      tables: [...arm.tables.values()].map((x) => ({ ...x, routes: [...x.routes.values()] })),
      nics: [...arm.nics.values()],
      instances: [...gce.instances.values()],
      routes: [...gce.routes.values()],
      zones: [...r53.zones.entries()].map(([k, v]) => [k, [...v.entries()]]),
    });
  const onlyReads = () => {
    for (const q of arm.requests) assert.equal(q.method, 'GET', `ARM ${q.method} ${q.path}`);
    for (const q of gce.requests)
      assert.ok(q.method === 'GET' || q.path.endsWith('/testIamPermissions'), `GCE ${q.method} ${q.path}`);
    for (const q of r53.requests) assert.equal(q.method, 'GET', `Route 53 ${q.method} ${q.path}`);
  };
  return { arm, gce, r53, file, snapshot, onlyReads };
}

const has = (fs: Finding[], status: string, resource: string, subject: string | RegExp): boolean =>
  fs.some(
    (f) =>
      f.status === status &&
      f.resource === resource &&
      (typeof subject === 'string' ? f.subject === subject : subject.test(`${f.subject}: ${f.detail}`)),
  );

test('preflight on Azure, GCP and Route 53 names missing permissions and resources, and changes nothing', async (t) => {
  const c = await clouds(t);
  c.arm.denied.add('Microsoft.Network/routeTables/routes/write');
  c.gce.denied.add('compute.instances.updateNetworkInterface');
  const before = c.snapshot();
  const r = await cli(['cloud', 'preflight', '--config', c.file, '--json']);
  assert.equal(r.code, 3, r.out + r.err);
  const { findings } = JSON.parse(r.out) as { findings: Finding[] };
  const show = JSON.stringify(
    findings.filter((f) => f.status !== 'ok'),
    null,
    1,
  );
  const want: Array<[string, string, string | RegExp]> = [
    ['missing-permission', 'az-route', 'Microsoft.Network/routeTables/routes/write on route table rg/rt-1'],
    ['ok', 'az-route', 'Microsoft.Network/routeTables/routes/delete on route table rg/rt-1'],
    ['missing-resource', 'az-route', 'route table rg/rt-gone'],
    ['mismatch', 'az-route', /^network interface rg\/nic-b \(member lb-2\): IP forwarding is off/],
    ['missing-permission', 'gcp-alias', 'compute.instances.updateNetworkInterface on instance zone-a/vm-a'],
    ['ok', 'gcp-alias', 'compute.instances.get on instance zone-a/vm-a'],
    ['missing-resource', 'gcp-alias', 'instance zone-a/vm-gone (member lb-3)'],
    ['mismatch', 'gcp-route', /^instance zone-a\/vm-b \(member lb-2\): canIpForward is false/],
    ['unproven', 'gcp-route', /^compute\.routes\.create/],
    ['ok', 'rec', 'record web.example.com. A'],
    ['unproven', 'rec', 'route53:ChangeResourceRecordSets on Z0FIPTEST'],
    ['missing-resource', 'rec-gone', 'hosted zone ZGONE'],
  ];
  for (const [status, resource, subject] of want)
    assert.ok(has(findings, status, resource, subject), `${status} ${resource} ${String(subject)}:\n${show}`);
  assert.equal(c.snapshot(), before, 'the pre-flight changed an emulator');
  c.onlyReads();
  assert.doesNotMatch(r.out + r.err, /never-printed/);
});

test('preflight of the same clouds exits 0 once everything is there and allowed', async (t) => {
  const c = await clouds(t);
  const ok = join(c.file, '..', 'ok.yaml');
  const { parse } = await import('yaml');
  const { readFileSync } = await import('node:fs');
  const doc = parse(readFileSync(c.file, 'utf8')) as {
    cloud: {
      members: Record<string, unknown>;
      resources: Array<{ id: string; spec: Record<string, unknown> }>;
    };
  };
  delete doc.cloud.members['lb-3'];
  doc.cloud.resources = doc.cloud.resources.filter((x) => x.id !== 'rec-gone' && x.id !== 'gcp-route');
  const route = doc.cloud.resources.find((x) => x.id === 'az-route');
  if (route) route.spec['routeTables'] = [{ resourceGroup: 'rg', name: 'rt-1' }];
  writeFileSync(ok, stringify(doc));
  const nic = c.arm.nics.get('rg/nic-b');
  if (nic) nic.enableIPForwarding = true;
  const r = await cli(['cloud', 'preflight', '--config', ok]);
  assert.equal(r.code, 0, r.out + r.err);
  assert.match(r.out, /pre-flight of group web: OK/);
  c.onlyReads();
});

test('inspect shows canIpForward off and IP forwarding off as warnings of the resources they break', async (t) => {
  const c = await clouds(t);
  const before = c.snapshot();
  const r = await cli(['cloud', 'inspect', '--config', c.file, '--json']);
  const seen = JSON.parse(r.out) as {
    resources: Array<{ resource: string; state: string; warnings: string[] }>;
  };
  const of = (id: string) => seen.resources.find((x) => x.resource === id);
  assert.ok(
    of('gcp-route')?.warnings.some((w) => /vm-b \(member lb-2\): canIpForward is false/.test(w)),
    r.out,
  );
  assert.ok(
    of('az-route')?.warnings.some((w) => /nic-b \(member lb-2\): IP forwarding is off/.test(w)),
    r.out,
  );
  assert.ok(
    of('rec-gone')?.warnings.some((w) => /^hosted zone ZGONE: NoSuchHostedZone/.test(w)),
    r.out,
  );
  assert.equal(of('rec-gone')?.state, 'unreadable');
  assert.deepEqual(of('rec')?.warnings, []);
  assert.equal(c.snapshot(), before);
  for (const q of c.gce.requests) assert.equal(q.method, 'GET', 'inspect asks no permission question');
});
